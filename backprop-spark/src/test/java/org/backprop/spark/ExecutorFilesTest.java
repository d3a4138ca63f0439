package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.zip.GZIPOutputStream;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.data.Idx;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** IDX files and image folders read on the executors by URI (file: here; hdfs: and s3a: take the same path through Hadoop). */
class ExecutorFilesTest {
    @TempDir
    Path dir;

    /** Writes an IDX file of unsigned bytes, gzipped or not. */
    static void writeIdx(Path file, int magic, int[] dims, byte[] values, boolean gzip) throws IOException {
        var bytes = new ByteArrayOutputStream();
        try (var out = new DataOutputStream(bytes)) {
            out.writeInt(magic);
            for (int d : dims) out.writeInt(d);
            out.write(values);
        }
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(bytes.toByteArray());
        }
    }

    @Test
    void partitionsReadTheirOwnRangesOfPlainAndGzippedFiles() throws IOException {
        int n = 23, rows = 3, cols = 2;
        byte[] pixels = new byte[n * rows * cols], labels = new byte[n];
        new Random(4).nextBytes(pixels);
        for (int i = 0; i < n; i++) labels[i] = (byte) (i % 10);
        Path images = dir.resolve("images-idx3-ubyte"), marks = dir.resolve("labels-idx1-ubyte.gz");
        writeIdx(images, Idx.IMAGES, new int[] {n, rows, cols}, pixels, false);
        writeIdx(marks, Idx.LABELS, new int[] {n}, labels, true);

        JavaSparkContext sc = SharedSpark.context();
        JavaRDD<Sample> rdd = SparkData.fromIdx(sc, images.toUri().toString(), marks.toUri().toString(), 3);
        assertEquals(3, rdd.getNumPartitions());
        assertFalse(Preflight.comesFromDriverCollection(rdd.rdd()), "the rows are read on the executors, not shipped");
        List<List<Sample>> parts = rdd.glom().collect();
        assertEquals(List.of(7, 8, 8), parts.stream().map(List::size).toList());
        List<Sample> all = parts.stream().flatMap(List::stream).toList();
        for (int i = 0; i < n; i++) {
            float[] expected = new float[rows * cols];
            for (int j = 0; j < expected.length; j++) expected[j] = (pixels[i * rows * cols + j] & 0xff) / 255f;
            assertArrayEquals(expected, all.get(i).features(), "image " + i);
            assertEquals(i % 10, (int) all.get(i).target()[0], "label " + i);
            assertTrue(all.get(i).classLabel());
        }
    }

    @Test
    void badFilesAreNamedOnTheDriver() throws IOException {
        Path images = dir.resolve("images"), labels = dir.resolve("labels"), fewer = dir.resolve("fewer");
        writeIdx(images, Idx.IMAGES, new int[] {4, 2, 2}, new byte[16], false);
        writeIdx(labels, Idx.LABELS, new int[] {4}, new byte[4], false);
        writeIdx(fewer, Idx.LABELS, new int[] {3}, new byte[3], false);
        JavaSparkContext sc = SharedSpark.context();
        String im = images.toUri().toString(), lb = labels.toUri().toString();

        var missing = assertThrows(UncheckedIOException.class, () -> SparkData.fromIdx(sc, im, dir.resolve("nope").toUri().toString(), 2));
        assertTrue(missing.getMessage().contains("no file at") && missing.getMessage().contains("nope"), missing.getMessage());
        var swapped = assertThrows(UncheckedIOException.class, () -> SparkData.fromIdx(sc, lb, im, 2));
        assertTrue(swapped.getMessage().contains("wrong IDX magic number 0x00000801, expected 0x00000803"), swapped.getMessage());
        var counts = assertThrows(UncheckedIOException.class, () -> SparkData.fromIdx(sc, im, fewer.toUri().toString(), 2));
        assertTrue(counts.getMessage().contains("holds 4 images but") && counts.getMessage().contains("3 labels"), counts.getMessage());
    }

    @Test
    void imageFoldersGiveClassesInNameOrderAndPixelsChannelFirst() throws IOException {
        int[][] colours = {{255, 0, 0}, {0, 0, 255}}; // class "a" red, class "b" blue
        for (int c = 0; c < 2; c++) {
            Path folder = Files.createDirectories(dir.resolve("imgs").resolve(c == 0 ? "a" : "b"));
            for (int k = 0; k < 3; k++) {
                var img = new java.awt.image.BufferedImage(3, 2, java.awt.image.BufferedImage.TYPE_INT_RGB);
                int rgb = colours[c][0] << 16 | colours[c][1] << 8 | colours[c][2];
                for (int y = 0; y < 2; y++) for (int x = 0; x < 3; x++) img.setRGB(x, y, rgb);
                img.setRGB(0, 0, 0xffffff);
                javax.imageio.ImageIO.write(img, "png", folder.resolve("img" + k + ".png").toFile());
            }
        }
        JavaSparkContext sc = SharedSpark.context();
        var data = SparkData.fromImageFolder(sc, dir.resolve("imgs").toUri().toString(), 3, 2);
        assertEquals(List.of("a", "b"), data.classes());
        List<List<Sample>> parts = data.samples().glom().collect();
        for (List<Sample> part : parts) {
            assertEquals(3, part.size());
            assertTrue(part.stream().anyMatch(s -> s.target()[0] == 0) && part.stream().anyMatch(s -> s.target()[0] == 1),
                    "files are dealt in turn: every partition holds both classes");
            for (Sample s : part) {
                float[] x = s.features();
                assertEquals(18, x.length); // [3, 2, 3]
                int c = (int) s.target()[0];
                assertEquals(1f, x[0]); // the white corner in every plane
                assertEquals(colours[c][0] / 255f, x[1]);
                assertEquals(colours[c][2] / 255f, x[12 + 1]);
            }
        }
        Files.writeString(dir.resolve("imgs").resolve("b").resolve("notes.png"), "not an image");
        var e = assertThrows(Exception.class, () -> SparkData.fromImageFolder(sc, dir.resolve("imgs").toUri().toString(), 1, 1)
                .samples().count());
        assertTrue(String.valueOf(e.getMessage()).contains("notes.png: not an image"), e.getMessage());
        var missing = assertThrows(UncheckedIOException.class, () -> SparkData.fromImageFolder(sc, dir.resolve("none").toUri().toString(), 1, 1));
        assertTrue(missing.getMessage().contains("no folder at"), missing.getMessage());
    }
}

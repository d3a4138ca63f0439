package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxTest {

    /** An IDX file of unsigned bytes with the given dimensions; element i is (i * 7) mod 256. */
    static byte[] idx(int magic, int... dims) {
        int n = 1;
        for (int d : dims) n *= d;
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length + n); // big-endian, as IDX
        b.putInt(magic);
        for (int d : dims) b.putInt(d);
        for (int i = 0; i < n; i++) b.put((byte) (i * 7));
        return b.array();
    }

    static byte[] gzip(byte[] raw) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(raw);
        }
        return out.toByteArray();
    }

    @Test
    void readsImagesPlainAndGzippedAlike(@TempDir Path dir) throws IOException {
        byte[] raw = idx(Idx.IMAGES, 3, 2, 5);
        Files.write(dir.resolve("plain"), raw);
        Files.write(dir.resolve("packed.gz"), gzip(raw));
        for (String name : new String[] {"plain", "packed.gz"}) {
            Idx.Data d = Idx.read(dir.resolve(name), Idx.IMAGES);
            assertArrayEquals(new int[] {3, 2, 5}, d.dims());
            assertEquals(30, d.values().length);
            assertEquals(3, d.count());
            assertEquals((29 * 7) & 0xff, d.unsigned(29)); // 203: read unsigned, not as -53
        }
    }

    @Test
    void readsLabels() throws IOException {
        Idx.Data d = Idx.parse(idx(Idx.LABELS, 4), "labels", Idx.LABELS);
        assertArrayEquals(new int[] {4}, d.dims());
        assertArrayEquals(new byte[] {0, 7, 14, 21}, d.values());
    }

    @Test
    void wrongMagicNamesTheFileAndBothNumbers() {
        IOException e = assertThrows(IOException.class,
                () -> Idx.parse(idx(Idx.LABELS, 4), "t10k-labels", Idx.IMAGES));
        assertTrue(e.getMessage().contains("t10k-labels"), e.getMessage());
        assertTrue(e.getMessage().contains("0x00000801") && e.getMessage().contains("0x00000803"), e.getMessage());
    }

    @Test
    void truncatedDataSaysHowManyBytesWereExpectedAndFound() throws IOException {
        byte[] raw = idx(Idx.IMAGES, 2, 3, 3); // 16 header + 18 data = 34 bytes
        byte[] cut = Arrays.copyOf(raw, 30);
        for (byte[] bytes : new byte[][] {cut, gzip(cut)}) {
            IOException e = assertThrows(IOException.class, () -> Idx.parse(bytes, "imgs.gz", Idx.IMAGES));
            assertTrue(e.getMessage().contains("imgs.gz"), e.getMessage());
            assertTrue(e.getMessage().contains("need 34 bytes, found 30"), e.getMessage());
        }
    }

    @Test
    void trailingBytesAreAnErrorToo() throws IOException {
        byte[] raw = Arrays.copyOf(idx(Idx.LABELS, 3), 4 + 4 + 3 + 2);
        for (byte[] bytes : new byte[][] {raw, gzip(raw)}) { // gzipped: past the streamed read's end, same message
            IOException e = assertThrows(IOException.class, () -> Idx.parse(bytes, "labels", Idx.LABELS));
            assertTrue(e.getMessage().contains("trailing") && e.getMessage().contains("need 11 bytes, found 13"),
                    e.getMessage());
        }
    }

    @Test
    void truncatedHeaderAndTinyFilesAreReported() {
        byte[] header = Arrays.copyOf(idx(Idx.IMAGES, 1, 1, 1), 10);
        IOException e = assertThrows(IOException.class, () -> Idx.parse(header, "h", Idx.IMAGES));
        assertTrue(e.getMessage().contains("expected 16 bytes for 3 dimensions, found 10"), e.getMessage());
        IOException tiny = assertThrows(IOException.class, () -> Idx.parse(new byte[2], "t", Idx.IMAGES));
        assertTrue(tiny.getMessage().contains("found 2"), tiny.getMessage());
    }

    @Test
    void cutGzipStreamIsReportedWithTheFileName() throws IOException {
        byte[] gz = gzip(idx(Idx.IMAGES, 4, 28, 28));
        byte[] cut = Arrays.copyOf(gz, gz.length / 2);
        IOException e = assertThrows(IOException.class, () -> Idx.parse(cut, "train-images-idx3-ubyte.gz", Idx.IMAGES));
        assertTrue(e.getMessage().startsWith("train-images-idx3-ubyte.gz: gzip data is truncated"), e.getMessage());
    }
}

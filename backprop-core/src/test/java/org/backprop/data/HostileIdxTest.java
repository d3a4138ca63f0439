package org.backprop.data;

import static org.backprop.io.Hostile.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.backprop.io.Hostile;
import org.backprop.guard.InputLimits;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, points 3 and 4 for IDX: wrapped dimensions, gzip bombs, huge files. */
class HostileIdxTest {
    @TempDir
    Path dir;

    private static byte[] header(int magic, int... dims) {
        ByteBuffer b = ByteBuffer.allocate(4 + 4 * dims.length).putInt(magic);
        for (int d : dims) b.putInt(d);
        return b.array();
    }

    @Test
    void dimensionsWhoseProductWrapsARefused() {
        // 8 · 1428551872 · 1614112203 = 2^64 + 512: a long wraps to 512, which the 16-byte header
        // plus 512 bytes of "pixels" would match.
        byte[] file = ByteBuffer.allocate(528).put(header(Idx.IMAGES, 8, 1428551872, 1614112203)).array();
        IOException e = assertThrows(IOException.class, () -> Idx.parse(file, "wrap.idx", Idx.IMAGES));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("1428551872"), e.getMessage());
    }

    @Test
    void aGzipBombIsStoppedAtTheInputLimit() throws Exception {
        byte[] bomb = Hostile.gzipRepeated(header(Idx.IMAGES, 100_000, 28, 28), new byte[] {0}, 100_000L * 784);
        IOException e = Hostile.withProperty(InputLimits.MAX_BYTES_PROPERTY, "4m",
                () -> assertThrows(InputLimits.TooLargeException.class, () -> Idx.parse(bomb, "bomb.gz", Idx.IMAGES)));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("bomb.gz"), e.getMessage());
    }

    @Test
    void aHugeFileIsRefusedByItsSizeBeforeReading() throws Exception {
        Path big = dir.resolve("huge-idx3-ubyte");
        try (RandomAccessFile f = new RandomAccessFile(big.toFile(), "rw")) {
            f.write(header(Idx.IMAGES, 3_826_530, 28, 28));
            f.setLength(3_000_000_000L); // sparse: 3 GB that take no disk
        }
        IOException e = assertThrows(InputLimits.TooLargeException.class, () -> Idx.read(big, Idx.IMAGES));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("3.0 GB"), e.getMessage());
    }

    @Test
    void aGzipBombInTheFashionFolderIsStopped() throws Exception {
        Path folder = Files.createDirectories(dir.resolve("fashion"));
        byte[] bomb = Hostile.gzipRepeated(header(Idx.IMAGES, 60_000, 28, 28), new byte[] {0}, 60_000L * 784);
        Files.write(folder.resolve(FashionMnist.TRAIN_IMAGES.name() + ".gz"), bomb);
        IOException e = Hostile.withProperty(InputLimits.MAX_BYTES_PROPERTY, "4m", () -> assertThrows(IOException.class,
                () -> FashionMnist.load(java.util.List.of(folder), folder, null, java.util.List.of(FashionMnist.TRAIN_IMAGES,
                        FashionMnist.TRAIN_LABELS, FashionMnist.TEST_IMAGES, FashionMnist.TEST_LABELS))));
        assertOneLine(e);
        assertTrue(e instanceof InputLimits.TooLargeException, e.toString());
    }
}

package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.backprop.data.FashionMnist.FileSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Small fake Fashion-MNIST files built here: no network, no real data needed. */
class FashionMnistTest {
    private static final int TRAIN = 3, TEST = 2;

    private static byte[] images(int n, int seed) {
        ByteBuffer b = ByteBuffer.allocate(16 + n * 784);
        b.putInt(Idx.IMAGES).putInt(n).putInt(28).putInt(28);
        for (int i = 0; i < n * 784; i++) b.put((byte) (i * seed));
        return b.array();
    }

    private static byte[] labels(int... y) {
        ByteBuffer b = ByteBuffer.allocate(8 + y.length);
        b.putInt(Idx.LABELS).putInt(y.length);
        for (int v : y) b.put((byte) v);
        return b.array();
    }

    /** The four fake files, with specs whose checksums are those of the uncompressed content. */
    private record Fake(Map<String, byte[]> raw, List<FileSpec> specs) {}

    private static Fake fake() {
        Map<String, byte[]> raw = Map.of(
                "train-images-idx3-ubyte", images(TRAIN, 3), "train-labels-idx1-ubyte", labels(9, 0, 4),
                "t10k-images-idx3-ubyte", images(TEST, 5), "t10k-labels-idx1-ubyte", labels(1, 2));
        List<FileSpec> specs = List.of(
                spec("train-images-idx3-ubyte", Idx.IMAGES, raw), spec("train-labels-idx1-ubyte", Idx.LABELS, raw),
                spec("t10k-images-idx3-ubyte", Idx.IMAGES, raw), spec("t10k-labels-idx1-ubyte", Idx.LABELS, raw));
        return new Fake(raw, specs);
    }

    private static FileSpec spec(String name, int magic, Map<String, byte[]> raw) {
        return new FileSpec(name, magic, "0".repeat(32), FashionMnist.md5(raw.get(name)));
    }

    private static void writeAll(Fake f, Path dir, boolean gz) throws IOException {
        Files.createDirectories(dir);
        for (var e : f.raw().entrySet()) {
            if (gz) Files.write(dir.resolve(e.getKey() + ".gz"), IdxTest.gzip(e.getValue()));
            else Files.write(dir.resolve(e.getKey()), e.getValue());
        }
    }

    @Test
    void loadsGzippedFilesScaledTo01WithLabels(@TempDir Path dir) throws IOException {
        Fake f = fake();
        writeAll(f, dir, true);
        FashionMnist ds = FashionMnist.load(List.of(dir), dir.resolve("cache"), null, f.specs());
        assertEquals(TRAIN, ds.train().size());
        assertEquals(TEST, ds.test().size());
        assertArrayEquals(new int[] {9, 0, 4}, ds.train().labels());
        assertArrayEquals(new int[] {TRAIN, 784}, ds.train().images().shape());
        assertArrayEquals(new int[] {TEST}, ds.test().labelTensor().shape());
        assertEquals(2f, ds.test().labelTensor().get(1));
        // pixel 100 of training image 1: byte (784 + 100)·3 mod 256 = 92
        assertEquals(((884 * 3) & 0xff) / 255f, ds.train().images().get(1, 100), 0f);
        float max = 0;
        for (float v : ds.train().pixels()) max = Math.max(max, v);
        assertTrue(max <= 1f && max > 0.9f, "scaled by 1/255: max " + max);
    }

    @Test
    void plainFilesAndTheFirstFolderThatHasAFileAreUsed(@TempDir Path dir) throws IOException {
        Fake f = fake();
        writeAll(f, dir.resolve("second"), false);
        Files.createDirectories(dir.resolve("first"));
        FashionMnist ds = FashionMnist.load(List.of(dir.resolve("first"), dir.resolve("second")), dir, null, f.specs());
        assertArrayEquals(new int[] {1, 2}, ds.test().labels());
    }

    @Test
    void publishedGzChecksumIsAcceptedAsIs(@TempDir Path dir) throws IOException {
        Fake f = fake();
        byte[] gz = IdxTest.gzip(f.raw().get("t10k-labels-idx1-ubyte"));
        FileSpec byGz = new FileSpec("t10k-labels-idx1-ubyte", Idx.LABELS, FashionMnist.md5(gz), "f".repeat(32));
        FashionMnist.verify(byGz, gz, "x.gz"); // no exception
    }

    @Test
    void checksumMismatchNamesTheFileAndBothExpectedSums(@TempDir Path dir) throws IOException {
        Fake f = fake();
        writeAll(f, dir, true);
        byte[] other = IdxTest.gzip(labels(1, 3)); // a valid IDX file, but not the expected one
        Path bad = dir.resolve("t10k-labels-idx1-ubyte.gz");
        Files.write(bad, other);
        IOException e = assertThrows(IOException.class,
                () -> FashionMnist.load(List.of(dir), dir, null, f.specs()));
        String m = e.getMessage();
        assertTrue(m.startsWith(bad + ": MD5 checksum mismatch"), m);
        assertTrue(m.contains(FashionMnist.md5(other)) && m.contains(f.specs().get(3).rawMd5()), m);
    }

    @Test
    void missingFilesWithoutDownloadSayHowToGetThem(@TempDir Path dir) {
        IOException e = assertThrows(IOException.class,
                () -> FashionMnist.load(List.of(dir), dir, null, fake().specs()));
        String m = e.getMessage();
        assertTrue(m.contains("train-images-idx3-ubyte.gz was not found"), m);
        assertTrue(m.contains("apt-get install dataset-fashion-mnist") && m.contains(FashionMnist.SOURCE), m);
    }

    @Test
    void downloadsMissingFilesIntoTheCacheAndVerifiesThem(@TempDir Path dir) throws IOException {
        Fake f = fake();
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", exchange -> {
            String name = exchange.getRequestURI().getPath().substring(1).replace(".gz", "");
            byte[] body = f.raw().containsKey(name) ? IdxTest.gzip(f.raw().get(name)) : null;
            if (name.startsWith("t10k-labels")) body = IdxTest.gzip(labels(7, 7)); // corrupt on the server
            exchange.sendResponseHeaders(body == null ? 404 : 200, body == null ? -1 : body.length);
            if (body != null) exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
        try {
            URI source = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
            Path cache = dir.resolve("cache");
            IOException e = assertThrows(IOException.class,
                    () -> FashionMnist.load(List.of(cache), cache, source, f.specs()));
            assertTrue(e.getMessage().contains("t10k-labels-idx1-ubyte.gz: MD5 checksum mismatch"), e.getMessage());
            assertTrue(Files.isRegularFile(cache.resolve("train-images-idx3-ubyte.gz")), "verified files are cached");
            assertTrue(Files.notExists(cache.resolve("t10k-labels-idx1-ubyte.gz")), "a corrupt download is not kept");
            try (var files = Files.list(cache)) {
                assertTrue(files.noneMatch(p -> p.toString().endsWith(".part")), "no partial files left");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void unreachableSourceGivesTheOfflineAdvice(@TempDir Path dir) throws IOException {
        // A port that was just free: connecting is refused at once, no network involved.
        int port;
        try (var s = new java.net.ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        IOException e = assertThrows(IOException.class, () -> FashionMnist.load(List.of(dir), dir,
                URI.create("http://127.0.0.1:" + port + "/"), fake().specs()));
        assertTrue(e.getMessage().contains("are you offline?") && e.getMessage().contains("apt-get install"),
                e.getMessage());
    }
}

package org.backprop.data;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.backprop.tensor.Tensor;

/**
 * The Fashion-MNIST data set (Xiao, Rasul and Vollgraf, 2017): 60,000 training and 10,000 test
 * images of 28×28 grey pixels in 10 classes, read from the four IDX files the authors publish.
 *
 * <p>Each file is looked up, in order, in the folder given by the user ({@code --data DIR}), in
 * {@value #SYSTEM_DIR} (Debian's {@code dataset-fashion-mnist} package), and in the user cache
 * {@code ~/.cache/backprop/fashion-mnist}; a file found nowhere is downloaded from {@value #SOURCE}
 * into the cache. Each file may be gzipped ({@code name.gz}) or plain ({@code name}).
 *
 * <p>Every file is verified before use: either the file matches the MD5 the authors publish for
 * the {@code .gz}, or its decompressed content matches the MD5 of the uncompressed IDX data.
 * The second check is needed because Debian's package re-gzipped the files (without the original
 * name in the gzip header), so their {@code .gz} checksums differ while the data is identical.
 */
public final class FashionMnist {
    /** Folder where Debian's {@code dataset-fashion-mnist} package installs the files. */
    public static final String SYSTEM_DIR = "/usr/share/datasets/fashion-mnist";
    /** The authors' download address (see github.com/zalandoresearch/fashion-mnist). */
    public static final String SOURCE = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

    /** Pixels in one image. */
    public static final int PIXELS = 28 * 28;
    /** Number of classes (T-shirt/top, Trouser, Pullover, Dress, Coat, Sandal, Shirt, Sneaker, Bag, Ankle boot). */
    public static final int CLASSES = 10;

    /**
     * One file of the data set and its checksums.
     *
     * @param name   the IDX file name without {@code .gz}
     * @param gzMd5  the published MD5 of {@code name.gz}
     * @param rawMd5 the MD5 of the uncompressed IDX content
     */
    record FileSpec(String name, int magic, String gzMd5, String rawMd5) {}

    static final FileSpec TRAIN_IMAGES = new FileSpec("train-images-idx3-ubyte", Idx.IMAGES,
            "8d4fb7e6c68d591d4c3dfef9ec88bf0d", "f4a8712d7a061bf5bd6d2ca38dc4d50a");
    static final FileSpec TRAIN_LABELS = new FileSpec("train-labels-idx1-ubyte", Idx.LABELS,
            "25c81989df183df01b3e8a0aad5dffbe", "9018921c3c673c538a1fc5bad174d6f9");
    static final FileSpec TEST_IMAGES = new FileSpec("t10k-images-idx3-ubyte", Idx.IMAGES,
            "bef4ecab320f06d8554ea6380940ec79", "8181f5470baa50b63fa0f6fddb340f0a");
    static final FileSpec TEST_LABELS = new FileSpec("t10k-labels-idx1-ubyte", Idx.LABELS,
            "bb300cfdad3c16e7a12a480ee83cd310", "15d484375f8d13e6eb1aabb0c3f46965");

    /**
     * One split: {@code bytes} holds the images' pixels as the files store them, [size, 784]
     * row-major, one byte each (a quarter of the memory of floats); {@code labels} holds the class
     * of each image, 0..9. As floats a pixel is scaled to [0, 1], byte / 255.
     */
    public record Split(byte[] bytes, int[] labels) {
        /** A split from pixels in [0, 1] that are bytes / 255 (as {@link #pixels()} gives them), kept as those bytes. */
        public Split(float[] pixels, int[] labels) {
            this(toBytes(pixels), labels);
        }

        private static byte[] toBytes(float[] pixels) {
            byte[] b = new byte[pixels.length];
            for (int i = 0; i < b.length; i++) {
                long v = Math.round(pixels[i] * 255.0);
                if (v < 0 || v > 255 || BytePixels.value((byte) v) != pixels[i]) {
                    throw new IllegalArgumentException("FashionMnist.Split: pixel " + i + " is " + pixels[i] + ", not a byte / 255");
                }
                b[i] = (byte) v;
            }
            return b;
        }

        public int size() {
            return labels.length;
        }

        /** The pixels scaled to [0, 1], a new [size × 784] array. */
        public float[] pixels() {
            return BytePixels.floats(bytes);
        }

        /** The pixels as a new [size, 784] float tensor. */
        public Tensor images() {
            return Tensor.wrap(pixels(), labels.length, PIXELS);
        }

        /** The pixels as [size, 784] bytes, sharing this split's array, widened to floats batch by batch. */
        public BytePixels imageBytes() {
            return new BytePixels(bytes, new int[] {labels.length, PIXELS});
        }

        /** The labels as a [size] tensor of class indices (0.0 .. 9.0). */
        public Tensor labelTensor() {
            float[] v = new float[labels.length];
            for (int i = 0; i < v.length; i++) v[i] = labels[i];
            return Tensor.wrap(v, labels.length);
        }
    }

    private final Split train;
    private final Split test;

    private FashionMnist(Split train, Split test) {
        this.train = train;
        this.test = test;
    }

    public Split train() {
        return train;
    }

    public Split test() {
        return test;
    }

    /**
     * Loads both splits, searching {@code dataDir} (may be {@code null}), then {@value #SYSTEM_DIR},
     * then the user cache, and downloading what is missing into the cache.
     *
     * @throws IOException naming the file and the problem when a file is corrupt, or saying how to
     *                     get the files when they are absent and cannot be downloaded
     */
    public static FashionMnist load(Path dataDir) throws IOException {
        List<Path> dirs = new ArrayList<>();
        if (dataDir != null) dirs.add(dataDir);
        dirs.add(Path.of(SYSTEM_DIR));
        Path cache = defaultCache();
        dirs.add(cache);
        return load(dirs, cache, URI.create(SOURCE), List.of(TRAIN_IMAGES, TRAIN_LABELS, TEST_IMAGES, TEST_LABELS));
    }

    /** The user cache folder, {@code ~/.cache/backprop/fashion-mnist}. */
    public static Path defaultCache() {
        return Path.of(System.getProperty("user.home"), ".cache", "backprop", "fashion-mnist");
    }

    /**
     * The loader behind {@link #load(Path)}, with every place and checksum given, for tests.
     *
     * @param source where to download missing files from, or {@code null} not to download
     * @param files  train images, train labels, test images, test labels
     */
    static FashionMnist load(List<Path> dirs, Path cache, URI source, List<FileSpec> files) throws IOException {
        byte[][] raw = new byte[4][];
        for (int i = 0; i < 4; i++) raw[i] = fetch(files.get(i), dirs, cache, source);
        Split train = split(files.get(0), raw[0], files.get(1), raw[1]);
        Split test = split(files.get(2), raw[2], files.get(3), raw[3]);
        return new FashionMnist(train, test);
    }

    private static Split split(FileSpec imageSpec, byte[] imageBytes, FileSpec labelSpec, byte[] labelBytes)
            throws IOException {
        Idx.Data images = Idx.parse(imageBytes, imageSpec.name(), Idx.IMAGES);
        Idx.Data labels = Idx.parse(labelBytes, labelSpec.name(), Idx.LABELS);
        int[] d = images.dims();
        if ((long) d[1] * d[2] != PIXELS) {
            throw new IOException(imageSpec.name() + ": images are " + d[1] + "×" + d[2] + ", expected 28×28");
        }
        if (labels.count() != images.count()) {
            throw new IOException(labelSpec.name() + ": " + labels.count() + " labels for " + images.count()
                    + " images in " + imageSpec.name());
        }
        int n = images.count();
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = labels.unsigned(i);
            if (y[i] >= CLASSES) {
                throw new IOException(labelSpec.name() + ": label " + i + " is " + y[i] + ", expected 0.." + (CLASSES - 1));
            }
        }
        return new Split(images.values(), y);
    }

    /** The verified bytes of one file (gzipped or plain), found in {@code dirs} or downloaded. */
    private static byte[] fetch(FileSpec spec, List<Path> dirs, Path cache, URI source) throws IOException {
        for (Path dir : dirs) {
            for (String name : List.of(spec.name() + ".gz", spec.name())) {
                Path file = dir.resolve(name);
                if (Files.isRegularFile(file)) {
                    byte[] bytes = Idx.readBytes(file);
                    verify(spec, bytes, file.toString());
                    return bytes;
                }
            }
        }
        if (source == null) throw missing(spec, dirs, "downloading is disabled");
        return download(spec, dirs, cache, source);
    }

    /** Throws unless the bytes match the published .gz checksum or the checksum of the uncompressed content. */
    static void verify(FileSpec spec, byte[] bytes, String where) throws IOException {
        String fileMd5 = md5(bytes);
        if (fileMd5.equals(spec.gzMd5()) || fileMd5.equals(spec.rawMd5())) return;
        String contentMd5 = fileMd5;
        if (Idx.isGzip(bytes)) { // digested as it is decompressed: the content (47 MB of images) is not held here
            MessageDigest md = md5();
            Idx.gunzipTo(bytes, where, new DigestOutputStream(OutputStream.nullOutputStream(), md));
            contentMd5 = HexFormat.of().formatHex(md.digest());
        }
        if (contentMd5.equals(spec.rawMd5())) return;
        throw new IOException(where + ": MD5 checksum mismatch: the file's MD5 is " + fileMd5
                + (Idx.isGzip(bytes) ? " and its decompressed content's " + contentMd5 : "") + ", expected "
                + spec.gzMd5() + " (published, .gz) or " + spec.rawMd5() + " (uncompressed content)."
                + " The file is damaged or not Fashion-MNIST: delete it and fetch it again.");
    }

    private static byte[] download(FileSpec spec, List<Path> dirs, Path cache, URI source) throws IOException {
        String name = spec.name() + ".gz";
        URI uri = source.resolve(name);
        HttpClient client = HttpClient.newBuilder()
                .connectTimeout(Duration.ofSeconds(20))
                .followRedirects(HttpClient.Redirect.NORMAL)
                .build();
        HttpRequest request = HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(5)).GET().build();
        HttpResponse<byte[]> response;
        try {
            response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        } catch (IOException e) {
            throw missing(spec, dirs, "downloading " + uri + " failed (" + e + "); are you offline?");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("Fashion-MNIST download of " + uri + " was interrupted", e);
        }
        if (response.statusCode() != 200) {
            throw missing(spec, dirs, "downloading " + uri + " gave HTTP status " + response.statusCode());
        }
        byte[] bytes = response.body();
        verify(spec, bytes, uri.toString());
        // Write beside the target and move into place, so an interrupted run never leaves half a file.
        Files.createDirectories(cache);
        Path part = Files.createTempFile(cache, name, ".part");
        try {
            Files.write(part, bytes);
            Files.move(part, cache.resolve(name), StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(part);
        }
        return bytes;
    }

    private static IOException missing(FileSpec spec, List<Path> dirs, String why) {
        return new IOException("Fashion-MNIST file " + spec.name() + ".gz was not found in " + dirs + " and " + why
                + ". To get the four files: on Debian or Ubuntu run `sudo apt-get install dataset-fashion-mnist`"
                + " (installs them in " + SYSTEM_DIR + "), or download train-images-idx3-ubyte.gz,"
                + " train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz from "
                + SOURCE + " into " + defaultCache() + " or a folder you pass with --data.");
    }

    static String md5(byte[] bytes) {
        return HexFormat.of().formatHex(md5().digest(bytes));
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is missing from this Java runtime", e);
        }
    }
}

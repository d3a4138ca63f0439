package org.backprop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.backprop.data.FashionMnist;
import org.backprop.data.Idx;

/**
 * A Fashion-MNIST split kept as the file's bytes (one per pixel, 47 MB for the training set
 * instead of 188 MB of floats), scaled to [0, 1] per batch as rows are copied out: the same
 * floats the loader makes ((b &amp; 0xff) / 255), so training sees the same bits.
 */
record Pixels(byte[] bytes, int[] labels) {
    static final int ROW = FashionMnist.PIXELS;

    /** The split's pixels back as bytes (each float is b/255 for a byte b, so the rounding is exact). */
    static Pixels of(FashionMnist.Split s) {
        float[] p = s.pixels();
        byte[] b = new byte[p.length];
        for (int i = 0; i < p.length; i++) b[i] = (byte) Math.round(p[i] * 255f);
        return new Pixels(b, s.labels());
    }

    /**
     * The training and test splits read straight from the IDX files in {@code dir} (or the system
     * folder), never as floats; through {@link FashionMnist#load} (which may download) when the
     * files are not there.
     */
    static Pixels[] load(Path dir) throws IOException {
        Path d = dir != null ? dir : Path.of(FashionMnist.SYSTEM_DIR);
        if (!Files.exists(file(d, "train-images-idx3-ubyte")) || !Files.exists(file(d, "t10k-labels-idx1-ubyte"))) {
            FashionMnist ds = FashionMnist.load(dir);
            return new Pixels[] {of(ds.train()), of(ds.test())};
        }
        return new Pixels[] {read(d, "train"), read(d, "t10k")};
    }

    private static Pixels read(Path dir, String prefix) throws IOException {
        Idx.Data images = Idx.read(file(dir, prefix + "-images-idx3-ubyte"), Idx.IMAGES);
        Idx.Data labels = Idx.read(file(dir, prefix + "-labels-idx1-ubyte"), Idx.LABELS);
        if (images.count() != labels.count() || (long) images.count() * ROW != images.values().length) {
            throw new IOException(dir + ": " + prefix + " images and labels do not match");
        }
        int[] y = new int[labels.count()];
        for (int i = 0; i < y.length; i++) y[i] = labels.unsigned(i);
        return new Pixels(images.values(), y);
    }

    private static Path file(Path dir, String name) {
        Path gz = dir.resolve(name + ".gz");
        return Files.exists(gz) ? gz : dir.resolve(name);
    }

    int size() {
        return labels.length;
    }

    /** Row {@code row} scaled into {@code out} at {@code at}. */
    void row(int row, float[] out, int at) {
        int from = row * ROW;
        for (int j = 0; j < ROW; j++) out[at + j] = (bytes[from + j] & 0xff) / 255f;
    }

    /** Rows {@code from .. from+count)} into {@code out}. */
    void rows(int from, int count, float[] out) {
        for (int r = 0; r < count; r++) row(from + r, out, r * ROW);
    }
}

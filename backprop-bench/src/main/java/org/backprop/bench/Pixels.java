package org.backprop.bench;

import java.io.IOException;
import java.nio.file.Path;
import org.backprop.data.BytePixels;
import org.backprop.data.FashionMnist;

/**
 * A Fashion-MNIST split kept as the file's bytes (one per pixel, 47 MB for the training set
 * instead of 188 MB of floats), scaled to [0, 1] per batch as rows are copied out: the same
 * floats the loader makes ((b &amp; 0xff) / 255), so training sees the same bits.
 */
record Pixels(byte[] bytes, int[] labels) {
    static final int ROW = FashionMnist.PIXELS;

    /** A split as the loader keeps it: its bytes, shared. */
    static Pixels of(FashionMnist.Split s) {
        return new Pixels(s.bytes(), s.labels());
    }

    /** The training and test splits, from {@code dir} or the usual folders ({@link FashionMnist#load}). */
    static Pixels[] load(Path dir) throws IOException {
        FashionMnist ds = FashionMnist.load(dir);
        return new Pixels[] {of(ds.train()), of(ds.test())};
    }

    int size() {
        return labels.length;
    }

    /** Row {@code row} scaled into {@code out} at {@code at}. */
    void row(int row, float[] out, int at) {
        int from = row * ROW;
        for (int j = 0; j < ROW; j++) out[at + j] = BytePixels.value(bytes[from + j]);
    }

    /** Rows {@code from .. from+count)} into {@code out}. */
    void rows(int from, int count, float[] out) {
        for (int r = 0; r < count; r++) row(from + r, out, r * ROW);
    }
}

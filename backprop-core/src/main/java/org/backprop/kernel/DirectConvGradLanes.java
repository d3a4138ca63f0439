package org.backprop.kernel;

/**
 * The weight gradient of a stride-1 convolution with output positions in the vector lanes, for
 * the layers whose output channels fill less than a vector, where {@link DirectConvGrad}'s
 * channel lanes would be mostly padding (LeNet's first layer: 6 channels in 16 lanes, 25 taps
 * in 36). dW[o, c, i, j] = Σ over output positions (y, x) of dY[o, y, x] · xpad[c, y + i, x + j].
 *
 * <p>An image is first laid out on the padded grid of {@link DirectConv}: its input zero-padded,
 * its dY rows as long as the padded rows (zeros in the columns past the output's). A block then
 * keeps channels × taps of lane sums in registers and per V grid positions loads the block's dY
 * vectors and one shifted input vector per tap, in one loop over the image (a loop per output
 * row ran LeNet's first layer, 28 positions a row, at half the rate); the grid's extra columns
 * add zeros. The lane sums are added to the caller's accumulator, [taps][out][V], and only
 * {@link #addTo} sums the lanes, in lane order: the bits depend on the shapes and the vector
 * width alone.
 */
public final class DirectConvGradLanes {
    private DirectConvGradLanes() {}

    /** The tap count rounded up to whole blocks of three: the taps a kernel block takes are 6 or 3. */
    public static int paddedTaps(int taps) {
        return (taps + 2) / 3 * 3;
    }

    /**
     * The taps of a [channels, kh, kw] kernel on the padded planes of an image of h × w padded by
     * ph, pw ({@link DirectConv#taps}), padded with copies of tap 0 up to {@link #paddedTaps}:
     * their sums are ignored.
     */
    public static int[] taps(int channels, int h, int w, int ph, int pw, int kh, int kw) {
        int wp = w + 2 * pw;
        int[] t = DirectConv.taps(channels, kh, kw, (h + 2 * ph) * wp, wp);
        return java.util.Arrays.copyOf(t, paddedTaps(t.length));
    }

    /** Floats of an accumulator: taps × out lane sums of {@link Simd#LANES} floats. */
    public static int accSize(int paddedTaps, int out) {
        return paddedTaps * out * Simd.LANES;
    }

    /** Per thread: 0 the padded input planes, 1 dY on the padded grid; reused by every call. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /**
     * acc[(t·out + o)·V + lane] += the lane's share of one image's Σ over output positions of
     * xpad[tap t at that position] · dy[dyOff + o·oh·ow + position], for t < taps.length (from
     * {@link #taps}, a multiple of 3) and o < out; x [channels, h, w] at xOff, zero-padded by ph, pw.
     * When {@code db} is not null, also db[o] += the sum of the image's dY[o], taken from the grid
     * copy while it is in L1 ({@link Vec#sum} over the grid: its extra columns are zeros).
     */
    public static void accumulate(float[] x, int xOff, int channels, int h, int w, int ph, int pw, int kh, int kw,
                                  int[] taps, float[] dy, int dyOff, int out, float[] acc, double[] db) {
        int oh = h + 2 * ph - kh + 1, ow = w + 2 * pw - kw + 1, wp = w + 2 * pw, v = Simd.LANES;
        int plane = (h + 2 * ph) * wp, grid = (oh * wp + v - 1) / v * v, srcSize = channels * plane + kw + v;
        float[][] s = SCRATCH.get();
        if (s[0].length < srcSize) s[0] = new float[srcSize];
        if (s[1].length < out * grid) s[1] = new float[out * grid];
        float[] src = s[0], g = s[1];
        // all zeros but the data, rewritten each image: the buffers are shared by every shape
        java.util.Arrays.fill(src, 0, srcSize, 0f);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) System.arraycopy(x, xOff + (c * h + y) * w, src, c * plane + (y + ph) * wp + pw, w);
        }
        for (int o = 0; o < out; o++) {
            for (int y = 0; y < oh; y++) {
                int r = o * grid + y * wp;
                System.arraycopy(dy, dyOff + (o * oh + y) * ow, g, r, ow);
                java.util.Arrays.fill(g, r + ow, r + wp, 0f);
            }
            java.util.Arrays.fill(g, o * grid + oh * wp, (o + 1) * grid, 0f);
            if (db != null) db[o] += Vec.sum(g, o * grid, grid);
        }
        if (Simd.VECTOR) {
            DirectConvGradLanesVector.accumulate(src, 0, taps, grid, g, out, acc);
            return;
        }
        for (int t = 0; t < taps.length; t++) {
            for (int o = 0; o < out; o++) {
                float sum = 0f;
                for (int q = 0; q < grid; q++) sum = Math.fma(src[taps[t] + q], g[o * grid + q], sum);
                acc[t * out + o] += sum;
            }
        }
    }

    /** dw[o·kk + t] += the lane sum of acc's (t, o), lanes in order, for the kk real taps. */
    public static void addTo(float[] acc, int kk, int out, float[] dw) {
        int v = Simd.LANES;
        for (int t = 0; t < kk; t++) {
            for (int o = 0; o < out; o++) {
                float s = 0f;
                for (int l = 0, a = (t * out + o) * v; l < v; l++) s += acc[a + l];
                dw[o * kk + t] += s;
            }
        }
    }
}

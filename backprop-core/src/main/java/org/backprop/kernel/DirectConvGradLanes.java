package org.backprop.kernel;

/**
 * The weight gradient of a stride-1 convolution with output positions in the vector lanes, for
 * the layers where {@link DirectConvGrad}'s channel lanes fit badly: one input channel (9 or 25
 * taps, which its 12-tap blocks pad to 12 or 36) or fewer output channels than half a vector
 * (LeNet's 6 in 16 lanes). dW[o, c, i, j] = Σ over output positions (y, x) of dY[o, y, x] ·
 * xpad[c, y + i, x + j].
 *
 * <p>An image's input is first padded into planes whose rows are {@link #rowLength} (the output
 * width in whole vectors) plus the kernel width long, zeros past the padding. A block then keeps
 * channels × taps of lane sums in registers and per V positions of an output row loads the
 * block's dY vectors, in place but for the row's last, partial vector (copied, zero-padded), and
 * one shifted input vector per tap: the lanes past a row add zeros. The lane sums are added to the
 * caller's accumulator, [taps][out][V], and only {@link #addTo} sums the lanes, in lane order: the
 * bits depend on the shapes and the vector width alone.
 */
public final class DirectConvGradLanes {
    private DirectConvGradLanes() {}

    /** The tap count rounded up to whole blocks of three: the taps a kernel block takes are 6 or 3. */
    public static int paddedTaps(int taps) {
        return (taps + 2) / 3 * 3;
    }

    /** Floats of a laid-out dY row: the output width rounded up to whole vectors. */
    public static int rowLength(int ow) {
        int v = Simd.LANES;
        return (ow + v - 1) / v * v;
    }

    /**
     * The taps of a [channels, kh, kw] kernel on the laid-out input planes of an image of h × w
     * padded by ph, pw ({@link #accumulate}), padded with copies of tap 0 up to {@link #paddedTaps}:
     * their sums are ignored.
     */
    public static int[] taps(int channels, int h, int w, int ph, int pw, int kh, int kw) {
        int ws = rowLength(w + 2 * pw - kw + 1) + kw - 1;
        int[] t = DirectConv.taps(channels, kh, kw, (h + 2 * ph) * ws, ws);
        return java.util.Arrays.copyOf(t, paddedTaps(t.length));
    }

    /** Floats of an accumulator: taps × out lane sums of {@link Simd#LANES} floats. */
    public static int accSize(int paddedTaps, int out) {
        return paddedTaps * out * Simd.LANES;
    }

    /** Per thread: 0 the laid-out input planes, 1 the laid-out dY; reused by every call. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][0]);

    /**
     * acc[(t·out + o)·V + lane] += the lane's share of one image's Σ over output positions of
     * xpad[tap t at that position] · dy[dyOff + o·oh·ow + position], for t < taps.length (from
     * {@link #taps}, a multiple of 3) and o < out; x [channels, h, w] at xOff, zero-padded by ph, pw.
     */
    public static void accumulate(float[] x, int xOff, int channels, int h, int w, int ph, int pw, int kh, int kw,
                                  int[] taps, float[] dy, int dyOff, int out, float[] acc) {
        int oh = h + 2 * ph - kh + 1, ow = w + 2 * pw - kw + 1, owV = rowLength(ow), ws = owV + kw - 1;
        int rows = h + 2 * ph, plane = rows * ws;
        float[][] s = SCRATCH.get();
        if (s[0].length < channels * plane) s[0] = new float[channels * plane];
        float[] src = s[0];
        // zeros where no data lands are rewritten each image: the buffer is shared by every shape
        java.util.Arrays.fill(src, 0, channels * plane, 0f);
        for (int c = 0; c < channels; c++) {
            for (int y = 0; y < h; y++) System.arraycopy(x, xOff + (c * h + y) * w, src, c * plane + (y + ph) * ws + pw, w);
        }
        if (Simd.VECTOR) {
            // dY is read in place but for each row's last, partial vector, copied zero-padded
            int v = Simd.LANES, full = ow / v * v;
            if (s[1].length < out * oh * v) s[1] = new float[out * oh * v];
            float[] tl = s[1];
            if (full < ow) {
                for (int r = 0; r < out * oh; r++) {
                    System.arraycopy(dy, dyOff + r * ow + full, tl, r * v, ow - full);
                    java.util.Arrays.fill(tl, r * v + ow - full, (r + 1) * v, 0f);
                }
            }
            DirectConvGradLanesVector.accumulate(src, 0, taps, ws, oh, owV, ow, full, dy, dyOff, tl, out, acc);
            return;
        }
        for (int t = 0; t < taps.length; t++) {
            for (int o = 0; o < out; o++) {
                float sum = 0f;
                for (int y = 0; y < oh; y++) {
                    int xs = taps[t] + y * ws, dr = dyOff + (o * oh + y) * ow;
                    for (int q = 0; q < ow; q++) sum = Math.fma(src[xs + q], dy[dr + q], sum);
                }
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

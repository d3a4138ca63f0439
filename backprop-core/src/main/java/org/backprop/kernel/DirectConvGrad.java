package org.backprop.kernel;

/**
 * The weight gradient of a stride-1 convolution without im2col, on the padded planes of
 * {@link DirectConv}: dW[o, t] = Σ over output positions (y, x) of dY[o, y, x] · src[tap t + y·Wp + x],
 * a product with a tiny result (out × C·kh·kw) and a long reduction (the batch's pixels).
 *
 * <p>The output gradient of an image is first transposed into panels of V channels,
 * [out/V, OH·OW, V] ({@link #transpose}), so that at each output position a panel's channels are
 * one vector. The kernel keeps a block of taps × channel vectors of dW in registers and per
 * position loads the block's dY vectors and broadcasts one padded-input value per tap: the GEMM
 * micro-kernel's shape, its A read in place from the padded planes. No horizontal sums, no
 * columns, and only real positions (the padded grid's extra columns are skipped row by row). A
 * first direct form, a dot product of a dY row with a shifted plane at a time, was no faster than
 * im2col + GEMM: two loads per multiply-add and a horizontal sum per weight.
 *
 * <p>Bits: a block's sum over a pass of position rows is taken in registers in position order and
 * then added to the caller's accumulator; the passes are cut by the shapes alone, and the caller
 * adds images in a fixed order, so no thread split enters the sums.
 */
public final class DirectConvGrad {
    private DirectConvGrad() {}

    /** Taps a kernel block takes at most; tap lists are padded to a multiple of this ({@link #paddedTaps}). */
    public static final int TAP_BLOCK = 12;

    /** The tap count rounded up to whole blocks: the rows of an accumulator. */
    public static int paddedTaps(int taps) {
        return (taps + TAP_BLOCK - 1) / TAP_BLOCK * TAP_BLOCK;
    }

    /** Floats per accumulator row: the output channels rounded up to whole vectors. */
    public static int accWidth(int out) {
        int v = Simd.LANES;
        return (out + v - 1) / v * v;
    }

    /**
     * {@link DirectConv#taps} padded with copies of tap 0 up to {@link #paddedTaps}: the extra
     * rows of the accumulator are computed from real data and ignored.
     */
    public static int[] taps(int channels, int kh, int kw, int plane, int wp) {
        int[] t = DirectConv.taps(channels, kh, kw, plane, wp);
        return java.util.Arrays.copyOf(t, paddedTaps(t.length));
    }

    /** Floats of a transposed output gradient ({@link #transpose}): the channels in whole panels of V. */
    public static int transposedSize(int out, int positions) {
        return accWidth(out) * positions;
    }

    /**
     * An image's output gradient dy[out, positions] transposed into panels of V = {@link Simd#LANES}
     * channels: dyT[(o/V·positions + q)·V + o%V] = dy[dyOff + o·positions + q]. The lanes of the
     * last panel past {@code out} are left as they are (their sums are ignored).
     */
    public static void transpose(float[] dy, int dyOff, int out, int positions, float[] dyT) {
        int v = Simd.LANES;
        // a panel is its V channels' [V, positions] block transposed to [positions, V]; o·positions = (o/V)·positions·V
        for (int o = 0; o < out; o += v) {
            Transpose.scaled(dy, dyOff + o * positions, positions, Math.min(v, out - o), positions, 1f, dyT, o * positions, v);
        }
    }

    /**
     * acc[t·ld + o] += Σ_{y < oh, x < ow} src[srcOff + taps[t] + y·wp + x] · dY[o, y·ow + x] for
     * t < taps.length (a multiple of {@link #TAP_BLOCK}) and o < ld = {@link #accWidth}(out), dY
     * as {@link #transpose}d; the columns o ≥ out hold sums of other data, to be ignored.
     */
    public static void accumulate(float[] src, int srcOff, int[] taps, int wp, int oh, int ow,
                                  float[] dyT, int out, float[] acc) {
        int ld = accWidth(out), v = Simd.LANES, positions = oh * ow;
        // rows of positions per pass: the pass's dY (rows·ow·ld floats) stays in L1 while every tap block reads it
        int rows = Math.max(1, Math.min(oh, ROW_FLOATS / Math.max(1, ow * ld)));
        for (int y0 = 0; y0 < oh; y0 += rows) {
            int y1 = Math.min(oh, y0 + rows);
            if (Simd.VECTOR) {
                DirectConvGradVector.accumulate(src, srcOff, taps, wp, y0, y1, ow, dyT, positions, ld / v, acc, ld);
                continue;
            }
            for (int t = 0; t < taps.length; t++) {
                for (int o = 0; o < out; o++) {
                    float s = 0f;
                    for (int y = y0; y < y1; y++) {
                        int xs = srcOff + taps[t] + y * wp, d = y * ow;
                        for (int x = 0; x < ow; x++) s = Math.fma(src[xs + x], dyT[o * positions + d + x], s);
                    }
                    acc[t * ld + o] += s;
                }
            }
        }
    }

    /**
     * dY floats per pass of {@link #accumulate}: 32 KB, within a 48 KB L1 with the tap rows. Against
     * 16 and 64 KB, interleaved on the spoken-digit CNN's layers: 3–5% faster, within the noise's reach.
     */
    private static final int ROW_FLOATS = 8192;
}

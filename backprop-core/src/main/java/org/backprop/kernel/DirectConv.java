package org.backprop.kernel;

import org.backprop.shape.Window2d;

/**
 * Stride-1 convolution without im2col, for the layers with few channels where the lowered
 * product's K (C·kh·kw: 9 for a first 3×3 layer, 25 for LeNet's 5×5) is too short for a packed
 * GEMM and the columns, kh·kw times the input, cost more to build than the product to run.
 *
 * <p>The image is copied once into a zero-padded plane per channel, rows {@code pw} wider on each
 * side. On that padded grid a window tap (c, i, j) is a plain shift: output position
 * q = y·Wp + x reads src[c·plane + i·Wp + j + q], so out[o, q] = Σ w[o, c, i, j]·src[tap + q] is a
 * product whose B rows are views of the padded planes at fixed offsets ({@link #correlate}).
 * The grid is Wp wide while the output is OW wide: the Wp − OW columns of each grid row are
 * computed and dropped, a few per cent for the spoken-digit CNN's 100-, 50- and 25-wide rows.
 *
 * <p>The input gradient is the same correlation of the output gradient, padded by k − 1 − p, with
 * the kernel flipped and in and out swapped ({@link #packFlipped}); so both passes share the
 * kernel. Each output value is a sum over the taps in one fixed order, whichever block or thread
 * computes it: the bits do not depend on the thread split.
 */
public final class DirectConv {
    private DirectConv() {}

    /** Output rows (channels) a block of the kernel computes; the packed weights come in groups of this many. */
    public static final int ROWS = 8;

    /** Whether {@link DirectConv} can run this window: stride 1, no dilation, and padding below the kernel. */
    public static boolean supports(Window2d win) {
        return win.sh() == 1 && win.sw() == 1 && win.dh() == 1 && win.dw() == 1
                && win.ph() < win.kh() && win.pw() < win.kw();
    }

    /** The grid's length rounded up to whole vectors: the kernel computes (and the caller must hold) that many. */
    public static int gridStride(int grid) {
        int v = Simd.LANES;
        return (grid + v - 1) / v * v;
    }

    /** Floats past a padded image the kernel may read (the rounded grid's last vector and the widest tap). */
    public static int slack(Window2d win) {
        return win.kw() + 2 * Simd.LANES;
    }

    /**
     * Output channels a block of {@link #correlateRows} computes; its packed weights come in groups
     * of this many (LeNet's six first-layer channels and six input channels of the second fill one).
     */
    public static final int ROW_GROUP = 6;

    /**
     * Packs w[m, kk] (row-major) for {@link #correlate}: groups of {@link #ROWS} rows, tap-major
     * inside a group, rows past m zero. Returns ⌈m/ROWS⌉·kk·ROWS floats.
     */
    public static float[] packRows(float[] w, int wOff, int m, int kk) {
        return packRows(w, wOff, m, kk, ROWS);
    }

    /** {@link #packRows(float[], int, int, int)} in groups of {@code group} rows ({@link #ROW_GROUP} for {@link #correlateRows}). */
    public static float[] packRows(float[] w, int wOff, int m, int kk, int group) {
        int groups = (m + group - 1) / group;
        float[] p = new float[groups * kk * group];
        for (int r = 0; r < m; r++) {
            int g = r / group, lane = r % group;
            for (int t = 0; t < kk; t++) p[(g * kk + t) * group + lane] = w[wOff + r * kk + t];
        }
        return p;
    }

    /**
     * Packs the weight w[out, in, kh, kw] for the input gradient: rows are the input channels,
     * taps (o, i, j) read w[o, c, kh−1−i, kw−1−j] (the kernel turned half a turn).
     */
    public static float[] packFlipped(float[] w, int wOff, int out, int in, int kh, int kw) {
        return packFlipped(w, wOff, out, in, kh, kw, ROWS);
    }

    /** {@link #packFlipped(float[], int, int, int, int, int)} in groups of {@code group} rows. */
    public static float[] packFlipped(float[] w, int wOff, int out, int in, int kh, int kw, int group) {
        int kk = out * kh * kw, groups = (in + group - 1) / group;
        float[] p = new float[groups * kk * group];
        for (int c = 0; c < in; c++) {
            int g = c / group, lane = c % group;
            for (int o = 0; o < out; o++) {
                for (int i = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++) {
                        int t = (o * kh + i) * kw + j;
                        p[(g * kk + t) * group + lane] = w[wOff + ((o * in + c) * kh + (kh - 1 - i)) * kw + (kw - 1 - j)];
                    }
                }
            }
        }
        return p;
    }

    /** The offset of each tap (c, i, j) in a padded image of {@code channels} planes of {@code plane} floats, rows {@code wp} wide. */
    public static int[] taps(int channels, int kh, int kw, int plane, int wp) {
        int[] t = new int[channels * kh * kw];
        for (int c = 0; c < channels; c++) {
            for (int i = 0; i < kh; i++) {
                for (int j = 0; j < kw; j++) t[(c * kh + i) * kw + j] = c * plane + i * wp + j;
            }
        }
        return t;
    }

    /**
     * Copies image x[channels, h, w] into dst as planes of (h + 2·padH) × (w + 2·padW), the
     * border zero, plane after plane from dst[dstOff], then {@code slack} zeros.
     */
    public static void pad(float[] x, int xOff, int channels, int h, int w, int padH, int padW, float[] dst, int dstOff, int slack) {
        int wp = w + 2 * padW, plane = (h + 2 * padH) * wp;
        // only the border is cleared: filling the whole buffer first was a tenth of a forward pass
        for (int c = 0; c < channels; c++) {
            int p = dstOff + c * plane;
            java.util.Arrays.fill(dst, p, p + padH * wp + padW, 0f); // the rows above and the first row's left cells
            for (int y = 0; y < h; y++) {
                int row = p + (y + padH) * wp + padW;
                System.arraycopy(x, xOff + (c * h + y) * w, dst, row, w);
                // this row's right cells and the next row's left ones, or the rows below after the last
                int to = y == h - 1 ? p + plane : row + w + 2 * padW;
                for (int i = row + w; i < to; i++) dst[i] = 0f;
            }
        }
        java.util.Arrays.fill(dst, dstOff + channels * plane, dstOff + channels * plane + slack, 0f);
    }

    /**
     * dst[r·ldDst + q] = Σ_t packed[g, t, r] · src[srcOff + taps[t] + q] for rows r < m and grid
     * positions q < {@link #gridStride}(grid): the correlation on a padded grid (class comment).
     * The sum runs over t in order, one multiply-add a tap, the same in every lane and block.
     */
    public static void correlate(int m, float[] packed, int[] taps, float[] src, int srcOff, int grid,
                                 float[] dst, int dstOff, int ldDst) {
        int n = gridStride(grid);
        if (Simd.VECTOR) {
            DirectConvVector.correlate(m, packed, taps, src, srcOff, n, dst, dstOff, ldDst);
            return;
        }
        int kk = taps.length;
        for (int r = 0; r < m; r++) {
            int g = r / ROWS, lane = r % ROWS, row = dstOff + r * ldDst;
            for (int q = 0; q < n; q++) {
                float s = 0f;
                for (int t = 0; t < kk; t++) s = Math.fma(packed[(g * kk + t) * ROWS + lane], src[srcOff + taps[t] + q], s);
                dst[row + q] = s;
            }
        }
    }

    /**
     * The valid columns of a grid back into an image: out[outOff + (c·rows + y)·cols + x] =
     * grid[c·ld + y·wp + x] (+ bias[c] when bias is not null) for x < cols. Vectorised: a plain
     * loop here ran at a float a nanosecond (C2 did not vectorise it), as long as the product.
     */
    public static void unpad(float[] grid, int ld, int channels, int rows, int wp, int cols, float[] bias,
                             float[] out, int outOff) {
        if (Simd.VECTOR) {
            DirectConvVector.unpad(grid, ld, channels, rows, wp, cols, bias, out, outOff);
            return;
        }
        for (int c = 0; c < channels; c++) {
            float b = bias == null ? 0f : bias[c];
            for (int y = 0; y < rows; y++) {
                int src = c * ld + y * wp, dst = outOff + (c * rows + y) * cols;
                if (bias == null) {
                    System.arraycopy(grid, src, out, dst, cols);
                } else {
                    for (int x = 0; x < cols; x++) out[dst + x] = grid[src + x] + b;
                }
            }
        }
    }

    /**
     * The same correlation as {@link #correlate} + {@link #unpad}, by output rows: each output row
     * is whole vectors of its own ({@code ow} positions, the last vector's lanes past it computed and
     * not stored), so that the kernel rows falling on the source's zero rows above and below the
     * image can be left out of that row's sum. For each image k in [0, images), output channel
     * r &lt; m, row y &lt; oh and column x &lt; ow:
     * <pre>
     * out[outOff + k·outImage + (r·oh + y)·ow + x] = Σ_{c, i ∈ [lo(y), hi(y)), j} packed[r, (c, i, j)] · src[srcOff + k·srcImage + c·plane + (y + i)·wp + x + j] (+ bias[r])
     * </pre>
     * with lo(y) = max(0, padTop − y), hi(y) = min(kh, padTop + rows − y): the kernel rows that land
     * on the {@code rows} real rows of each source plane, which start {@code padTop} rows down. The
     * taps are {@link #taps}(channels, kh, kw, plane, wp) and the weights {@link #packRows} or
     * {@link #packFlipped} in groups of {@link #ROW_GROUP}. The left-out taps multiply zeros, and
     * the rest run in the same order with the same multiply-adds as {@link #correlate}'s, so the
     * values are {@link #correlate}'s bit for bit (a sum that starts at +0 is never made −0 by
     * adding a zero product). Each source image must be followed by {@link #slack} floats: the
     * lanes past a row read on into the next row or image. Nothing outside the outputs is written.
     * On LeNet-5's second layer the input gradient pads its 10×10 output gradient by 4: the grid
     * computed 400 taps on 256 positions for 196 outputs, 29% of them real; by rows 47% of the work.
     */
    public static void correlateRows(int m, float[] packed, int[] taps, int channels, int kh, int kw,
                                     float[] src, int srcOff, int srcImage, int images, int padTop, int rows, int wp,
                                     int oh, int ow, float[] bias, float[] out, int outOff, int outImage) {
        if (Simd.VECTOR) {
            DirectConvRowsVector.correlateRows(m, packed, taps, channels, kh, kw, src, srcOff, srcImage, images, padTop, rows,
                    wp, oh, ow, bias, out, outOff, outImage);
            return;
        }
        int kk = channels * kh * kw, g = ROW_GROUP;
        for (int k = 0; k < images; k++) {
            for (int r = 0; r < m; r++) {
                int wr = (r / g) * kk * g + r % g;
                for (int y = 0; y < oh; y++) {
                    int lo = Math.max(0, padTop - y), hi = Math.min(kh, padTop + rows - y);
                    for (int x = 0; x < ow; x++) {
                        int q = srcOff + k * srcImage + y * wp + x;
                        float s = 0f;
                        for (int c = 0; c < channels; c++) {
                            for (int t = (c * kh + lo) * kw, end = (c * kh + hi) * kw; t < end; t++) {
                                s = Math.fma(packed[wr + t * g], src[q + taps[t]], s);
                            }
                        }
                        out[outOff + k * outImage + (r * oh + y) * ow + x] = bias == null ? s : s + bias[r];
                    }
                }
            }
        }
    }

    /** Images {@link #correlateRows} should be given at a time: enough rows to fill its blocks of vectors. */
    public static int rowImages(int ow) {
        if (!Simd.VECTOR) return 1;
        int nv = (ow + Simd.LANES - 1) / Simd.LANES;
        return Math.max(1, DirectConvRowsVector.ROW_VECTORS / nv);
    }

    /**
     * Whether {@link #correlateRows} does less work than {@link #correlate} on this shape: m output
     * channels from {@code rows} × (wp − kw + 1) source rows padded by {@code padTop} rows above
     * (and below, to give oh output rows), counting the multiply-adds of whole vectors and blocks,
     * padding included. Scalar, always (it only leaves work out); with vectors, where the grid's
     * padding outweighs the rows' partial vectors: LeNet-5's input gradient of its second layer
     * and forward pass of its first (five-wide kernels on 10- and 28-wide images), not the
     * spoken-digit CNN's 3×3 layers on rows of 100 and 50. Not with AVX2's 16 registers, which
     * hold no block of the row path.
     */
    public static boolean rowsCheaper(int m, int kh, int kw, int padTop, int rows, int wp, int oh, int ow) {
        if (!Simd.VECTOR) return true;
        if (!DirectConvVector.WIDE) return false;
        int v = Simd.LANES, nv = (ow + v - 1) / v, images = rowImages(ow), per = DirectConvRowsVector.ROW_VECTORS;
        long blockVectors = (long) (images * nv + per - 1) / per * per; // the row's vectors of `images` images, in whole blocks
        long kernelRows = 0;
        for (int y = 0; y < oh; y++) kernelRows += Math.min(kh, padTop + rows - y) - Math.max(0, padTop - y);
        long byRows = blockVectors * v * kernelRows * ((m + ROW_GROUP - 1) / ROW_GROUP * ROW_GROUP);
        long byGrid = (long) gridStride(oh * wp) * kh * ((m + ROWS - 1) / ROWS * ROWS) * images;
        return byRows < byGrid;
    }
}

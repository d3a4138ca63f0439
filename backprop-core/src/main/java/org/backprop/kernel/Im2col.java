package org.backprop.kernel;

import org.backprop.shape.Window2d;

/**
 * Lowers a convolution onto a matrix product. {@code im2col} copies every window of one image
 * into a column: for an image [C, H, W] and a {@link Window2d}, column {@code oy·OW + ox} of the
 * matrix [C·kh·kw, OH·OW] holds the window whose output position is (oy, ox), row
 * {@code (c·kh + i)·kw + j} holding x[c, oy·sh − ph + i·dh, ox·sw − pw + j·dw] (0 in the padding).
 * The convolution is then W[out, C·kh·kw] · cols. {@code col2im} is its adjoint: it adds each
 * column entry back onto the pixel it was copied from, which is what the input gradient needs.
 *
 * <p>Both take a leading dimension for the column matrix, so the columns of a whole batch can sit
 * side by side in one matrix [C·kh·kw, N·OH·OW] and one product serves every image.
 */
public final class Im2col {
    private Im2col() {}

    /**
     * Writes the columns of image {@code x[xOff ..]} (shape [channels, h, w]) into
     * {@code cols[colOff + row·ldCols + oy·OW + ox]}, every entry (padding as 0).
     */
    public static void im2col(float[] x, int xOff, int channels, int h, int w, Window2d win,
                              float[] cols, int colOff, int ldCols) {
        if (keepsSize(win)) {
            sameIm2col(x, xOff, channels, h, w, win, cols, colOff, ldCols);
            return;
        }
        int oh = win.outHeight(h), ow = win.outWidth(w);
        // Narrow rows (LeNet's second layer: 10 of 14 pixels) copy each run of ow pixels as one
        // whole vector instead of a System.arraycopy call of 10 floats; the lanes past ow land on
        // the next output row's cells, which are written after (so only where a whole vector
        // still ends inside this image's part of the column row).
        boolean vectorRuns = Simd.VECTOR && win.sw() == 1 && ow <= Simd.LANES;
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                for (int j = 0; j < win.kw(); j++, row++) {
                    int xShift = j * win.dw() - win.pw();
                    int lo = firstInside(xShift, win.sw()), hi = lastInside(xShift, w, win.sw(), ow);
                    int dst = colOff + row * ldCols, end = dst + oh * ow;
                    boolean wholeRuns = vectorRuns && lo == 0 && hi == ow - 1;
                    for (int oy = 0; oy < oh; oy++, dst += ow) {
                        int iy = oy * win.sh() - win.ph() + i * win.dh();
                        if (iy < 0 || iy >= h || lo > hi) {
                            zero(cols, dst, dst + ow);
                            continue;
                        }
                        int run = plane + iy * w + xShift;
                        if (wholeRuns && dst + Simd.LANES <= end && run + Simd.LANES <= x.length) {
                            Im2colVector.copy(x, run, cols, dst);
                            continue;
                        }
                        zero(cols, dst, dst + lo); // left padding: a cell or two, cheaper than Arrays.fill's call
                        if (win.sw() == 1) {
                            System.arraycopy(x, run + lo, cols, dst + lo, hi - lo + 1);
                        } else {
                            for (int ox = lo; ox <= hi; ox++) cols[dst + ox] = x[run + ox * win.sw()];
                        }
                        zero(cols, dst + hi + 1, dst + ow);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds {@code cols[colOff + row·ldCols + oy·OW + ox]} onto the
     * pixel of {@code dx[dxOff ..]} (shape [channels, h, w]) it came from; padding entries are
     * dropped, and may be set to 0 in {@code cols} on the way (it is scratch to the caller).
     */
    public static void col2im(float[] cols, int colOff, int ldCols, int channels, int h, int w, Window2d win,
                              float[] dx, int dxOff) {
        if (keepsSize(win)) {
            sameCol2im(cols, colOff, ldCols, channels, h, w, win, dx, dxOff);
            return;
        }
        if (win.sw() == 1 && win.dw() == 1 && Simd.VECTOR && w <= Simd.LANES) {
            Im2colVector.narrowCol2im(cols, colOff, ldCols, channels, h, w, win, dx, dxOff);
            return;
        }
        int oh = win.outHeight(h), ow = win.outWidth(w);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = dxOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                for (int j = 0; j < win.kw(); j++, row++) {
                    int xShift = j * win.dw() - win.pw();
                    int lo = firstInside(xShift, win.sw()), hi = lastInside(xShift, w, win.sw(), ow);
                    if (lo > hi) continue;
                    int srcRow = colOff + row * ldCols;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * win.sh() - win.ph() + i * win.dh();
                        if (iy < 0 || iy >= h) continue;
                        int src = srcRow + oy * ow;
                        int dst = plane + iy * w + xShift;
                        if (win.sw() == 1) { // unit stride: a loop C2 vectorises
                            for (int ox = lo; ox <= hi; ox++) dx[dst + ox] += cols[src + ox];
                        } else {
                            for (int ox = lo; ox <= hi; ox++) dx[dst + ox * win.sw()] += cols[src + ox];
                        }
                    }
                }
            }
        }
    }

    // ------------------------------------------------------------------ size-keeping windows

    /**
     * Stride 1, no dilation, padding (k − 1)/2 on an odd kernel: the output has the input's size,
     * so a column row (c, i, j) is the channel's plane shifted by (i − ph, j − pw). It is copied as
     * one flat run over all its valid image rows, instead of one short copy per image row (14 or
     * 7 floats in a small CNN, too short for a vector loop); the cells that the flat run wraps
     * across a row edge lie in the padding and are then set to 0.
     */
    private static boolean keepsSize(Window2d win) {
        return win.sh() == 1 && win.sw() == 1 && win.dh() == 1 && win.dw() == 1
                && 2 * win.ph() == win.kh() - 1 && 2 * win.pw() == win.kw() - 1;
    }

    private static void sameIm2col(float[] x, int xOff, int channels, int h, int w, Window2d win,
                                   float[] cols, int colOff, int ldCols) {
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                int dy = i - win.ph(), oy0 = Math.max(0, -dy), oy1 = Math.min(h, h - dy);
                for (int j = 0; j < win.kw(); j++, row++) {
                    int dxs = j - win.pw();
                    int dst = colOff + row * ldCols;
                    zero(cols, dst, dst + Math.min(oy0, h) * w);    // rows above the image (all of them when the window misses it)
                    zero(cols, dst + Math.max(oy0, oy1) * w, dst + h * w); // rows below
                    if (oy1 <= oy0) continue;
                    int from = Math.max(0, -dxs), to = (oy1 - oy0) * w - Math.max(0, dxs);
                    int d = dst + oy0 * w, sx = plane + (oy0 + dy) * w + dxs;
                    if (to > from) System.arraycopy(x, sx + from, cols, d + from, to - from);
                    clearEdges(cols, d, oy1 - oy0, w, dxs);
                }
            }
        }
    }

    private static void sameCol2im(float[] cols, int colOff, int ldCols, int channels, int h, int w, Window2d win,
                                   float[] dx, int dxOff) {
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = dxOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                int dy = i - win.ph(), oy0 = Math.max(0, -dy), oy1 = Math.min(h, h - dy);
                for (int j = 0; j < win.kw(); j++, row++) {
                    if (oy1 <= oy0) continue;
                    int dxs = j - win.pw();
                    int s = colOff + row * ldCols + oy0 * w;
                    clearEdges(cols, s, oy1 - oy0, w, dxs); // so the flat add drops them: + 0 changes nothing
                    int from = Math.max(0, -dxs), to = (oy1 - oy0) * w - Math.max(0, dxs);
                    int d = plane + (oy0 + dy) * w + dxs;
                    if (to > from) Vec.binary(Vec.Op.ADD, dx, d + from, cols, s + from, dx, d + from, to - from);
                }
            }
        }
    }

    /** Zeroes, in each of {@code rows} rows of width w from {@code at}, the cells a shift of dxs moves off the image. */
    private static void clearEdges(float[] a, int at, int rows, int w, int dxs) {
        if (dxs == 0) return;
        int c0 = dxs < 0 ? 0 : Math.max(0, w - dxs), c1 = dxs < 0 ? Math.min(w, -dxs) : w;
        // one or two cells a row for 3×3 and 5×5 windows: stores written out, no inner loop per row
        switch (c1 - c0) {
            case 1 -> {
                for (int r = 0, q = at + c0; r < rows; r++, q += w) a[q] = 0f;
            }
            case 2 -> {
                for (int r = 0, q = at + c0; r < rows; r++, q += w) {
                    a[q] = 0f;
                    a[q + 1] = 0f;
                }
            }
            default -> {
                for (int r = 0; r < rows; r++) zero(a, at + r * w + c0, at + r * w + c1);
            }
        }
    }

    private static void zero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) a[i] = 0f;
    }

    /** The first output column ox whose input column ox·s + shift is ≥ 0. */
    static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** The last output column ox (< ow) whose input column ox·s + shift is < w; −1 if none. */
    static int lastInside(int shift, int w, int stride, int ow) {
        int room = w - 1 - shift;
        return room < 0 ? -1 : Math.min(ow - 1, room / stride);
    }
}

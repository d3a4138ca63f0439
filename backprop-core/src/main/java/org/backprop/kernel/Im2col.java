package org.backprop.kernel;

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
        int oh = win.outHeight(h), ow = win.outWidth(w);
        int row = 0;
        for (int c = 0; c < channels; c++) {
            int plane = xOff + c * h * w;
            for (int i = 0; i < win.kh(); i++) {
                for (int j = 0; j < win.kw(); j++, row++) {
                    int xShift = j * win.dw() - win.pw();
                    int lo = firstInside(xShift, win.sw()), hi = lastInside(xShift, w, win.sw(), ow);
                    int dst = colOff + row * ldCols;
                    for (int oy = 0; oy < oh; oy++, dst += ow) {
                        int iy = oy * win.sh() - win.ph() + i * win.dh();
                        if (iy < 0 || iy >= h || lo > hi) {
                            zero(cols, dst, dst + ow);
                            continue;
                        }
                        zero(cols, dst, dst + lo); // left padding: a cell or two, cheaper than Arrays.fill's call
                        int src = plane + iy * w + xShift;
                        if (win.sw() == 1) {
                            System.arraycopy(x, src + lo, cols, dst + lo, hi - lo + 1);
                        } else {
                            for (int ox = lo; ox <= hi; ox++) cols[dst + ox] = x[src + ox * win.sw()];
                        }
                        zero(cols, dst + hi + 1, dst + ow);
                    }
                }
            }
        }
    }

    /**
     * The adjoint of {@link #im2col}: adds {@code cols[colOff + row·ldCols + oy·OW + ox]} onto the
     * pixel of {@code dx[dxOff ..]} (shape [channels, h, w]) it came from; padding entries are dropped.
     */
    public static void col2im(float[] cols, int colOff, int ldCols, int channels, int h, int w, Window2d win,
                              float[] dx, int dxOff) {
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

    private static void zero(float[] a, int from, int to) {
        for (int i = from; i < to; i++) a[i] = 0f;
    }

    /** The first output column ox whose input column ox·s + shift is ≥ 0. */
    private static int firstInside(int shift, int stride) {
        return shift >= 0 ? 0 : (-shift + stride - 1) / stride;
    }

    /** The last output column ox (< ow) whose input column ox·s + shift is < w; −1 if none. */
    private static int lastInside(int shift, int w, int stride, int ow) {
        int room = w - 1 - shift;
        return room < 0 ? -1 : Math.min(ow - 1, room / stride);
    }
}

package org.backprop.shape;

/**
 * The geometry of a window sliding over the last two axes of an image, as convolutions and
 * pooling use it: kernel size, stride, zero padding and dilation, each for height and width.
 * Output size per axis: ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1, as in PyTorch (floor mode).
 *
 * @param kh kernel height (≥ 1)
 * @param kw kernel width (≥ 1)
 * @param sh stride along height (≥ 1)
 * @param sw stride along width (≥ 1)
 * @param ph zero padding above and below (≥ 0)
 * @param pw zero padding left and right (≥ 0)
 * @param dh dilation along height (≥ 1; 1 = a dense window)
 * @param dw dilation along width (≥ 1)
 */
public record Window2d(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {

    public Window2d {
        if (kh < 1 || kw < 1 || sh < 1 || sw < 1 || ph < 0 || pw < 0 || dh < 1 || dw < 1) {
            throw new IllegalArgumentException("window: kernel, stride and dilation must be ≥ 1 and padding ≥ 0, got "
                    + describe(kh, kw, sh, sw, ph, pw, dh, dw));
        }
    }

    /** A square k×k window with stride 1, no padding, no dilation. */
    public static Window2d of(int kernel) {
        return of(kernel, 1, 0);
    }

    /** A square window with the same stride and padding on both axes. */
    public static Window2d of(int kernel, int stride, int padding) {
        return of(kernel, stride, padding, 1);
    }

    /** A square window with the same stride, padding and dilation on both axes. */
    public static Window2d of(int kernel, int stride, int padding, int dilation) {
        return new Window2d(kernel, kernel, stride, stride, padding, padding, dilation, dilation);
    }

    /** Output height for an input of height {@code h} (may be ≤ 0 when the window does not fit). */
    public int outHeight(int h) {
        return Math.floorDiv(h + 2 * ph - dh * (kh - 1) - 1, sh) + 1;
    }

    /** Output width for an input of width {@code w} (may be ≤ 0 when the window does not fit). */
    public int outWidth(int w) {
        return Math.floorDiv(w + 2 * pw - dw * (kw - 1) - 1, sw) + 1;
    }

    /** Kernel extent on the input, d(k−1) + 1, along height. */
    public int spanHeight() {
        return dh * (kh - 1) + 1;
    }

    /** Kernel extent on the input, d(k−1) + 1, along width. */
    public int spanWidth() {
        return dw * (kw - 1) + 1;
    }

    @Override
    public String toString() {
        return describe(kh, kw, sh, sw, ph, pw, dh, dw);
    }

    private static String describe(int kh, int kw, int sh, int sw, int ph, int pw, int dh, int dw) {
        return "kernel=(" + kh + ", " + kw + "), stride=(" + sh + ", " + sw + "), padding=(" + ph + ", " + pw
                + "), dilation=(" + dh + ", " + dw + ")";
    }
}

package org.backprop.nn;

import org.backprop.shape.Window2d;
import org.backprop.tensor.Tensor;

/**
 * Average pooling over each channel. Input [N, C, H, W], output [N, C, OH, OW] with
 * OH = ⌊(H + 2p − k)/s⌋ + 1. As in PyTorch, padding counts as zeros in the average by default
 * (the divisor is always kh·kw); with {@code countIncludePad = false} the divisor is the number
 * of real pixels in the window. No dilation, as in PyTorch.
 */
public final class AvgPool2d extends Module {
    public final Window2d window;
    public final boolean countIncludePad;

    /** A k×k window with stride k (non-overlapping), no padding. */
    public AvgPool2d(int kernel) {
        this(Window2d.of(kernel, kernel, 0), true);
    }

    public AvgPool2d(int kernel, int stride, int padding) {
        this(Window2d.of(kernel, stride, padding), true);
    }

    public AvgPool2d(Window2d window, boolean countIncludePad) {
        checkWindow(window);
        this.window = window;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        return avgPool2d(x, window, countIncludePad);
    }

    @Override
    protected String extraRepr() {
        return window + ", countIncludePad=" + countIncludePad;
    }

    private static void checkWindow(Window2d win) {
        if (win.dh() != 1 || win.dw() != 1) {
            throw new IllegalArgumentException("AvgPool2d: dilation is not supported, got " + win);
        }
        Pooling.checkPadding("AvgPool2d", win);
    }

    /** Average pooling as a function: x [N, C, H, W] → [N, C, OH, OW]. */
    public static Tensor avgPool2d(Tensor x, Window2d win, boolean countIncludePad) {
        checkWindow(win);
        int[] xs = x.shape();
        int[] os = Pooling.outputShape("avgPool2d", xs, win);
        Tensor xc = x.contiguous();
        float[] xd = xc.array();
        int xOff = xc.offset();
        int h = xs[2], w = xs[3], oh = os[2], ow = os[3];
        int planes = xs[0] * xs[1];
        // 1/divisor per output position: the same for every plane
        float[] scale = new float[oh * ow];
        for (int oy = 0, q = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++, q++) {
                int rows = clip(oy * win.sh() - win.ph(), win.kh(), h), cols = clip(ox * win.sw() - win.pw(), win.kw(), w);
                scale[q] = 1f / (countIncludePad ? win.kh() * win.kw() : rows * cols);
            }
        }
        float[] out = new float[planes * oh * ow];
        Pooling.forPlanes(planes, out.length * win.kh() * win.kw(), p -> {
            int src = xOff + p * h * w;
            for (int oy = 0, q = 0; oy < oh; oy++) {
                int y0 = Math.max(0, oy * win.sh() - win.ph()), y1 = Math.min(h, oy * win.sh() - win.ph() + win.kh());
                for (int ox = 0; ox < ow; ox++, q++) {
                    int x0 = Math.max(0, ox * win.sw() - win.pw()), x1 = Math.min(w, ox * win.sw() - win.pw() + win.kw());
                    float s = 0;
                    for (int iy = y0; iy < y1; iy++) {
                        for (int ix = x0; ix < x1; ix++) s += xd[src + iy * w + ix];
                    }
                    out[p * oh * ow + q] = s * scale[q];
                }
            }
        });
        return Tensor.fromOperation(out, os, "avgPool2d", g -> {
            float[] gd = g.contiguous().toFloatArray();
            float[] dx = new float[planes * h * w];
            Pooling.forPlanes(planes, gd.length * win.kh() * win.kw(), p -> {
                int dst = p * h * w;
                for (int oy = 0, q = 0; oy < oh; oy++) {
                    int y0 = Math.max(0, oy * win.sh() - win.ph()), y1 = Math.min(h, oy * win.sh() - win.ph() + win.kh());
                    for (int ox = 0; ox < ow; ox++, q++) {
                        int x0 = Math.max(0, ox * win.sw() - win.pw()), x1 = Math.min(w, ox * win.sw() - win.pw() + win.kw());
                        float v = gd[p * oh * ow + q] * scale[q];
                        for (int iy = y0; iy < y1; iy++) {
                            for (int ix = x0; ix < x1; ix++) dx[dst + iy * w + ix] += v;
                        }
                    }
                }
            });
            return new Tensor[] {Tensor.wrap(dx, xs)};
        }, xc);
    }

    /** How many of the k positions from {@code start} lie inside [0, size). */
    private static int clip(int start, int k, int size) {
        return Math.min(size, start + k) - Math.max(0, start);
    }
}

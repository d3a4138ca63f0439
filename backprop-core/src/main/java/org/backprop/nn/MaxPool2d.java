package org.backprop.nn;

import org.backprop.kernel.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Max pooling over each channel. Input [N, C, H, W], output [N, C, OH, OW] with
 * OH = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 (floor mode, as PyTorch's default). Padding counts as −∞,
 * so it is never the maximum. The gradient goes to the position of each window's maximum (the
 * first one on ties), remembered from the forward pass.
 */
public final class MaxPool2d extends Module {
    public final Window2d window;

    /** A k×k window with stride k (non-overlapping), no padding. */
    public MaxPool2d(int kernel) {
        this(Window2d.of(kernel, kernel, 0));
    }

    public MaxPool2d(int kernel, int stride, int padding) {
        this(Window2d.of(kernel, stride, padding));
    }

    public MaxPool2d(Window2d window) {
        Pooling.checkPadding("MaxPool2d", window);
        this.window = window;
    }

    @Override
    public Tensor forward(Tensor x) {
        return maxPool2d(x, window);
    }

    @Override
    protected String extraRepr() {
        return window.toString();
    }

    /** Max pooling as a function: x [N, C, H, W] → [N, C, OH, OW]. */
    public static Tensor maxPool2d(Tensor x, Window2d win) {
        Pooling.checkPadding("maxPool2d", win);
        int[] xs = x.shape();
        int[] os = Pooling.outputShape("maxPool2d", xs, win);
        Tensor xc = x.contiguous();
        float[] xd = xc.array();
        int xOff = xc.offset();
        int h = xs[2], w = xs[3], oh = os[2], ow = os[3];
        int planes = xs[0] * xs[1];
        float[] out = new float[planes * oh * ow];
        int[] argmax = new int[out.length]; // [N, C, OH, OW]: index of the maximum within its input plane, −1 if none
        Pooling.forPlanes(planes, out.length * win.kh() * win.kw(), p -> {
            int src = xOff + p * h * w;
            int dst = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, dst++) {
                    float best = Float.NEGATIVE_INFINITY;
                    int at = -1;
                    for (int i = 0; i < win.kh(); i++) {
                        int iy = oy * win.sh() - win.ph() + i * win.dh();
                        if (iy < 0 || iy >= h) continue;
                        for (int j = 0; j < win.kw(); j++) {
                            int ix = ox * win.sw() - win.pw() + j * win.dw();
                            if (ix < 0 || ix >= w) continue;
                            float v = xd[src + iy * w + ix];
                            if (v > best || at < 0 || Float.isNaN(v) && !Float.isNaN(best)) { // NaN propagates
                                best = v;
                                at = iy * w + ix;
                            }
                        }
                    }
                    out[dst] = best;
                    argmax[dst] = at;
                }
            }
        });
        return Tensor.fromOperation(out, os, "maxPool2d", g -> {
            float[] gd = g.contiguous().toFloatArray();
            float[] dx = new float[planes * h * w];
            Pooling.forPlanes(planes, gd.length, p -> {
                for (int q = p * oh * ow, end = q + oh * ow; q < end; q++) {
                    if (argmax[q] >= 0) dx[p * h * w + argmax[q]] += gd[q];
                }
            });
            return new Tensor[] {Tensor.wrap(dx, xs)};
        }, xc);
    }
}

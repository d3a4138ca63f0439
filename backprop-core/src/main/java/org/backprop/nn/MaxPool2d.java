package org.backprop.nn;

import org.backprop.kernel.MaxPool2x2;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.PlaneOps;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
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
        if (tiles(win)) return tiledMaxPool(xc, xs, os, win, false);
        float[] out = new float[planes * oh * ow];
        int[] argmax = new int[out.length]; // [N, C, OH, OW]: index of the maximum within its input plane, −1 if none
        Pooling.forPlanes(planes, out.length * win.kh() * win.kw(), p -> {
            int src = xOff + p * h * w;
            int dst = p * oh * ow;
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, dst++) {
                    int at = windowArgmax(xd, src, h, w, win, oy, ox);
                    out[dst] = at < 0 ? Float.NEGATIVE_INFINITY : xd[src + at];
                    argmax[dst] = at;
                }
            }
        });
        return Tensor.fromOperation(out, os, "maxPool2d", g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            float[] dx = new float[planes * h * w];
            Pooling.forPlanes(planes, out.length, p -> {
                for (int q = p * oh * ow, end = q + oh * ow; q < end; q++) {
                    if (argmax[q] >= 0) dx[p * h * w + argmax[q]] += gd[gOff + q];
                }
            });
            return new Tensor[] {Tensor.wrap(dx, xs)};
        }, xc);
    }

    /**
     * Where the maximum of window (oy, ox) of one plane x[plane ..] ([h, w]) lies, as iy·w + ix:
     * the first largest value in row-major order, a NaN beating any number (so NaN propagates);
     * −1 when the window lies wholly in the padding. The rule of every max-pool path here, and
     * the switch gradcheck holds fixed.
     */
    public static int windowArgmax(float[] x, int plane, int h, int w, Window2d win, int oy, int ox) {
        float best = Float.NEGATIVE_INFINITY;
        int at = -1;
        for (int i = 0; i < win.kh(); i++) {
            int iy = oy * win.sh() - win.ph() + i * win.dh();
            if (iy < 0 || iy >= h) continue;
            for (int j = 0; j < win.kw(); j++) {
                int ix = ox * win.sw() - win.pw() + j * win.dw();
                if (ix < 0 || ix >= w) continue;
                float v = x[plane + iy * w + ix];
                if (v > best || at < 0 || Float.isNaN(v) && !Float.isNaN(best)) {
                    best = v;
                    at = iy * w + ix;
                }
            }
        }
        return at;
    }

    /**
     * Windows that tile the image: stride = kernel, no padding, no dilation, at most 127 cells
     * (every CNN's 2×2/2 pooling). Every window lies inside the image and no two overlap.
     */
    static boolean tiles(Window2d win) {
        return win.sh() == win.kh() && win.sw() == win.kw() && win.ph() == 0 && win.pw() == 0 && win.dh() == 1
                && win.dw() == 1 && win.kh() * win.kw() <= Byte.MAX_VALUE;
    }

    /**
     * ReLU then max pooling, as one operation when the window tiles the image: relu(maxPool(x)),
     * which equals maxPool(relu(x)) in values and gradients (ReLU keeps the order of values, and a
     * window whose maximum is ≤ 0 passes no gradient either way). The ReLU runs on each pooled
     * plane while it is in cache, with the bits of {@code x.relu()} applied to the pooled tensor.
     */
    static Tensor reluMaxPool2d(Tensor x, Window2d win) {
        if (!tiles(win)) return maxPool2d(x, win).relu();
        Pooling.checkPadding("maxPool2d", win);
        int[] xs = x.shape();
        int[] os = Pooling.outputShape("maxPool2d", xs, win);
        return tiledMaxPool(x.contiguous(), xs, os, win, true);
    }

    /**
     * Max pooling over tiling windows, with the same results as the general loop (first maximum
     * on ties, NaN wins). The position of each maximum is kept as one byte, its cell within the
     * window, a quarter of an int index's memory; the backward pass writes each gradient to that
     * cell and 0 to the window's other cells. With {@code relu} the pooled values go through ReLU.
     */
    private static Tensor tiledMaxPool(Tensor xc, int[] xs, int[] os, Window2d win, boolean relu) {
        float[] xd = xc.array();
        int xOff = xc.offset();
        int h = xs[2], w = xs[3], oh = os[2], ow = os[3], kh = win.kh(), kw = win.kw();
        int planes = xs[0] * xs[1], perPlane = oh * ow;
        float[] out = StepArena.scratch(planes * perPlane); // every element written
        byte[] cell = StepArena.bytes(out.length); // every element written
        // ReLU over a chunk of pooled planes at a time (~1,000 values, still in cache): one call per plane of 25 values cost more than the work
        int chunk = Math.max(1, 1024 / perPlane);
        Parallel.forRange(planes, Pooling.minPlanes(planes, (long) out.length * kh * kw), (part, from, to) -> {
            for (int p0 = from; p0 < to; p0 += chunk) {
                int p1 = Math.min(to, p0 + chunk);
                for (int p = p0; p < p1; p++) tiledPlane(xd, xOff + p * h * w, h, w, kh, kw, out, cell, p * perPlane);
                if (relu) PlaneOps.relu(out, p0 * perPlane, (p1 - p0) * perPlane);
            }
        });
        return Tensor.fromOperation(out, os, relu ? "reluMaxPool2d" : "maxPool2d", g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            // cells outside every window (an odd row or column) receive nothing: zero them unless there are none
            float[] dx = h % kh == 0 && w % kw == 0 ? StepArena.scratch(planes * h * w) : StepArena.floats(planes * h * w);
            Parallel.forRange(planes, Pooling.minPlanes(planes, out.length), (part, from, to) -> {
                float[] masked = relu ? threadScratch(0, chunk * perPlane) : null;
                for (int p0 = from; p0 < to; p0 += chunk) {
                    int p1 = Math.min(to, p0 + chunk);
                    if (relu) PlaneOps.reluMask(gd, gOff + p0 * perPlane, out, p0 * perPlane, masked, 0, (p1 - p0) * perPlane);
                    for (int p = p0; p < p1; p++) {
                        if (relu) tiledPlaneBackward(masked, (p - p0) * perPlane, cell, p * perPlane, h, w, kh, kw, dx, p * h * w);
                        else tiledPlaneBackward(gd, gOff + p * perPlane, cell, p * perPlane, h, w, kh, kw, dx, p * h * w);
                    }
                }
            });
            return new Tensor[] {Tensor.wrap(dx, xs)};
        }, xc);
    }

    /** Per thread: two buffers of a plane or a chunk of planes, reused by every call (here and in {@link BatchNormReluPool}). */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    /** This thread's buffer {@code slot} (0 or 1) of at least {@code n} floats; its contents are a previous call's. */
    static float[] threadScratch(int slot, int n) {
        float[][] s = SCRATCH.get();
        if (s[slot] == null || s[slot].length < n) s[slot] = new float[n];
        return s[slot];
    }

    /**
     * Pools one plane x[xo ..] ([h, w]) over tiling kh×kw windows into out[oo ..] ([h/kh, w/kw]),
     * each window's winning cell (row-major within the window) into cell[oo ..].
     */
    static void tiledPlane(float[] xd, int xo, int h, int w, int kh, int kw, float[] out, byte[] cell, int oo) {
        if (kh == 2 && kw == 2 && MaxPool2x2.available()) {
            MaxPool2x2.forward(xd, xo, h, w, out, cell, oo);
            return;
        }
        int oh = h / kh, ow = w / kw;
        for (int oy = 0, dst = oo; oy < oh; oy++) {
            int row = xo + oy * kh * w;
            if (kh == 2 && kw == 2) {
                // Selects rather than branches: on real activations which cell wins is unpredictable.
                // take = v > best, or v is the first NaN; | and & keep it one condition per cell.
                for (int ox = 0, x0 = row; ox < ow; ox++, dst++, x0 += 2) {
                    float best = xd[x0];
                    int at = 0;
                    float v = xd[x0 + 1];
                    boolean take = v > best | v != v & best == best;
                    best = take ? v : best;
                    at = take ? 1 : at;
                    v = xd[x0 + w];
                    take = v > best | v != v & best == best;
                    best = take ? v : best;
                    at = take ? 2 : at;
                    v = xd[x0 + w + 1];
                    take = v > best | v != v & best == best;
                    best = take ? v : best;
                    at = take ? 3 : at;
                    out[dst] = best;
                    cell[dst] = (byte) at;
                }
            } else {
                for (int ox = 0; ox < ow; ox++, dst++) {
                    int x0 = row + ox * kw;
                    float best = xd[x0];
                    int at = 0;
                    for (int i = 0, q = 0; i < kh; i++) {
                        for (int j = 0; j < kw; j++, q++) {
                            float v = xd[x0 + i * w + j];
                            if (v > best || v != v && best == best) { best = v; at = q; }
                        }
                    }
                    out[dst] = best;
                    cell[dst] = (byte) at;
                }
            }
        }
    }

    /**
     * {@link #tiledPlane}'s backward: g[go ..] ([h/kh, w/kw]) onto the winning cells of plane
     * dx[dxo ..] ([h, w]), 0 onto the other cells of each window; cells outside every window are
     * left alone.
     */
    static void tiledPlaneBackward(float[] g, int go, byte[] cell, int co, int h, int w, int kh, int kw, float[] dx, int dxo) {
        if (kh == 2 && kw == 2 && MaxPool2x2.available()) {
            MaxPool2x2.backward(g, go, cell, co, h, w, dx, dxo);
            return;
        }
        int oh = h / kh, ow = w / kw;
        for (int oy = 0, q = 0; oy < oh; oy++) {
            int row = dxo + oy * kh * w;
            for (int ox = 0; ox < ow; ox++, q++) {
                int x0 = row + ox * kw, at = cell[co + q];
                for (int i = 0, k = 0; i < kh; i++) {
                    for (int j = 0; j < kw; j++, k++) dx[x0 + i * w + j] = k == at ? g[go + q] : 0f;
                }
            }
        }
    }
}

package org.backprop.nn;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Im2col;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * 2-D convolution (strictly, cross-correlation, as in every framework) over NCHW images.
 * Input [N, C, H, W] with C = {@code inChannels}; output [N, out, OH, OW] with
 * OH = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 and likewise OW (see {@link Window2d}).
 * The weight is stored [out, in, kh, kw] as in PyTorch, so saved files use the same layout.
 *
 * <p>Lowered onto one matrix product per batch: the windows of every image are copied into
 * columns, cols [in·kh·kw, N·OH·OW] ({@link Im2col}), and Y = W[out, in·kh·kw] · cols. The
 * backward pass is two more products on the same matrices: dW = dY · colsᵀ and
 * dcols = Wᵀ · dY, the latter folded back onto the image by col2im. Transposes are GEMM flags.
 */
public final class Conv2d extends Module {
    public final int inChannels;
    public final int outChannels;
    public final Window2d window;
    public final Parameter weight; // [out, in, kh, kw]
    public final Parameter bias;   // [out] or null

    /** A k×k convolution with stride 1, no padding, a bias, and PyTorch's default initialisation. */
    public Conv2d(int inChannels, int outChannels, int kernel, Random rng) {
        this(inChannels, outChannels, Window2d.of(kernel), true, rng);
    }

    /** A k×k convolution with the given stride and zero padding, a bias, and PyTorch's default initialisation. */
    public Conv2d(int inChannels, int outChannels, int kernel, int stride, int padding, Random rng) {
        this(inChannels, outChannels, Window2d.of(kernel, stride, padding), true, rng);
    }

    /**
     * The general layer. Weight and bias are drawn as in PyTorch: kaiming_uniform(a = √5), i.e.
     * U(−1/√fan_in, 1/√fan_in) with fan_in = in·kh·kw, and the bias from the same range.
     */
    public Conv2d(int inChannels, int outChannels, Window2d window, boolean bias, Random rng) {
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Conv2d: channel counts must be positive, got in=" + inChannels
                    + ", out=" + outChannels);
        }
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.window = window;
        this.weight = registerParameter("weight",
                new Parameter(Tensor.zeros(outChannels, inChannels, window.kh(), window.kw())));
        Init.pytorchDefault().fill(weight.value(), rng);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(Tensor.zeros(outChannels)));
            Init.uniform(1.0 / Math.sqrt(Init.fanIn(weight.value()))).fill(this.bias.value(), rng);
        } else {
            this.bias = null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        return conv2d(x, weight.value(), bias == null ? null : bias.value(), window);
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", " + window + ", bias=" + (bias != null);
    }

    // ------------------------------------------------------------------ the operation

    /**
     * Scratch matrices per thread that never outlive one call: forward uses 0 for columns that no
     * backward will need and 1 for the product; backward uses 0 for dcols and 1 for dY.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    /** Below this many column entries im2col/col2im stay on the calling thread. */
    private static final int PARALLEL_ENTRIES = 1 << 15;

    /**
     * The convolution as a function: x [N, C, H, W], weight [out, C, kh, kw], bias [out] or
     * {@code null}; returns [N, out, OH, OW]. Differentiable in all three.
     */
    public static Tensor conv2d(Tensor x, Tensor weight, Tensor bias, Window2d win) {
        int[] ws = weight.shape();
        if (ws.length != 4 || ws[2] != win.kh() || ws[3] != win.kw()) {
            throw new IllegalArgumentException("conv2d: weight of shape " + Shape.str(ws) + " does not match [out, in, "
                    + win.kh() + ", " + win.kw() + "]");
        }
        int outC = ws[0], inC = ws[1];
        int[] xs = x.shape();
        if (xs.length != 4 || xs[1] != inC) {
            throw new IllegalArgumentException("conv2d: expected input [N, " + inC + ", H, W], got " + Shape.str(xs));
        }
        if (bias != null && (bias.dim() != 1 || bias.size(0) != outC)) {
            throw new IllegalArgumentException("conv2d: bias of shape " + Shape.str(bias.shape()) + ", expected ["
                    + outC + "]");
        }
        int n = xs[0], h = xs[2], w = xs[3];
        int oh = win.outHeight(h), ow = win.outWidth(w);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException("conv2d: kernel span " + win.spanHeight() + "×" + win.spanWidth()
                    + " is larger than the padded input " + (h + 2 * win.ph()) + "×" + (w + 2 * win.pw())
                    + " (input " + Shape.str(xs) + ", " + win + ")");
        }
        Tensor xc = x.contiguous();
        Tensor wc = weight.contiguous();
        Tensor bc = bias == null ? null : bias.contiguous();
        int k = inC * win.kh() * win.kw();
        int l = oh * ow;
        int nl = n * l;
        int imageSize = inC * h * w;
        float[] xd = xc.array();
        int xOff = xc.offset();

        boolean backward = GradMode.isEnabled()
                && (xc.requiresGrad() || wc.requiresGrad() || bc != null && bc.requiresGrad());
        // The columns are kept for the backward pass; otherwise a reused scratch buffer will do.
        float[] cols = backward ? new float[k * nl] : scratch(0, k * nl);
        forImages(n, (long) k * nl, i -> Im2col.im2col(xd, xOff + i * imageSize, inC, h, w, win, cols, i * l, nl));

        float[] y = scratch(1, outC * nl); // [out, N·L]
        Gemm.sgemm(false, false, outC, nl, k, 1f, wc.array(), wc.offset(), k, cols, 0, nl, 0f, y, 0, nl);
        float[] out = new float[n * outC * l]; // [N, out, L]: the product's [out, N, L] with the first two axes swapped
        for (int o = 0; o < outC; o++) {
            float b = bc == null ? 0f : bc.array()[bc.offset() + o];
            for (int i = 0; i < n; i++) {
                int src = o * nl + i * l, dst = (i * outC + o) * l;
                for (int p = 0; p < l; p++) out[dst + p] = y[src + p] + b;
            }
        }
        int[] outShape = {n, outC, oh, ow};
        Tensor[] inputs = bc == null ? new Tensor[] {xc, wc} : new Tensor[] {xc, wc, bc};
        if (!backward) return Tensor.wrap(out, outShape);

        return Tensor.fromOperation(out, outShape, "conv2d", g -> {
            Tensor gc = g.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            float[] gy = scratch(1, outC * nl); // dY as [out, N·L], the layout of the forward product
            for (int i = 0; i < n; i++) {
                for (int o = 0; o < outC; o++) {
                    System.arraycopy(gd, gOff + (i * outC + o) * l, gy, o * nl + i * l, l);
                }
            }
            Tensor[] grads = new Tensor[inputs.length];
            if (wc.requiresGrad()) {
                float[] dw = new float[outC * k];
                Gemm.sgemm(false, true, outC, k, nl, 1f, gy, 0, nl, cols, 0, nl, 0f, dw, 0, k);
                grads[1] = Tensor.wrap(dw, ws);
            }
            if (bc != null && bc.requiresGrad()) {
                float[] db = new float[outC];
                for (int o = 0; o < outC; o++) {
                    double s = 0;
                    for (int p = o * nl, end = p + nl; p < end; p++) s += gy[p];
                    db[o] = (float) s;
                }
                grads[2] = Tensor.wrap(db, outC);
            }
            if (xc.requiresGrad()) {
                float[] dcols = scratch(0, k * nl);
                Gemm.sgemm(true, false, k, nl, outC, 1f, wc.array(), wc.offset(), k, gy, 0, nl, 0f, dcols, 0, nl);
                float[] dx = new float[n * imageSize];
                forImages(n, (long) k * nl, i -> Im2col.col2im(dcols, i * l, nl, inC, h, w, win, dx, i * imageSize));
                grads[0] = Tensor.wrap(dx, xs);
            }
            return grads;
        }, inputs);
    }

    /** Runs {@code body} for every image, split over the kernel threads when there is enough work. */
    private static void forImages(int n, long entries, java.util.function.IntConsumer body) {
        int parts = entries < PARALLEL_ENTRIES ? 1 : Math.min(n, Parallel.THREADS);
        Parallel.forEach(parts, part -> {
            for (int i = part * n / parts, end = (part + 1) * n / parts; i < end; i++) body.accept(i);
        });
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot] == null || s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}

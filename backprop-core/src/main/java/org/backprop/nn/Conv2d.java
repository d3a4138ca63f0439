package org.backprop.nn;

import java.util.Random;
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
 * <p>Lowered onto matrix products, a few images at a time: the windows of the images are copied
 * into columns, cols [in·kh·kw, images·OH·OW] ({@link Im2col}), and Y = W[out, in·kh·kw] · cols.
 * The backward pass is two more products on the same matrices: dW += dY · colsᵀ and
 * dcols = Wᵀ · dY, the latter folded back onto the images by col2im. Transposes are GEMM flags.
 * The columns are rebuilt in the backward pass instead of being kept: im2col is cheap next to
 * the products, and a batch's columns would take kh·kw times the input's memory.
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
     * Scratch matrices per thread, reused by every call: 0 holds a chunk's columns (and, in the
     * backward pass, its dcols), 1 the chunk's product or dY.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[2][]);

    /**
     * Output positions per product. A chunk of images at a time keeps the packed columns in cache
     * (one product over a whole batch was slower) and bounds the scratch memory.
     */
    private static final int CHUNK_COLUMNS = 4096;

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
        Geometry g = new Geometry(n, inC, h, w, inC * win.kh() * win.kw(), win, oh * ow, Math.max(1, Math.min(n, CHUNK_COLUMNS / (oh * ow))));
        float[] xd = xc.array(), wd = wc.array();
        int xOff = xc.offset(), wOff = wc.offset();

        float[] out = new float[n * outC * g.l()]; // [N, out, OH·OW]
        float[] cols = scratch(0, g.k() * g.chunk() * g.l());
        float[] y = scratch(1, outC * g.chunk() * g.l());
        for (int i0 = 0; i0 < n; i0 += g.chunk()) {
            int cn = g.columns(i0);
            g.im2col(xd, xOff, i0, cols);
            Gemm.sgemm(false, false, outC, cn, g.k(), 1f, wd, wOff, g.k(), cols, 0, cn, 0f, y, 0, cn); // [out, chunk·L]
            for (int o = 0; o < outC; o++) {
                float b = bc == null ? 0f : bc.array()[bc.offset() + o];
                for (int i = i0; i < i0 + cn / g.l(); i++) {
                    int src = o * cn + (i - i0) * g.l(), dst = (i * outC + o) * g.l();
                    for (int p = 0; p < g.l(); p++) out[dst + p] = y[src + p] + b;
                }
            }
        }
        int[] outShape = {n, outC, oh, ow};
        Tensor[] inputs = bc == null ? new Tensor[] {xc, wc} : new Tensor[] {xc, wc, bc};

        return Tensor.fromOperation(out, outShape, "conv2d", grad -> {
            Tensor gc = grad.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            float[] dw = wc.requiresGrad() ? new float[outC * g.k()] : null;      // [out, in·kh·kw]
            double[] db = bc != null && bc.requiresGrad() ? new double[outC] : null;
            float[] dx = xc.requiresGrad() ? new float[n * inC * h * w] : null; // [N, C, H, W]
            float[] colBuf = scratch(0, g.k() * g.chunk() * g.l());
            float[] gy = scratch(1, outC * g.chunk() * g.l());
            for (int i0 = 0; i0 < n; i0 += g.chunk()) {
                int cn = g.columns(i0);
                for (int o = 0; o < outC; o++) { // dY of the chunk as [out, chunk·L], the layout of the forward product
                    for (int i = i0; i < i0 + cn / g.l(); i++) {
                        System.arraycopy(gd, gOff + (i * outC + o) * g.l(), gy, o * cn + (i - i0) * g.l(), g.l());
                    }
                }
                if (db != null) {
                    for (int o = 0; o < outC; o++) {
                        double s = 0;
                        for (int p = o * cn, end = p + cn; p < end; p++) s += gy[p];
                        db[o] += s;
                    }
                }
                if (dw != null) { // dW += dY · colsᵀ; the columns are rebuilt rather than kept from the forward pass
                    g.im2col(xd, xOff, i0, colBuf);
                    Gemm.sgemm(false, true, outC, g.k(), cn, 1f, gy, 0, cn, colBuf, 0, cn, 1f, dw, 0, g.k());
                }
                if (dx != null) { // dcols = Wᵀ · dY, folded back onto the images
                    Gemm.sgemm(true, false, g.k(), cn, outC, 1f, wd, wOff, g.k(), gy, 0, cn, 0f, colBuf, 0, cn);
                    g.col2im(colBuf, i0, dx);
                }
            }
            Tensor[] grads = new Tensor[inputs.length];
            if (dx != null) grads[0] = Tensor.wrap(dx, xs);
            if (dw != null) grads[1] = Tensor.wrap(dw, ws);
            if (db != null) {
                float[] dbf = new float[outC];
                for (int o = 0; o < outC; o++) dbf[o] = (float) db[o];
                grads[2] = Tensor.wrap(dbf, outC);
            }
            return grads;
        }, inputs);
    }

    /**
     * Sizes of one convolution call. {@code k} = C·kh·kw rows of the column matrix, {@code l} =
     * OH·OW output positions per image, {@code chunk} images per product.
     */
    private record Geometry(int n, int c, int h, int w, int k, Window2d win, int l, int chunk) {
        /** Columns of the chunk starting at image {@code i0}. */
        int columns(int i0) {
            return Math.min(chunk, n - i0) * l;
        }

        /** Columns [k, chunk·L] of the images of the chunk starting at {@code i0}. */
        void im2col(float[] x, int xOff, int i0, float[] cols) {
            int cn = columns(i0);
            forImages(i0, cn / l, (long) k * cn,
                    i -> Im2col.im2col(x, xOff + i * c * h * w, c, h, w, win, cols, (i - i0) * l, cn));
        }

        /** Adds the columns of the chunk starting at {@code i0} back onto dx [N, C, H, W]. */
        void col2im(float[] cols, int i0, float[] dx) {
            int cn = columns(i0);
            forImages(i0, cn / l, (long) k * cn,
                    i -> Im2col.col2im(cols, (i - i0) * l, cn, c, h, w, win, dx, i * c * h * w));
        }
    }

    /** Runs {@code body} for images [from, from + count), split over the kernel threads when there is enough work. */
    private static void forImages(int from, int count, long entries, java.util.function.IntConsumer body) {
        int parts = entries < PARALLEL_ENTRIES ? 1 : Math.min(count, Parallel.THREADS);
        Parallel.forEach(parts, part -> {
            for (int i = from + part * count / parts, end = from + (part + 1) * count / parts; i < end; i++) body.accept(i);
        });
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        if (s[slot] == null || s[slot].length < size) s[slot] = new float[size];
        return s[slot];
    }
}

package org.backprop.nn;

import java.util.Random;
import org.backprop.kernel.DirectConv;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Im2col;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.SmallProducts;
import org.backprop.kernel.Vec;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * 2-D convolution (strictly, cross-correlation, as in every framework) over NCHW images.
 * Input [N, C, H, W] with C = {@code inChannels}; output [N, out, OH, OW] with
 * OH = ⌊(H + 2p − d(k−1) − 1)/s⌋ + 1 and likewise OW (see {@link Window2d}).
 * The weight is stored [out, in, kh, kw] as in PyTorch, so saved files use the same layout.
 *
 * <p>Lowered onto matrix products, an image or a few at a time: the windows of the images are copied
 * into columns, cols [in·kh·kw, images·OH·OW] ({@link Im2col}), and Y = W[out, in·kh·kw] · cols.
 * The backward pass is two more products on the same matrices: dW += dY · colsᵀ and
 * dcols = Wᵀ · dY, the latter folded back onto the images by col2im. Transposes are GEMM flags.
 * The columns are rebuilt in the backward pass instead of being kept: im2col is cheap next to
 * the products, and a batch's columns would take kh·kw times the input's memory.
 *
 * <p>Stride-1 windows (every layer of LeNet-5 and the spoken-digit CNN) take the forward pass and
 * the input gradient without columns ({@link Conv2dDirect}): with few channels the columns cost
 * as much as the product, and a product with K = 9 or 25 runs far below the GEMM's rate. Their
 * weight gradient too, where its register blocks are mostly real ({@link Conv2dDirect#useForWeight}):
 * a first direct form (one dot product of a dY row with a shifted padded plane at a time, a
 * horizontal sum each) was no faster than im2col + GEMM; the one used keeps taps × output-channel
 * vectors of dW in registers over all of an image's positions, as a GEMM micro-kernel does, and cut
 * the spoken-digit CNN's second and third layers' backward CPU by about 30%.
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
     * Scratch matrices per thread, reused by every call: 0 holds a chunk's columns, 1 its dcols,
     * 2 a chunk's product or dY when the chunk has several images.
     */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][]);

    /**
     * Column entries (C·kh·kw × output positions) per product at most: 2 MB of columns, so a
     * chunk's columns stay near the core between im2col, packing and the product.
     */
    private static final int CHUNK_ENTRIES = 1 << 19;

    /**
     * Output positions a product should have at least. Products of one small image were slower
     * (measured on the small CNN): each repacks the weights, and the last, partial column panel
     * of the micro-kernel is a larger share of a narrow product.
     */
    private static final int MIN_COLUMNS = 1024;

    /** Below this many multiply-adds per image a call stays on one thread (and Gemm may split it). */
    private static final long PARALLEL_WORK = 1L << 16;

    /**
     * The convolution as a function: x [N, C, H, W], weight [out, C, kh, kw], bias [out] or
     * {@code null}; returns [N, out, OH, OW]. Differentiable in all three.
     *
     * <p>The images are split over the kernel threads; each thread lowers its own images a
     * chunk at a time into its own scratch columns and runs the products single-threaded, so
     * im2col, packing and col2im all run in parallel and nothing crosses between cores. Weight
     * and bias gradients are summed per thread and then added in thread order (deterministic).
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
        Geometry g = Geometry.of(n, inC, h, w, outC, win, oh * ow);
        float[] xd = xc.array(), wd = wc.array();
        int xOff = xc.offset(), wOff = wc.offset();
        float[] bd = bc == null ? null : bc.toFloatArray();

        float[] out = StepArena.scratch(n * outC * g.l()); // [N, out, OH·OW]; every element written (unpad, or the products and copies)
        boolean direct = !g.identity() && Conv2dDirect.use(win);
        if (direct) {
            boolean byRows = Conv2dDirect.forwardByRows(h, w, win, outC);
            float[] packed = DirectConv.packRows(wd, wOff, outC, g.k(), byRows ? DirectConv.ROW_GROUP : DirectConv.ROWS);
            g.forParts((part, i0, i1) -> Conv2dDirect.forward(xd, xOff, i0, i1, inC, h, w, win, packed, byRows, bd, outC, out));
        } else {
            g.forParts((part, i0, i1) -> {
                float[] cols = g.identity() ? null : scratch(0, g.k() * g.chunk() * g.l());
                for (int c0 = i0; c0 < i1; c0 += g.chunk()) {
                    int images = Math.min(g.chunk(), i1 - c0), cn = images * g.l();
                    float[] b = cols;
                    int bOff = 0;
                    if (g.identity()) { // a 1×1 window with stride 1 and no padding: the image is its own column matrix
                        b = xd;
                        bOff = xOff + c0 * inC * g.l();
                    } else {
                        for (int i = c0; i < c0 + images; i++) {
                            Im2col.im2col(xd, xOff + i * g.imageSize(), inC, h, w, win, cols, (i - c0) * g.l(), cn);
                        }
                    }
                    if (images == 1) { // the product [out, OH·OW] is the image's output block as it stands
                        int o0 = c0 * outC * g.l();
                        if (bd != null) {
                            for (int o = 0; o < outC; o++) java.util.Arrays.fill(out, o0 + o * g.l(), o0 + (o + 1) * g.l(), bd[o]);
                        }
                        product(false, outC, cn, g.k(), wd, wOff, g.k(), b, bOff, cn, bd != null, out, o0, cn);
                    } else {
                        float[] y = scratch(2, outC * cn);
                        product(false, outC, cn, g.k(), wd, wOff, g.k(), b, bOff, cn, false, y, 0, cn);
                        for (int o = 0; o < outC; o++) {
                            float bo = bd == null ? 0f : bd[o];
                            for (int i = 0; i < images; i++) {
                                int src = o * cn + i * g.l(), dst = ((c0 + i) * outC + o) * g.l();
                                for (int p = 0; p < g.l(); p++) out[dst + p] = y[src + p] + bo;
                            }
                        }
                    }
                }
            });
        }
        int[] outShape = {n, outC, oh, ow};
        Tensor[] inputs = bc == null ? new Tensor[] {xc, wc} : new Tensor[] {xc, wc, bc};

        return Tensor.fromOperation(out, outShape, "conv2d", grad -> {
            Tensor gc = grad.contiguous();
            float[] gd = gc.array();
            int gOff = gc.offset();
            boolean needW = wc.requiresGrad(), needB = bc != null && bc.requiresGrad(), needX = xc.requiresGrad();
            // [N, C, H, W]: the direct path writes every element, col2im adds into zeros
            float[] dx = !needX ? null : direct ? StepArena.scratch(n * g.imageSize()) : StepArena.floats(n * g.imageSize());
            boolean dxByRows = direct && needX && Conv2dDirect.inputByRows(inC, h, w, win);
            float[] flipped = direct && needX ? DirectConv.packFlipped(wd, wOff, outC, inC, win.kh(), win.kw(),
                    dxByRows ? DirectConv.ROW_GROUP : DirectConv.ROWS) : null;
            if (direct && Conv2dDirect.useForWeight(g.k(), outC)) {
                float[][] wb = Conv2dDirect.backward(xd, xOff, gd, gOff, n, inC, h, w, win, flipped, dxByRows, outC, dx, needW, needB,
                        g.minImages());
                Tensor[] grads = new Tensor[inputs.length];
                if (dx != null) grads[0] = Tensor.wrap(dx, xs);
                if (needW) grads[1] = Tensor.wrap(wb[0], ws);
                if (needB) grads[2] = Tensor.wrap(wb[1], outC);
                return grads;
            }
            // The batch is cut into groups by n alone (as Conv2dDirect.backward does), each group's
            // dW/dB summed from zero in chunks of a fixed size and the groups' sums added in group
            // order: the bits do not depend on the thread count (parts per thread did, before).
            int groups = Math.min(n, Conv2dDirect.GROUPS);
            float[][] dwParts = new float[groups][];                   // [out, in·kh·kw] per group
            double[][] dbParts = new double[groups][];
            int[] dxTaps = flipped == null ? null : Conv2dDirect.inputTaps(win, outC, h, w);
            int chunk = g.baseChunk();
            Parallel.Range group = (part, i0, i1) -> {
                float[] dw = needW ? new float[outC * g.k()] : null;
                double[] db = needB ? new double[outC] : null;
                float[] cols = g.identity() ? null : scratch(0, g.k() * chunk * g.l());
                float[] dcols = g.identity() || direct ? null : scratch(1, g.k() * chunk * g.l());
                float[] dwT = null; // [in·kh·kw, out]
                for (int c0 = i0; c0 < i1; c0 += chunk) {
                    int images = Math.min(chunk, i1 - c0), cn = images * g.l();
                    // dY of the chunk as [out, chunk·L], the layout of the forward product
                    float[] gy = gd;
                    int gyOff = gOff + c0 * outC * g.l();
                    if (images > 1) {
                        gy = scratch(2, outC * cn);
                        gyOff = 0;
                        for (int o = 0; o < outC; o++) {
                            for (int i = 0; i < images; i++) {
                                System.arraycopy(gd, gOff + ((c0 + i) * outC + o) * g.l(), gy, o * cn + i * g.l(), g.l());
                            }
                        }
                    }
                    if (db != null) {
                        for (int o = 0; o < outC; o++) {
                            db[o] += Vec.sum(gy, gyOff + o * cn, cn);
                        }
                    }
                    if (dw != null) { // dW += dY · colsᵀ; the columns are rebuilt rather than kept from the forward pass
                        float[] b = cols;
                        int bOff = 0;
                        if (g.identity()) {
                            b = xd;
                            bOff = xOff + c0 * inC * g.l();
                        } else {
                            for (int i = c0; i < c0 + images; i++) {
                                Im2col.im2col(xd, xOff + i * g.imageSize(), inC, h, w, win, cols, (i - c0) * g.l(), cn);
                            }
                        }
                        if ((long) outC * g.k() <= SMALL_MN) { // few dot products, long ones: no packing
                            SmallProducts.nt(outC, g.k(), cn, gy, gyOff, cn, b, bOff, cn, dw, 0, g.k());
                        } else { // dWᵀ += cols · dYᵀ: the transposing pack gathers the few dY rows, not all the columns
                            if (dwT == null) dwT = new float[g.k() * outC];
                            Gemm.sgemm(false, true, g.k(), outC, cn, 1f, b, bOff, cn, gy, gyOff, cn, 1f, dwT, 0, outC);
                        }
                    }
                    if (dx != null && !direct) { // dcols = Wᵀ · dY, folded back onto the images
                        if (g.identity()) {
                            product(true, g.k(), cn, outC, wd, wOff, g.k(), gy, gyOff, cn, false, dx, c0 * g.imageSize(), cn);
                        } else {
                            product(true, g.k(), cn, outC, wd, wOff, g.k(), gy, gyOff, cn, false, dcols, 0, cn);
                            for (int i = c0; i < c0 + images; i++) {
                                Im2col.col2im(dcols, (i - c0) * g.l(), cn, inC, h, w, win, dx, i * g.imageSize());
                            }
                        }
                    }
                }
                if (dx != null && direct) Conv2dDirect.inputGradient(gd, gOff, i0, i1, inC, h, w, win, flipped, dxByRows, dxTaps, outC, dx);
                if (dwT != null) {
                    for (int o = 0; o < outC; o++) {
                        for (int q = 0; q < g.k(); q++) dw[o * g.k() + q] += dwT[q * outC + o];
                    }
                }
                dwParts[part] = dw;
                dbParts[part] = db;
            };
            Parallel.forRange(groups, g.minImages(), (part, g0, g1) -> {
                for (int gi = g0; gi < g1; gi++) group.run(gi, (int) ((long) gi * n / groups), (int) ((long) (gi + 1) * n / groups));
            });
            Tensor[] grads = new Tensor[inputs.length];
            if (dx != null) grads[0] = Tensor.wrap(dx, xs);
            if (needW) {
                float[] dw = dwParts[0];
                for (int p = 1; p < dwParts.length; p++) {
                    for (int q = 0; q < dw.length; q++) dw[q] += dwParts[p][q];
                }
                grads[1] = Tensor.wrap(dw, ws);
            }
            if (needB) {
                float[] dbf = new float[outC];
                for (int o = 0; o < outC; o++) {
                    double s = 0;
                    for (double[] db : dbParts) s += db[o];
                    dbf[o] = (float) s;
                }
                grads[2] = Tensor.wrap(dbf, outC);
            }
            return grads;
        }, inputs);
    }

    /**
     * Sizes of one convolution call. {@code k} = C·kh·kw rows of the column matrix, {@code l} =
     * OH·OW output positions per image, {@code chunk} images per product (at most a part's),
     * {@code baseChunk} the same without a part's cap (the backward's, whose chunks must not
     * depend on the thread count), {@code parts} ranges of images run in parallel.
     */
    private record Geometry(int n, int c, int h, int w, int k, Window2d win, int l, int chunk, int baseChunk, long minImages, int parts) {
        static Geometry of(int n, int c, int h, int w, int outC, Window2d win, int l) {
            int k = c * win.kh() * win.kw();
            int chunk = Math.max(1, Math.min(CHUNK_ENTRIES / (k * l), (MIN_COLUMNS + l - 1) / l));
            long work = (long) outC * k * l;
            // Below PARALLEL_WORK multiply-adds an image is not worth a thread (and Gemm may split its product).
            long minImages = work < PARALLEL_WORK ? Long.MAX_VALUE : 1;
            int parts = Parallel.parts(n, minImages);
            return new Geometry(n, c, h, w, k, win, l, Math.min(chunk, Math.max(1, n / parts)), chunk, minImages, parts);
        }

        int imageSize() {
            return c * h * w;
        }

        /** A 1×1 window, stride 1, no padding: the columns are the image itself. */
        boolean identity() {
            return win.kh() == 1 && win.kw() == 1 && win.sh() == 1 && win.sw() == 1 && win.ph() == 0 && win.pw() == 0;
        }

        /** Runs {@code body} on each part's range of images [i0, i1), the parts in parallel. */
        void forParts(Parallel.Range body) {
            Parallel.forRange(n, minImages, body);
        }
    }

    /** Products with k or m at most this go to {@link SmallProducts#nn}: packing would cost more than it saves. */
    private static final int SMALL_DIM = 32;

    /** Weight gradients with at most this many entries are taken as dot products ({@link SmallProducts#nt}). */
    private static final long SMALL_MN = 4096;

    /** C = op(A)·B, or C += op(A)·B when {@code accumulate}; the small-product kernel when k or m is small. */
    private static void product(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, boolean accumulate, float[] c, int cOff, int ldc) {
        if (k <= SMALL_DIM || m < 8) {
            SmallProducts.nn(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
        } else {
            Gemm.sgemm(transA, false, m, n, k, 1f, a, aOff, lda, b, bOff, ldb, accumulate ? 1f : 0f, c, cOff, ldc);
        }
    }

    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        // + a vector of slack: kernels read whole vectors a little past the last row (col2im of
        // narrow rows), and at the very end of an exact-size array they would take a masked
        // fallback instead (measured: 6% of a LeNet step)
        if (s[slot] == null || s[slot].length < size + SLACK) s[slot] = new float[size + SLACK];
        return s[slot];
    }

    private static final int SLACK = 2 * org.backprop.kernel.Simd.LANES;
}

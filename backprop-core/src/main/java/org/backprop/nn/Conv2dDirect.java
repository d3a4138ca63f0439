package org.backprop.nn;

import org.backprop.kernel.DirectConv;
import org.backprop.kernel.DirectConvGrad;
import org.backprop.kernel.DirectConvGradLanes;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.kernel.Vec;
import org.backprop.shape.Window2d;
import org.backprop.tensor.StepArena;

/**
 * {@link Conv2d}'s forward pass, input gradient and (mostly) weight gradient without im2col, for
 * stride-1 windows ({@link DirectConv}, {@link DirectConvGrad}): an image at a time, padded into
 * scratch, correlated on the padded grid, and the grid's valid columns copied out. On the spoken-digit CNN and LeNet-5 the columns cost
 * as much CPU as the products they fed (im2col 4 ms against a 12 ms product per fsdd step in the
 * second layer, 2.4 against 1.7 ms in LeNet's) and the products of K = 9 or 25 ran far below
 * the GEMM's rate.
 */
final class Conv2dDirect {
    private Conv2dDirect() {}

    /**
     * Whether a convolution with this window runs here. {@code backprop.conv=im2col} keeps every
     * convolution on im2col + GEMM; read at each call, so that tests and ConvCpuTime compare the
     * two paths in one process.
     */
    static boolean use(Window2d win) {
        return DirectConv.supports(win) && !"im2col".equals(System.getProperty("backprop.conv"));
    }

    /**
     * Whether the forward pass runs by output rows ({@link DirectConv#correlateRows}, weights packed
     * in groups of {@link DirectConv#ROW_GROUP}) rather than on the padded grid: where that does less
     * work (LeNet-5's first layer). {@code backprop.convRows=off} keeps the grid (for A/B runs; the
     * bits are the same), read at each call.
     */
    static boolean forwardByRows(int h, int w, Window2d win, int outC) {
        return rowsOn() && DirectConv.rowsCheaper(outC, win.kh(), win.kw(), win.ph(), h, w + 2 * win.pw(),
                win.outHeight(h), win.outWidth(w));
    }

    /** As {@link #forwardByRows}, for the input gradient (LeNet-5's second layer, whose output gradient is padded by 4). */
    static boolean inputByRows(int inC, int h, int w, Window2d win) {
        int qh = win.kh() - 1 - win.ph(), qw = win.kw() - 1 - win.pw();
        return rowsOn() && DirectConv.rowsCheaper(inC, win.kh(), win.kw(), qh, win.outHeight(h), win.outWidth(w) + 2 * qw, h, w);
    }

    private static boolean rowsOn() {
        return !"off".equals(System.getProperty("backprop.convRows"));
    }

    /**
     * out[i, o, ·] = w ⋆ x[i] + bias[o] for the images i in [i0, i1); x [N, inC, h, w], out [N, outC, oh, ow].
     * {@code packed} is {@link DirectConv#packRows} of the weight as [outC, inC·kh·kw], in groups of
     * {@link DirectConv#ROW_GROUP} when {@code byRows} ({@link #forwardByRows}).
     */
    static void forward(float[] x, int xOff, int i0, int i1, int inC, int h, int w, Window2d win,
                        float[] packed, boolean byRows, float[] bias, int outC, float[] out) {
        int wp = w + 2 * win.pw(), plane = (h + 2 * win.ph()) * wp;
        int oh = win.outHeight(h), ow = win.outWidth(w), cells = oh * wp, ld = DirectConv.gridStride(cells);
        int[] taps = DirectConv.taps(inC, win.kh(), win.kw(), plane, wp);
        int slack = DirectConv.slack(win);
        if (byRows) { // a few images padded one after another, each output row written straight into out
            int chunk = DirectConv.rowImages(ow), image = inC * plane;
            float[] pad = scratch(0, chunk * image + slack);
            for (int i = i0; i < i1; i += chunk) {
                int images = Math.min(chunk, i1 - i);
                for (int k = 0; k < images; k++) {
                    DirectConv.pad(x, xOff + (i + k) * inC * h * w, inC, h, w, win.ph(), win.pw(), pad, k * image, slack);
                }
                DirectConv.correlateRows(outC, packed, taps, inC, win.kh(), win.kw(), pad, 0, image, images, win.ph(), h, wp,
                        oh, ow, bias, out, i * outC * oh * ow, outC * oh * ow);
            }
            return;
        }
        float[] pad = scratch(0, inC * plane + slack), grid = scratch(1, outC * ld);
        for (int i = i0; i < i1; i++) {
            DirectConv.pad(x, xOff + i * inC * h * w, inC, h, w, win.ph(), win.pw(), pad, 0, slack);
            DirectConv.correlate(outC, packed, taps, pad, 0, cells, grid, 0, ld);
            DirectConv.unpad(grid, ld, outC, oh, wp, ow, bias, out, i * outC * oh * ow);
        }
    }

    /**
     * dx[i] = the input gradient of images [i0, i1) from dy [N, outC, oh, ow]: the output gradient
     * padded by k − 1 − p and correlated with the flipped kernel ({@link DirectConv#packFlipped}, in
     * groups of {@link DirectConv#ROW_GROUP} when {@code byRows}: {@link #inputByRows}).
     */
    static void inputGradient(float[] dy, int dyOff, int i0, int i1, int inC, int h, int w, Window2d win,
                              float[] flipped, boolean byRows, int[] taps, int outC, float[] dx) {
        int oh = win.outHeight(h), ow = win.outWidth(w);
        int qh = win.kh() - 1 - win.ph(), qw = win.kw() - 1 - win.pw();
        int wq = ow + 2 * qw, plane = (oh + 2 * qh) * wq, cells = h * wq, ld = DirectConv.gridStride(cells);
        int slack = DirectConv.slack(win);
        if (byRows) {
            int chunk = DirectConv.rowImages(w), image = outC * plane;
            float[] pad = scratch(0, chunk * image + slack);
            for (int i = i0; i < i1; i += chunk) {
                int images = Math.min(chunk, i1 - i);
                for (int k = 0; k < images; k++) {
                    DirectConv.pad(dy, dyOff + (i + k) * outC * oh * ow, outC, oh, ow, qh, qw, pad, k * image, slack);
                }
                DirectConv.correlateRows(inC, flipped, taps, outC, win.kh(), win.kw(), pad, 0, image, images, qh, oh, wq,
                        h, w, null, dx, i * inC * h * w, inC * h * w);
            }
            return;
        }
        float[] pad = scratch(0, outC * plane + slack), grid = scratch(1, inC * ld);
        for (int i = i0; i < i1; i++) {
            DirectConv.pad(dy, dyOff + i * outC * oh * ow, outC, oh, ow, qh, qw, pad, 0, slack);
            DirectConv.correlate(inC, flipped, taps, pad, 0, cells, grid, 0, ld);
            DirectConv.unpad(grid, ld, inC, h, wq, w, null, dx, i * inC * h * w);
        }
    }

    /** {@link #inputGradient}'s taps: the output gradient's padded planes, {@code outC} of them. */
    static int[] inputTaps(Window2d win, int outC, int h, int w) {
        int qh = win.kh() - 1 - win.ph(), qw = win.kw() - 1 - win.pw();
        int wq = win.outWidth(w) + 2 * qw;
        return DirectConv.taps(outC, win.kh(), win.kw(), (win.outHeight(h) + 2 * qh) * wq, wq);
    }

    /**
     * Whether the weight gradient runs here too: on {@link DirectConvGrad} (output channels in the
     * lanes) when {@link #overChannels}, else, when the output channels fill less than a vector
     * (LeNet's first layer, 6), on {@link DirectConvGradLanes} (output positions in the lanes).
     * The spoken-digit CNN's first layer (one input channel, 16 output channels) stays on im2col +
     * GEMM: bound by reading its 16 MB output gradient a step, it ran 3–9% slower on
     * DirectConvGradLanes. {@code backprop.convWeight=im2col} keeps every weight gradient on
     * im2col + GEMM (for A/B runs), read at each call.
     */
    static boolean useForWeight(int taps, int outC) {
        return (overChannels(taps, outC) || outC < Simd.LANES) && !"im2col".equals(System.getProperty("backprop.convWeight"));
    }

    /**
     * Whether {@link DirectConvGrad}'s blocks are mostly real: the output channels more than half of
     * their vectors and the taps (inC·kh·kw) padded to whole blocks by less than a tenth.
     */
    static boolean overChannels(int taps, int outC) {
        return 2 * outC > DirectConvGrad.accWidth(outC) && 10 * DirectConvGrad.paddedTaps(taps) <= 11 * taps;
    }

    /** Images per batch group at most {@link #GROUPS}: see {@link #backward}. */
    static final int GROUPS = 8;

    /**
     * The backward pass: dx (when not null) and, when asked, the weight and bias gradients, returned
     * as {dW [outC, inC·kh·kw] or null, dB [outC] or null}. The batch is cut into min(n, {@link #GROUPS})
     * groups of images by n alone; each group's gradient sums start from zero, the groups run in
     * parallel, and their sums are added in group order: the bits do not depend on the thread count.
     */
    static float[][] backward(float[] x, int xOff, float[] dy, int dyOff, int n, int inC, int h, int w, Window2d win,
                              float[] flipped, boolean dxByRows, int outC, float[] dx, boolean needW, boolean needB, long minImages) {
        int groups = Math.min(n, GROUPS), kk = inC * win.kh() * win.kw();
        int wp = w + 2 * win.pw(), plane = (h + 2 * win.ph()) * wp;
        boolean lanes = !overChannels(kk, outC); // output positions in the lanes, not channels
        int[] taps = !needW ? null : lanes ? DirectConvGradLanes.taps(inC, h, w, win.ph(), win.pw(), win.kh(), win.kw())
                : DirectConvGrad.taps(inC, win.kh(), win.kw(), plane, wp);
        float[][] accs = needW ? new float[groups][] : null;
        // the groups' sums on the step's arena (zeroed; taken here, on the thread that holds it): 590 KB a call for fsdd's third layer
        for (int gi = 0; needW && gi < groups; gi++) {
            accs[gi] = StepArena.floats(lanes ? DirectConvGradLanes.accSize(taps.length, outC)
                    : DirectConvGrad.paddedTaps(kk) * DirectConvGrad.accWidth(outC));
        }
        double[][] dbs = needB ? new double[groups][] : null;
        int[] dxTaps = dx == null ? null : inputTaps(win, outC, h, w);
        Parallel.Range body = (part, g0, g1) -> {
            for (int gi = g0; gi < g1; gi++) {
                float[] acc = needW ? accs[gi] : null;
                double[] db = needB ? new double[outC] : null;
                int end = (int) ((long) n * (gi + 1) / groups);
                for (int i = (int) ((long) n * gi / groups), i1 = i; i < end; i++) {
                    // image by image (a by-rows input gradient a few images ahead): its dY is read by both gradients while it is near the core
                    if (dx != null && i == i1) {
                        i1 = Math.min(end, i + (dxByRows ? DirectConv.rowImages(w) : 1));
                        inputGradient(dy, dyOff, i, i1, inC, h, w, win, flipped, dxByRows, dxTaps, outC, dx);
                    }
                    if (acc != null) weightGradient(x, xOff, dy, dyOff, i, inC, h, w, win, taps, outC, acc, lanes, db);
                    if (db != null && !(acc != null && lanes)) { // DirectConvGradLanes sums dB on its copy of dY
                        int l = win.outHeight(h) * win.outWidth(w);
                        for (int o = 0; o < outC; o++) db[o] += Vec.sum(dy, dyOff + (i * outC + o) * l, l);
                    }
                }
                if (dbs != null) dbs[gi] = db;
            }
        };
        // A part per group, not per thread: the parts are claimed, so where the worker starts
        // late the caller takes the groups it has not begun (two parts of four groups left the
        // caller waiting 1.7-4.8 ms a call for fsdd's layers on a busy host). Each group's sums
        // are its own, added in group order below: the same bits however the groups are run.
        if (Parallel.parts(groups, minImages) == 1) body.run(0, 0, groups);
        else Parallel.forEach(groups, groups / Math.max(1, minImages), gi -> body.run(gi, gi, gi + 1));
        float[] dw = null, dbf = null;
        if (needW) {
            int ld = DirectConvGrad.accWidth(outC);
            dw = new float[outC * kk];
            for (float[] acc : accs) {
                if (lanes) {
                    DirectConvGradLanes.addTo(acc, kk, outC, dw);
                    continue;
                }
                for (int o = 0; o < outC; o++) {
                    for (int t = 0; t < kk; t++) dw[o * kk + t] += acc[t * ld + o];
                }
            }
        }
        if (needB) {
            dbf = new float[outC];
            for (int o = 0; o < outC; o++) {
                double s = 0;
                for (double[] db : dbs) s += db[o];
                dbf[o] = (float) s;
            }
        }
        return new float[][] {dw, dbf};
    }

    /**
     * acc += image i's weight gradient, as {@link DirectConvGrad#accumulate} (or with {@code lanes}
     * {@link DirectConvGradLanes#accumulate}, then also db += its bias gradient when db is not null) lays it out.
     */
    private static void weightGradient(float[] x, int xOff, float[] dy, int dyOff, int i, int inC, int h, int w,
                                       Window2d win, int[] taps, int outC, float[] acc, boolean lanes, double[] db) {
        int wp = w + 2 * win.pw(), plane = (h + 2 * win.ph()) * wp;
        int oh = win.outHeight(h), ow = win.outWidth(w), l = oh * ow;
        if (lanes) {
            DirectConvGradLanes.accumulate(x, xOff + i * inC * h * w, inC, h, w, win.ph(), win.pw(), win.kh(), win.kw(), taps,
                    dy, dyOff + i * outC * l, outC, acc, db);
            return;
        }
        float[] pad = scratch(0, inC * plane + DirectConv.slack(win));
        DirectConv.pad(x, xOff + i * inC * h * w, inC, h, w, win.ph(), win.pw(), pad, 0, DirectConv.slack(win));
        float[] dyT = scratch(2, DirectConvGrad.transposedSize(outC, l));
        DirectConvGrad.transpose(dy, dyOff + i * outC * l, outC, l, dyT);
        DirectConvGrad.accumulate(pad, 0, taps, wp, oh, ow, dyT, outC, acc);
    }

    /** Per thread: 0 the padded planes, 1 the grid, 2 a transposed output gradient; reused by every call. */
    private static final ThreadLocal<float[][]> SCRATCH = ThreadLocal.withInitial(() -> new float[3][]);

    /** This thread's scratch {@code slot}, grown to {@code size} floats and two vectors more (the kernels read a vector past a grid row). */
    private static float[] scratch(int slot, int size) {
        float[][] s = SCRATCH.get();
        int want = size + 2 * org.backprop.kernel.Simd.LANES;
        if (s[slot] == null || s[slot].length < want) s[slot] = new float[want];
        return s[slot];
    }
}

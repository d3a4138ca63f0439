package org.backprop.nn;

import java.util.Arrays;
import java.util.function.IntConsumer;
import org.backprop.kernel.Gates;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.SmallProducts;
import org.backprop.kernel.Vec;
import org.backprop.tensor.Tensor;

/**
 * One direction of one recurrent layer ({@link RecurrentLayer}): its forward pass, the arrays
 * the backward needs, and backpropagation through time.
 *
 * <p>A time step depends on the previous one, but within a step every batch row is
 * independent: its share of the hidden product (h_prev rows · W_hhᵀ, read in place by
 * {@link SmallProducts}, since packing a 512×128 matrix at every step cost as much as the
 * product) and its gate arithmetic. So a step's rows are split over the kernel threads in one
 * call, product and gates together, and the per-step work reuses arrays sized once per call.
 */
final class RecurrentDirection {
    /** Below this many multiply-adds a step stays on the calling thread. */
    private static final long PARALLEL_STEP = 1L << 16;

    private final Recurrent.Cell cell;
    private final int steps, batch, in, hid, dirs, k, width, parts;
    private final boolean forwardInTime;
    private final int[] lengths;
    private final float[] wih, whh, bih, bhh;
    private float[] whhT;   // [H, width]: W_hh transposed once per call, for the forward product
    private float[] gates;  // [T·B, width] in time order: activated gates (RNN: pre-activations)
    private float[] hs;     // [(T+1)·B, H]: h_0 at block 0 (forward) or T (reverse), h_t at block t+1 or t
    private float[] cs;     // LSTM: c in the same layout
    private float[] tanhC;  // LSTM: tanh(c_t), [T·B, H]
    private float[] ghn;    // GRU: h_prev·W_hnᵀ + b_hn, [T·B, H]
    private float[] gh;     // GRU: a step's hidden product [B, width]
    // backward state of the step being processed
    private float[] dh, dhPrev, dc, frozenH, frozenC, dgi, dgh, gOut;
    private int gOutOff, time;
    private final IntConsumer forwardPart = p -> forwardRows(time, share(p), share(p + 1));
    private final IntConsumer backwardPart = p -> backwardRows(time, share(p), share(p + 1));

    RecurrentDirection(Recurrent.Cell cell, RecurrentLayer.Dims d, int k, Parameter[] w, int[] lengths) {
        this.cell = cell;
        this.steps = d.steps();
        this.batch = d.batch();
        this.in = d.input();
        this.hid = d.hidden();
        this.dirs = d.directions();
        this.k = k;
        this.width = cell.gates * hid;
        this.forwardInTime = k == 0;
        this.lengths = lengths;
        this.wih = w[0].data();
        this.whh = w[1].data();
        this.bih = w[2].data();
        this.bhh = w[3].data();
        long work = (long) batch * width * hid;
        this.parts = work < PARALLEL_STEP || batch < 8 ? 1 : Math.min(Parallel.THREADS, batch / 4);
    }

    /** First row of part p: shares in multiples of 4 rows (the product's register block). */
    private int share(int p) {
        return p == parts ? batch : (batch / 4) * p / parts * 4;
    }

    /** The block of hs holding the state after time t. */
    private int after(int t) {
        return forwardInTime ? t + 1 : t;
    }

    /** The block of hs holding the state before time t. */
    private int before(int t) {
        return forwardInTime ? t : t + 1;
    }

    private boolean active(int b, int t) {
        return lengths == null || t < lengths[b];
    }

    void forward(Tensor x, Tensor h0, Tensor c0, float[] packed) {
        int rows = steps * batch, bh = batch * hid;
        gates = new float[rows * width];
        float[] bias = bih.clone();
        if (cell != Recurrent.Cell.GRU) Vec.binary(Vec.Op.ADD, bias, 0, bhh, 0, bias, 0, width);
        for (int r = 0; r < rows; r++) System.arraycopy(bias, 0, gates, r * width, width);
        Gemm.sgemm(false, true, rows, width, in, 1f, x.array(), x.offset(), in, wih, 0, in, 1f, gates, 0, width);
        hs = new float[(steps + 1) * bh];
        int start = forwardInTime ? 0 : steps;
        System.arraycopy(h0.array(), h0.offset() + k * bh, hs, start * bh, bh);
        if (cell == Recurrent.Cell.LSTM) {
            cs = new float[(steps + 1) * bh];
            System.arraycopy(c0.array(), c0.offset() + k * bh, cs, start * bh, bh);
            tanhC = new float[rows * hid];
        }
        if (cell == Recurrent.Cell.GRU) {
            gh = new float[batch * width];
            ghn = new float[rows * hid];
        }
        whhT = new float[hid * width];
        for (int r = 0; r < width; r++) {
            for (int c = 0; c < hid; c++) whhT[c * width + r] = whh[r * hid + c];
        }
        for (int s = 0; s < steps; s++) {
            time = forwardInTime ? s : steps - 1 - s;
            if (parts == 1) forwardRows(time, 0, batch);
            else Parallel.forEach(parts, forwardPart);
        }
        // output [T, B, D·H]: this direction's columns; frozen (padding) positions stay 0
        int ld = dirs * hid;
        for (int t = 0; t < steps; t++) {
            int cur = after(t) * bh;
            for (int b = 0; b < batch; b++) {
                if (active(b, t)) System.arraycopy(hs, cur + b * hid, packed, (t * batch + b) * ld + k * hid, hid);
            }
        }
        int out = steps * batch * ld, fin = (forwardInTime ? steps : 0) * bh;
        System.arraycopy(hs, fin, packed, out + k * bh, bh);
        if (cs != null) System.arraycopy(cs, fin, packed, out + dirs * bh + k * bh, bh);
    }

    /** Rows [b0, b1) of step t: hidden product, gates, and the frozen rows of finished sequences. */
    private void forwardRows(int t, int b0, int b1) {
        int n = b1 - b0, bh = batch * hid;
        int prev = before(t) * bh + b0 * hid, cur = after(t) * bh + b0 * hid, g = (t * batch + b0) * width;
        switch (cell) {
            case LSTM -> {
                SmallProducts.nn(false, n, width, hid, hs, prev, hid, whhT, 0, width, gates, g, width, true);
                Gates.lstmForward(n, hid, gates, g, cs, prev, cs, cur, tanhC, t * bh + b0 * hid, hs, cur);
            }
            case GRU -> {
                for (int b = b0; b < b1; b++) System.arraycopy(bhh, 0, gh, b * width, width);
                SmallProducts.nn(false, n, width, hid, hs, prev, hid, whhT, 0, width, gh, b0 * width, width, true);
                Gates.gruForward(n, hid, gates, g, gh, b0 * width, hs, prev, ghn, t * bh + b0 * hid, hs, cur);
            }
            case RNN_TANH, RNN_RELU -> {
                SmallProducts.nn(false, n, width, hid, hs, prev, hid, whhT, 0, width, gates, g, width, true);
                Gates.rnnForward(cell == Recurrent.Cell.RNN_RELU, n * hid, gates, g, hs, cur);
            }
        }
        if (lengths == null) return;
        for (int b = b0; b < b1; b++) {
            if (active(b, t)) continue;
            int from = before(t) * bh + b * hid, to = after(t) * bh + b * hid;
            System.arraycopy(hs, from, hs, to, hid);
            if (cs != null) System.arraycopy(cs, from, cs, to, hid);
        }
    }

    /**
     * Backpropagation through time for this direction, from the gradient g of the layer's
     * packed result. Adds dX into dx (overwriting it when {@code accumulate} is false), writes
     * dh0/dc0 for this direction, adds the weight gradients into the parameters' buffers, and
     * returns gradients for parameters that have none. When {@code norms} is given, norms[t]
     * receives ‖∂L/∂h_t‖ over the batch (dh of step t once the output's gradient is in).
     */
    Tensor[] backward(float[] g, int go, Tensor x, Tensor[] w, float[] dx, boolean accumulate, float[] dh0, float[] dc0,
                      double[] norms) {
        int rows = steps * batch, bh = batch * hid, out = steps * batch * dirs * hid;
        gOut = g;
        gOutOff = go;
        dh = Arrays.copyOfRange(g, go + out + k * bh, go + out + (k + 1) * bh);
        dhPrev = new float[bh];
        if (cell == Recurrent.Cell.LSTM) dc = Arrays.copyOfRange(g, go + out + (dirs + k) * bh, go + out + (dirs + k + 1) * bh);
        dgi = new float[rows * width];
        dgh = cell == Recurrent.Cell.GRU ? new float[rows * width] : dgi;
        if (lengths != null) {
            frozenH = new float[bh];
            frozenC = new float[bh];
        }
        for (int s = steps - 1; s >= 0; s--) {
            time = forwardInTime ? s : steps - 1 - s;
            if (parts == 1) backwardRows(time, 0, batch);
            else Parallel.forEach(parts, backwardPart);
            if (norms != null) norms[time] = norm(dh);
            float[] swap = dh;
            dh = dhPrev;
            dhPrev = swap;
        }
        if (dh0 != null) System.arraycopy(dh, 0, dh0, k * bh, bh);
        if (dc0 != null) System.arraycopy(dc, 0, dc0, k * bh, bh);
        if (dx != null) Gemm.sgemm(false, false, rows, in, width, 1f, dgi, 0, width, wih, 0, in, accumulate ? 1f : 0f, dx, 0, in);
        Tensor[] grads = new Tensor[4];
        float[] dwih = target(w, 0, grads);
        if (dwih != null) addWeightGradient(rows, in, dgi, x.array(), x.offset(), dwih);
        float[] dwhh = target(w, 1, grads);
        // H_prev: the T state blocks before each step, contiguous in hs
        if (dwhh != null) addWeightGradient(rows, hid, dgh, hs, forwardInTime ? 0 : bh, dwhh);
        float[] dbih = target(w, 2, grads);
        if (dbih != null) Vec.addColumnSums(dgi, 0, rows, width, dbih, 0);
        float[] dbhh = target(w, 3, grads);
        if (dbhh != null) Vec.addColumnSums(dgh, 0, rows, width, dbhh, 0);
        return grads;
    }

    /** Rows [b0, b1) of step t of the backward: dh += the output's gradient; gate gradients; dh_prev = dG·W_hh. */
    private void backwardRows(int t, int b0, int b1) {
        int n = b1 - b0, bh = batch * hid, ld = dirs * hid, r0 = b0 * hid;
        int prev = before(t) * bh + r0, cur = after(t) * bh + r0, gOff = (t * batch + b0) * width;
        for (int b = b0; b < b1; b++) {
            if (active(b, t)) Vec.binary(Vec.Op.ADD, dh, b * hid, gOut, gOutOff + (t * batch + b) * ld + k * hid, dh, b * hid, hid);
        }
        if (lengths != null) {
            System.arraycopy(dh, r0, frozenH, r0, n * hid);
            if (dc != null) System.arraycopy(dc, r0, frozenC, r0, n * hid);
        }
        switch (cell) {
            case LSTM -> Gates.lstmBackward(n, hid, gates, gOff, cs, prev, tanhC, t * bh + r0, dh, r0, dc, r0, dgi, gOff);
            case GRU -> Gates.gruBackward(n, hid, gates, gOff, ghn, t * bh + r0, hs, prev, dh, r0, dgi, gOff, dgh, gOff, dhPrev, r0);
            case RNN_TANH, RNN_RELU -> Gates.rnnBackward(cell == Recurrent.Cell.RNN_RELU, n * hid, hs, cur, dh, r0, dgi, gOff);
        }
        if (lengths != null) {
            for (int b = b0; b < b1; b++) {
                if (active(b, t)) continue;
                int row = (t * batch + b) * width;
                Arrays.fill(dgi, row, row + width, 0f);
                if (dgh != dgi) Arrays.fill(dgh, row, row + width, 0f);
                if (dc != null) System.arraycopy(frozenC, b * hid, dc, b * hid, hid);
            }
        }
        // dh_prev (+)= dG·W_hh, W_hh [width, H] read as stored; the GRU's direct part z⊙dh is already there
        SmallProducts.nn(false, n, hid, width, dgh, gOff, width, whh, 0, hid, dhPrev, r0, hid, cell == Recurrent.Cell.GRU);
        if (lengths != null) {
            for (int b = b0; b < b1; b++) {
                if (!active(b, t)) System.arraycopy(frozenH, b * hid, dhPrev, b * hid, hid);
            }
        }
    }

    /**
     * dw[width, cols] += dGᵀ·v for dG [rows, width] and v [rows, cols], taken as (vᵀ·dG)ᵀ: the
     * product then packs the thin vᵀ (cols × rows) and reads dG as stored, where dGᵀ·v packed all
     * of dG transposed, a strided copy that cost as much as the product itself.
     */
    private void addWeightGradient(int rows, int cols, float[] dg, float[] v, int vOff, float[] dw) {
        float[] t = new float[cols * width];
        Gemm.sgemm(true, false, cols, width, rows, 1f, v, vOff, cols, dg, 0, width, 0f, t, 0, width);
        for (int r = 0; r < width; r++) {
            for (int c = 0; c < cols; c++) dw[r * cols + c] += t[c * width + r];
        }
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return Math.sqrt(s);
    }

    /** Where parameter p's gradient goes: its own buffer, or a new array returned in grads; null if it needs none. */
    private static float[] target(Tensor[] w, int p, Tensor[] grads) {
        if (!w[p].requiresGrad()) return null;
        float[] buf = w[p].leafGradBuffer();
        if (buf != null) return buf;
        buf = new float[w[p].numel()];
        grads[p] = Tensor.wrap(buf, w[p].shape());
        return buf;
    }
}

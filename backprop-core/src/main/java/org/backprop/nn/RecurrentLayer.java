package org.backprop.nn;

import java.util.Arrays;
import org.backprop.kernel.Gates;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Vec;
import org.backprop.tensor.Tensor;

/**
 * One layer of a recurrent network (both directions) as a single fused operation: one autograd
 * node whose backward is backpropagation through time written out by hand.
 *
 * <p>Forward, per direction: the input projection of the whole sequence is one product
 * G = X·W_ihᵀ + b ([T·B, gates·H]); then each step adds h_prev·W_hhᵀ (a product against W_hhᵀ
 * transposed once per call) and runs the gate arithmetic ({@link Gates}) over the batch.
 * Everything the backward needs (activated gates, every h and c) lands in arrays sized once per
 * call, so no step allocates. Backward, per direction, steps in reverse: the gate gradients dG
 * of a step give dh_prev = dG·W_hh; after the loop the weight gradients are two products over
 * the whole sequence, dW_ih = dGᵀ·X and dW_hh = dGᵀ·H_prev (H_prev is contiguous because the
 * states are stored with the initial one at the end the direction starts from), dX = dG·W_ih.
 *
 * <p>Batch entries with a length shorter than T are frozen after their last step: their state
 * is carried unchanged, their output is 0, and in the backward they pass dh and dc straight
 * through with zero gate gradients, so padding changes nothing (PyTorch's packed sequences).
 *
 * <p>The result is one flat tensor: output [T, B, D·H], then h_n [D, B, H], then (LSTM) c_n
 * [D, B, H]; callers take views of it.
 */
final class RecurrentLayer {
    private RecurrentLayer() {}

    /** The shapes of one call. */
    record Dims(int steps, int batch, int input, int hidden, int directions) {
        int outSize() {
            return steps * batch * directions * hidden;
        }

        int stateSize() {
            return directions * batch * hidden;
        }
    }

    /**
     * @param x       the input, [T·B, I] time-major and contiguous
     * @param h0      initial hidden states [D, B, H], contiguous
     * @param c0      initial cell states [D, B, H] (LSTM), else null
     * @param weights per direction: weight_ih, weight_hh, bias_ih, bias_hh
     * @param lengths per batch entry, or null when all have T steps
     */
    static Tensor apply(Recurrent.Cell cell, Dims d, Tensor x, Tensor h0, Tensor c0, Parameter[][] weights, int[] lengths) {
        int total = d.outSize() + d.stateSize() * (cell == Recurrent.Cell.LSTM ? 2 : 1);
        float[] packed = new float[total];
        Direction[] dirs = new Direction[d.directions()];
        for (int k = 0; k < dirs.length; k++) {
            dirs[k] = new Direction(cell, d, k, weights[k], lengths);
            dirs[k].forward(x, h0, c0, packed);
        }
        int extra = c0 == null ? 0 : 1;
        Tensor[] inputs = new Tensor[2 + extra + 4 * dirs.length];
        inputs[0] = x;
        inputs[1] = h0;
        if (c0 != null) inputs[2] = c0;
        for (int k = 0; k < dirs.length; k++) {
            for (int p = 0; p < 4; p++) inputs[2 + extra + 4 * k + p] = weights[k][p].value();
        }
        return Tensor.fromOperation(packed, new int[] {total}, cell.opName(), grad -> {
            Tensor g = grad.contiguous();
            Tensor[] grads = new Tensor[inputs.length];
            float[] dx = x.requiresGrad() ? new float[x.numel()] : null;
            float[] dh0 = h0.requiresGrad() ? new float[h0.numel()] : null;
            float[] dc0 = c0 != null && c0.requiresGrad() ? new float[c0.numel()] : null;
            for (int k = 0; k < dirs.length; k++) {
                Tensor[] w = Arrays.copyOfRange(inputs, 2 + extra + 4 * k, 6 + extra + 4 * k);
                Tensor[] wg = dirs[k].backward(g.array(), g.offset(), x, w, dx, k > 0, dh0, dc0);
                System.arraycopy(wg, 0, grads, 2 + extra + 4 * k, 4);
            }
            if (dx != null) grads[0] = Tensor.wrap(dx, x.shape());
            if (dh0 != null) grads[1] = Tensor.wrap(dh0, h0.shape());
            if (dc0 != null) grads[2] = Tensor.wrap(dc0, c0.shape());
            return grads;
        }, inputs);
    }

    /** The state of one direction between its forward and backward pass. */
    private static final class Direction {
        final Recurrent.Cell cell;
        final int steps, batch, in, hid, dirs, k, width;
        final boolean forwardInTime;
        final int[] lengths;
        final float[] wih, whh, bih, bhh;
        float[] gates;  // [T·B, width] in time order: activated gates (RNN: pre-activations)
        float[] hs;     // [(T+1)·B, H]: h_0 at block 0 (forward) or T (reverse), h_t at block t+1 or t
        float[] cs;     // LSTM: c in the same layout
        float[] tanhC;  // LSTM: tanh(c_t), [T·B, H]
        float[] ghn;    // GRU: h_prev·W_hnᵀ + b_hn, [T·B, H]

        Direction(Recurrent.Cell cell, Dims d, int k, Parameter[] w, int[] lengths) {
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
        }

        /** The block of hs holding the state after time t. */
        int after(int t) {
            return forwardInTime ? t + 1 : t;
        }

        /** The block of hs holding the state before time t. */
        int before(int t) {
            return forwardInTime ? t : t + 1;
        }

        int timeOfStep(int s) {
            return forwardInTime ? s : steps - 1 - s;
        }

        boolean active(int b, int t) {
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
            float[] whhT = transpose(whh, width, hid);
            float[] gh = null;
            if (cell == Recurrent.Cell.GRU) {
                gh = new float[batch * width];
                ghn = new float[rows * hid];
            }
            for (int s = 0; s < steps; s++) {
                int t = timeOfStep(s), prev = before(t) * bh, cur = after(t) * bh, g = t * batch * width;
                switch (cell) {
                    case LSTM -> {
                        Gemm.sgemm(false, false, batch, width, hid, 1f, hs, prev, hid, whhT, 0, width, 1f, gates, g, width);
                        Gates.lstmForward(batch, hid, gates, g, cs, prev, cs, cur, tanhC, t * bh, hs, cur);
                    }
                    case GRU -> {
                        for (int b = 0; b < batch; b++) System.arraycopy(bhh, 0, gh, b * width, width);
                        Gemm.sgemm(false, false, batch, width, hid, 1f, hs, prev, hid, whhT, 0, width, 1f, gh, 0, width);
                        Gates.gruForward(batch, hid, gates, g, gh, 0, hs, prev, ghn, t * bh, hs, cur);
                    }
                    case RNN_TANH, RNN_RELU -> {
                        Gemm.sgemm(false, false, batch, width, hid, 1f, hs, prev, hid, whhT, 0, width, 1f, gates, g, width);
                        Gates.rnnForward(cell == Recurrent.Cell.RNN_RELU, bh, gates, g, hs, cur);
                    }
                }
                if (lengths != null) {
                    for (int b = 0; b < batch; b++) {
                        if (active(b, t)) continue;
                        System.arraycopy(hs, prev + b * hid, hs, cur + b * hid, hid);
                        if (cs != null) System.arraycopy(cs, prev + b * hid, cs, cur + b * hid, hid);
                    }
                }
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

        /**
         * Backpropagation through time for this direction. Adds dX into dx (overwriting it when
         * {@code accumulate} is false), writes dh0/dc0 for this direction, adds the weight
         * gradients into the parameters' buffers, and returns gradients for parameters without one.
         */
        Tensor[] backward(float[] g, int go, Tensor x, Tensor[] w, float[] dx, boolean accumulate, float[] dh0, float[] dc0) {
            int rows = steps * batch, bh = batch * hid, ld = dirs * hid, out = steps * batch * ld;
            float[] dh = new float[bh], dhPrev = new float[bh], dc = null;
            for (int i = 0; i < bh; i++) dh[i] = g[go + out + k * bh + i];
            if (cell == Recurrent.Cell.LSTM) {
                dc = new float[bh];
                for (int i = 0; i < bh; i++) dc[i] = g[go + out + dirs * bh + k * bh + i];
            }
            float[] dgi = new float[rows * width];
            float[] dgh = cell == Recurrent.Cell.GRU ? new float[rows * width] : dgi;
            float[] whhRow = whh; // [width, H]: dh_prev = dG·W_hh reads it as stored
            float[] frozenH = lengths == null ? null : new float[bh], frozenC = lengths == null ? null : new float[bh];
            for (int s = steps - 1; s >= 0; s--) {
                int t = timeOfStep(s), prev = before(t) * bh, cur = after(t) * bh, gOff = t * batch * width;
                for (int b = 0; b < batch; b++) {
                    if (!active(b, t)) continue;
                    int src = go + (t * batch + b) * ld + k * hid, dst = b * hid;
                    for (int j = 0; j < hid; j++) dh[dst + j] += g[src + j];
                }
                if (lengths != null) {
                    System.arraycopy(dh, 0, frozenH, 0, bh);
                    if (dc != null) System.arraycopy(dc, 0, frozenC, 0, bh);
                }
                switch (cell) {
                    case LSTM -> Gates.lstmBackward(batch, hid, gates, gOff, cs, prev, tanhC, t * bh, dh, 0, dc, 0, dgi, gOff);
                    case GRU -> Gates.gruBackward(batch, hid, gates, gOff, ghn, t * bh, hs, prev, dh, 0, dgi, gOff, dgh, gOff, dhPrev, 0);
                    case RNN_TANH, RNN_RELU -> Gates.rnnBackward(cell == Recurrent.Cell.RNN_RELU, bh, hs, cur, dh, 0, dgi, gOff);
                }
                if (lengths != null) {
                    for (int b = 0; b < batch; b++) {
                        if (active(b, t)) continue;
                        Arrays.fill(dgi, gOff + b * width, gOff + (b + 1) * width, 0f);
                        if (dgh != dgi) Arrays.fill(dgh, gOff + b * width, gOff + (b + 1) * width, 0f);
                        if (dc != null) System.arraycopy(frozenC, b * hid, dc, b * hid, hid);
                    }
                }
                float beta = cell == Recurrent.Cell.GRU ? 1f : 0f;
                Gemm.sgemm(false, false, batch, hid, width, 1f, dgh, gOff, width, whhRow, 0, hid, beta, dhPrev, 0, hid);
                if (lengths != null) {
                    for (int b = 0; b < batch; b++) {
                        if (!active(b, t)) System.arraycopy(frozenH, b * hid, dhPrev, b * hid, hid);
                    }
                }
                float[] swap = dh;
                dh = dhPrev;
                dhPrev = swap;
            }
            if (dh0 != null) System.arraycopy(dh, 0, dh0, k * bh, bh);
            if (dc0 != null) System.arraycopy(dc, 0, dc0, k * bh, bh);
            if (dx != null) {
                Gemm.sgemm(false, false, rows, in, width, 1f, dgi, 0, width, wih, 0, in, accumulate ? 1f : 0f, dx, 0, in);
            }
            Tensor[] grads = new Tensor[4];
            float[] dwih = target(w, 0, grads);
            if (dwih != null) Gemm.sgemm(true, false, width, in, rows, 1f, dgi, 0, width, x.array(), x.offset(), in, 1f, dwih, 0, in);
            float[] dwhh = target(w, 1, grads);
            if (dwhh != null) {
                int first = forwardInTime ? 0 : bh; // H_prev: the T blocks before each step, contiguous
                Gemm.sgemm(true, false, width, hid, rows, 1f, dgh, 0, width, hs, first, hid, 1f, dwhh, 0, hid);
            }
            float[] dbih = target(w, 2, grads);
            if (dbih != null) Vec.addColumnSums(dgi, 0, rows, width, dbih, 0);
            float[] dbhh = target(w, 3, grads);
            if (dbhh != null) Vec.addColumnSums(dgh, 0, rows, width, dbhh, 0);
            return grads;
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

        private static float[] transpose(float[] a, int rows, int cols) {
            float[] t = new float[rows * cols];
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) t[c * rows + r] = a[r * cols + c];
            }
            return t;
        }
    }
}

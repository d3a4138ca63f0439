package org.backprop.cli;

/**
 * The forward and backward pass of a one-layer tanh RNN and LSTM on one sequence, written out in
 * double precision as a textbook would, for {@code explain --model rnn}. Time runs from 1 to T
 * (index 0 holds the zero initial state); weights are in PyTorch's layout ({@code W_ih} is
 * [gates·H × I], {@code W_hh} [gates·H × H]; LSTM gate blocks i, f, g, o). The loss is
 * L = ½‖y − h_T‖² on the last step only, so every gradient reaching an earlier step was carried
 * back through time.
 */
final class RecurrentHand {
    private RecurrentHand() {}

    /** a_t = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh, h_t = tanh(a_t); δ_t = ∂L/∂h_t ⊙ (1 − h_t²), ∂L/∂h_{t−1} = W_hhᵀ·δ_t. */
    static final class Rnn {
        final double[][] a, h, dh, delta, dWih, dWhh;
        final double[] db;
        final double loss;

        Rnn(double[][] x, double[] y, double[][] wih, double[][] whh, double[] bih, double[] bhh) {
            int steps = x.length - 1, hidden = bih.length;
            a = new double[steps + 1][];
            h = new double[steps + 1][];
            h[0] = new double[hidden];
            for (int t = 1; t <= steps; t++) {
                a[t] = affine(wih, x[t], bih, whh, h[t - 1], bhh);
                h[t] = new double[hidden];
                for (int j = 0; j < hidden; j++) h[t][j] = Math.tanh(a[t][j]);
            }
            loss = halfSquaredError(y, h[steps]);
            dh = new double[steps + 1][];
            delta = new double[steps + 1][];
            dh[steps] = minusResidual(y, h[steps]);
            dWih = new double[hidden][x[1].length];
            dWhh = new double[hidden][hidden];
            db = new double[hidden];
            for (int t = steps; t >= 1; t--) {
                delta[t] = new double[hidden];
                for (int j = 0; j < hidden; j++) delta[t][j] = dh[t][j] * (1 - h[t][j] * h[t][j]);
                accumulate(dWih, delta[t], x[t]);
                accumulate(dWhh, delta[t], h[t - 1]);
                for (int j = 0; j < hidden; j++) db[j] += delta[t][j];
                dh[t - 1] = transposeTimes(whh, delta[t]);
            }
        }
    }

    /**
     * z_t = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh split into i, f, g, o; c_t = f⊙c_{t−1} + i⊙g,
     * h_t = o⊙tanh(c_t). Backward: ∂L/∂c_t = ∂L/∂c_{t+1}⊙f_{t+1} + ∂L/∂h_t⊙o_t⊙(1 − tanh²c_t), the
     * first term the cell state's own path, scaled by the forget gate and nothing else.
     */
    static final class Lstm {
        final double[][] h, c, in, forget, cand, out, dh, dc;
        final double loss;

        Lstm(double[][] x, double[] y, double[][] wih, double[][] whh, double[] bih, double[] bhh) {
            int steps = x.length - 1, hidden = bih.length / 4;
            h = new double[steps + 1][];
            c = new double[steps + 1][];
            in = new double[steps + 1][hidden];
            forget = new double[steps + 1][hidden];
            cand = new double[steps + 1][hidden];
            out = new double[steps + 1][hidden];
            h[0] = new double[hidden];
            c[0] = new double[hidden];
            for (int t = 1; t <= steps; t++) {
                double[] z = affine(wih, x[t], bih, whh, h[t - 1], bhh);
                h[t] = new double[hidden];
                c[t] = new double[hidden];
                for (int j = 0; j < hidden; j++) {
                    in[t][j] = sigmoid(z[j]);
                    forget[t][j] = sigmoid(z[hidden + j]);
                    cand[t][j] = Math.tanh(z[2 * hidden + j]);
                    out[t][j] = sigmoid(z[3 * hidden + j]);
                    c[t][j] = forget[t][j] * c[t - 1][j] + in[t][j] * cand[t][j];
                    h[t][j] = out[t][j] * Math.tanh(c[t][j]);
                }
            }
            loss = halfSquaredError(y, h[steps]);
            dh = new double[steps + 1][];
            dc = new double[steps + 1][];
            dh[steps] = minusResidual(y, h[steps]);
            double[] carried = new double[hidden]; // ∂L/∂c_t along the cell state from step t + 1
            for (int t = steps; t >= 1; t--) {
                dc[t] = new double[hidden];
                double[] delta = new double[4 * hidden];
                for (int j = 0; j < hidden; j++) {
                    double tc = Math.tanh(c[t][j]);
                    dc[t][j] = carried[j] + dh[t][j] * out[t][j] * (1 - tc * tc);
                    delta[j] = dc[t][j] * cand[t][j] * in[t][j] * (1 - in[t][j]);
                    delta[hidden + j] = dc[t][j] * c[t - 1][j] * forget[t][j] * (1 - forget[t][j]);
                    delta[2 * hidden + j] = dc[t][j] * in[t][j] * (1 - cand[t][j] * cand[t][j]);
                    delta[3 * hidden + j] = dh[t][j] * tc * out[t][j] * (1 - out[t][j]);
                    carried[j] = dc[t][j] * forget[t][j];
                }
                dh[t - 1] = transposeTimes(whh, delta);
            }
        }
    }

    static double norm(double[] v) {
        double s = 0;
        for (double d : v) s += d * d;
        return Math.sqrt(s);
    }

    private static double sigmoid(double z) {
        return 1 / (1 + Math.exp(-z));
    }

    private static double[] affine(double[][] wih, double[] x, double[] bih, double[][] whh, double[] h, double[] bhh) {
        double[] z = new double[bih.length];
        for (int r = 0; r < z.length; r++) {
            double s = bih[r] + bhh[r];
            for (int i = 0; i < x.length; i++) s += wih[r][i] * x[i];
            for (int k = 0; k < h.length; k++) s += whh[r][k] * h[k];
            z[r] = s;
        }
        return z;
    }

    private static double halfSquaredError(double[] y, double[] h) {
        double l = 0;
        for (int j = 0; j < y.length; j++) l += 0.5 * (y[j] - h[j]) * (y[j] - h[j]);
        return l;
    }

    private static double[] minusResidual(double[] y, double[] h) {
        double[] d = new double[y.length];
        for (int j = 0; j < y.length; j++) d[j] = -(y[j] - h[j]);
        return d;
    }

    private static double[] transposeTimes(double[][] w, double[] delta) {
        double[] r = new double[w[0].length];
        for (int k = 0; k < r.length; k++) {
            double s = 0;
            for (int j = 0; j < delta.length; j++) s += w[j][k] * delta[j];
            r[k] = s;
        }
        return r;
    }

    private static void accumulate(double[][] grad, double[] delta, double[] v) {
        for (int j = 0; j < delta.length; j++) for (int i = 0; i < v.length; i++) grad[j][i] += delta[j] * v[i];
    }
}

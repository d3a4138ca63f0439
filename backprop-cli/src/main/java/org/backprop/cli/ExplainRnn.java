package org.backprop.cli;

import java.io.PrintWriter;
import java.util.Locale;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.nn.LSTM;
import org.backprop.nn.RNN;
import org.backprop.nn.Recurrent;
import org.backprop.tensor.Tensor;

/**
 * {@code explain --model rnn}: one forward and backward pass of a tiny tanh RNN (3 inputs, 4 hidden
 * units, 5 time steps by default), number by number, with δ carried back through time, then the
 * gradient norm reaching each time step beside an LSTM's on the same sequence, so that a reader
 * sees the gradient shrink step by step through the tanh RNN and hold up along the LSTM's cell
 * state. The printed numbers are the double-precision textbook formulas ({@link RecurrentHand});
 * every one is checked against the library's autograd (an unrolled graph with a zero probe added
 * to each a_t, h_t and c_t, whose gradient is ∂L/∂a_t, ∂L/∂h_t, ∂L/∂c_t), and the forward states
 * against the library's own {@link RNN} and {@link LSTM} layers. A disagreement is an error.
 */
final class ExplainRnn {
    /**
     * The LSTM's forget-gate bias (added to PyTorch's uniform draw): 1, as Gers et al. and
     * Jozefowicz et al. recommend, so the cell starts out remembering (f ≈ 0.73 instead of 0.5).
     */
    static final float FORGET_BIAS = 1f;

    /** The sequence, the target and both networks drawn from one seed. x[0] is unused (time runs 1..T). */
    record Setup(double[][] x, double[] y, RNN rnn, LSTM lstm) {
        static Setup of(long seed, int inputs, int hidden, int steps) {
            Random rng = new Random(seed);
            double[][] x = new double[steps + 1][];
            for (int t = 1; t <= steps; t++) x[t] = rounded(rng, inputs, 1.0);
            double[] y = rounded(rng, hidden, 0.8);
            RNN rnn = new RNN(inputs, hidden, rng);
            LSTM lstm = new LSTM(inputs, hidden, rng);
            float[] bias = lstm.namedParameters().get("bias_hh_l0").data();
            for (int j = hidden; j < 2 * hidden; j++) bias[j] += FORGET_BIAS;
            return new Setup(x, y, rnn, lstm);
        }

        /** The sequence as the layers take it: [T, 1, I], time-major. */
        Tensor sequence(int from, int to) {
            int inputs = x[1].length;
            float[] f = new float[(to - from + 1) * inputs];
            for (int t = from; t <= to; t++) for (int i = 0; i < inputs; i++) f[(t - from) * inputs + i] = (float) x[t][i];
            return Tensor.of(f, to - from + 1, 1, inputs);
        }
    }

    private final PrintWriter out;
    private final Setup s;
    private final int steps, hidden;

    ExplainRnn(PrintWriter out, long seed, int inputs, int hidden, int steps) {
        if (steps < 2) throw new IllegalArgumentException("--time-steps must be at least 2, got " + steps);
        this.out = out;
        this.s = Setup.of(seed, inputs, hidden, steps);
        this.steps = steps;
        this.hidden = hidden;
    }

    int run() {
        RecurrentHand.Rnn rnn = new RecurrentHand.Rnn(s.x, s.y, w(s.rnn, "weight_ih_l0"), w(s.rnn, "weight_hh_l0"),
                b(s.rnn, "bias_ih_l0"), b(s.rnn, "bias_hh_l0"));
        Unrolled rg = unrolled(s.rnn);
        checkStates("RNN", rnn.h, s.rnn);
        for (int t = 1; t <= steps; t++) {
            ExplainCommand.check("∂L/∂h_" + t, rnn.dh[t], rg.dh[t]);
            ExplainCommand.check("δ_" + t, rnn.delta[t], rg.da[t]);
        }
        ExplainCommand.check("L", new double[] {rnn.loss}, new double[] {rg.loss});
        ExplainCommand.check("∂L/∂W_hh", flat(rnn.dWhh), grad(s.rnn, "weight_hh_l0"));
        ExplainCommand.check("∂L/∂W_ih", flat(rnn.dWih), grad(s.rnn, "weight_ih_l0"));
        ExplainCommand.check("∂L/∂b_hh", rnn.db, grad(s.rnn, "bias_hh_l0"));

        RecurrentHand.Lstm lstm = new RecurrentHand.Lstm(s.x, s.y, w(s.lstm, "weight_ih_l0"), w(s.lstm, "weight_hh_l0"),
                b(s.lstm, "bias_ih_l0"), b(s.lstm, "bias_hh_l0"));
        Unrolled lg = unrolled(s.lstm);
        checkStates("LSTM", lstm.h, s.lstm);
        for (int t = 1; t <= steps; t++) {
            ExplainCommand.check("LSTM ∂L/∂h_" + t, lstm.dh[t], lg.dh[t]);
            ExplainCommand.check("LSTM ∂L/∂c_" + t, lstm.dc[t], lg.dc[t]);
        }

        out.printf(Locale.ROOT, "Recurrent network: x_t ∈ ℝ^%d → %d tanh units, %d time steps, h_0 = 0; L = ½‖y − h_%d‖²%n",
                s.x[1].length, hidden, steps, steps);
        out.println("  a_t = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh   h_t = tanh(a_t)   (PyTorch's nn.RNN layout and initialisation)");
        out.println();
        out.println("Given");
        for (int t = 1; t <= steps; t++) out.printf(Locale.ROOT, "  x_%d  = %s%n", t, ExplainCommand.vec(s.x[t]));
        out.println("  y    = " + ExplainCommand.vec(s.y));
        out.println("  W_ih =" + mat(w(s.rnn, "weight_ih_l0"), "         "));
        out.println("  W_hh =" + mat(w(s.rnn, "weight_hh_l0"), "         "));
        out.println("  b_ih = " + ExplainCommand.vec(b(s.rnn, "bias_ih_l0")));
        out.println("  b_hh = " + ExplainCommand.vec(b(s.rnn, "bias_hh_l0")));
        out.println();
        out.println("Forward pass (the same h_t as the library's RNN layer)");
        for (int t = 1; t <= steps; t++) {
            out.printf(Locale.ROOT, "  a_%d = %s   h_%d = tanh(a_%d) = %s%n", t, ExplainCommand.vec(rnn.a[t]), t, t,
                    ExplainCommand.vec(rnn.h[t]));
        }
        out.printf(Locale.ROOT, "  L   = ½‖y − h_%d‖² = %s%n", steps, ExplainCommand.num(rnn.loss));
        out.println();
        out.println("Backward pass through time (each line checked against autograd to " + ExplainCommand.TOLERANCE + ")");
        out.printf(Locale.ROOT, "  ∂L/∂h_%d = −(y − h_%d)             = %s   ✓%n", steps, steps, ExplainCommand.vec(rnn.dh[steps]));
        for (int t = steps; t >= 1; t--) {
            out.printf(Locale.ROOT, "  δ_%d = ∂L/∂h_%d ⊙ (1 − h_%d²)       = %s   ✓%n", t, t, t, ExplainCommand.vec(rnn.delta[t]));
            if (t > 1) out.printf(Locale.ROOT, "  ∂L/∂h_%d = W_hhᵀ·δ_%d              = %s   ✓%n", t - 1, t, ExplainCommand.vec(rnn.dh[t - 1]));
        }
        out.println("  ∂L/∂W_hh = Σ_t δ_t·h_{t−1}ᵀ        =" + mat(rnn.dWhh, "                                       ") + "   ✓");
        out.println("  ∂L/∂W_ih = Σ_t δ_t·x_tᵀ            =" + mat(rnn.dWih, "                                       ") + "   ✓");
        out.println("  ∂L/∂b_ih = ∂L/∂b_hh = Σ_t δ_t      = " + ExplainCommand.vec(rnn.db) + "   ✓");
        out.println();
        out.printf(Locale.ROOT, "The same sequence through an LSTM of %d units (gates i, f, g, o; forget-gate bias +%s)%n", hidden,
                ExplainCommand.num(FORGET_BIAS));
        out.println("  c_t = f_t⊙c_{t−1} + i_t⊙g_t   h_t = o_t⊙tanh(c_t)");
        out.println("  ∂L/∂c_t = ∂L/∂c_{t+1}⊙f_{t+1} + ∂L/∂h_t⊙o_t⊙(1 − tanh²c_t)   (the cell state's path is scaled by f only)");
        for (int t = 1; t <= steps; t++) {
            out.printf(Locale.ROOT, "  f_%d = %s   c_%d = %s%n", t, ExplainCommand.vec(lstm.forget[t]), t, ExplainCommand.vec(lstm.c[t]));
        }
        out.printf(Locale.ROOT, "  L   = ½‖y − h_%d‖² = %s%n", steps, ExplainCommand.num(lstm.loss));
        for (int t = steps; t >= 1; t--) out.printf(Locale.ROOT, "  ∂L/∂c_%d = %s   ✓%n", t, ExplainCommand.vec(lstm.dc[t]));
        out.println();
        out.println("Gradient norm reaching each time step (the loss is at the last step only)");
        out.println("   t   ‖∂L/∂h_t‖ tanh RNN   ‖∂L/∂h_t‖ LSTM   ‖∂L/∂c_t‖ LSTM");
        for (int t = steps; t >= 1; t--) {
            out.printf(Locale.ROOT, "  %2d   %18.6e   %14.6e   %14.6e%n", t, RecurrentHand.norm(rnn.dh[t]), RecurrentHand.norm(lstm.dh[t]),
                    RecurrentHand.norm(lstm.dc[t]));
        }
        double rnnKept = RecurrentHand.norm(rnn.dh[1]) / RecurrentHand.norm(rnn.dh[steps]);
        double lstmKept = RecurrentHand.norm(lstm.dc[1]) / RecurrentHand.norm(lstm.dc[steps]);
        out.printf(Locale.ROOT, "From step %d back to step 1 the tanh RNN keeps %.1f%% of its gradient (each step multiplies it by "
                + "W_hhᵀ and tanh′ ≤ 1); the LSTM's cell state keeps %.1f%% (along the cell state each step multiplies it by f_t alone).%n",
                steps, 100 * rnnKept, 100 * lstmKept);
        out.flush();
        return 0;
    }

    /** Gradients from the library's autograd on the unrolled graph, read off zero probes added to a_t / h_t / c_t. */
    private record Unrolled(double loss, double[][] da, double[][] dh, double[][] dc) { }

    private Unrolled unrolled(Recurrent layer) {
        layer.zeroGrad();
        boolean lstm = layer instanceof LSTM;
        int gates = lstm ? 4 : 1;
        Tensor wih = layer.namedParameters().get("weight_ih_l0").value(), whh = layer.namedParameters().get("weight_hh_l0").value();
        Tensor bias = layer.namedParameters().get("bias_ih_l0").value().add(layer.namedParameters().get("bias_hh_l0").value())
                .reshape(gates * hidden, 1);
        Tensor h = Tensor.zeros(hidden, 1), c = Tensor.zeros(hidden, 1);
        Tensor[] pa = new Tensor[steps + 1], ph = new Tensor[steps + 1], pc = new Tensor[steps + 1];
        for (int t = 1; t <= steps; t++) {
            Tensor z = wih.matmul(Tensor.of(floats(s.x[t]), s.x[t].length, 1)).add(whh.matmul(h)).add(bias);
            if (lstm) {
                Tensor i = z.slice(0, 0, hidden).sigmoid(), f = z.slice(0, hidden, 2 * hidden).sigmoid();
                Tensor g = z.slice(0, 2 * hidden, 3 * hidden).tanh(), o = z.slice(0, 3 * hidden, 4 * hidden).sigmoid();
                c = f.mul(c).add(i.mul(g)).add(pc[t] = probe());
                h = o.mul(c.tanh());
            } else {
                h = z.add(pa[t] = probe()).tanh();
            }
            h = h.add(ph[t] = probe());
        }
        Tensor loss = Tensor.of(floats(s.y), hidden, 1).sub(h).square().sum().mul(0.5f);
        loss.backward();
        double[][] da = new double[steps + 1][], dh = new double[steps + 1][], dc = new double[steps + 1][];
        for (int t = 1; t <= steps; t++) {
            dh[t] = doubles(ph[t].grad().toFloatArray());
            if (lstm) dc[t] = doubles(pc[t].grad().toFloatArray());
            else da[t] = doubles(pa[t].grad().toFloatArray());
        }
        return new Unrolled(loss.item(), da, dh, dc);
    }

    private Tensor probe() {
        return Tensor.zeros(hidden, 1).requiresGrad(true);
    }

    /** The hand forward pass against the library's recurrent layer (its batched forward kernel). */
    private void checkStates(String name, double[][] h, Recurrent layer) {
        float[] byLayer;
        try (var ignored = GradMode.noGrad()) {
            byLayer = layer.forward(s.sequence(1, steps)).toFloatArray();
        }
        for (int t = 1; t <= steps; t++) {
            double[] row = new double[hidden];
            for (int j = 0; j < hidden; j++) row[j] = byLayer[(t - 1) * hidden + j];
            ExplainCommand.check(name + " layer h_" + t, h[t], row);
        }
    }

    private static double[][] w(Recurrent layer, String name) {
        Tensor t = layer.namedParameters().get(name).value();
        double[][] m = new double[t.size(0)][t.size(1)];
        for (int i = 0; i < m.length; i++) for (int j = 0; j < m[0].length; j++) m[i][j] = t.get(i, j);
        return m;
    }

    private static double[] b(Recurrent layer, String name) {
        return doubles(layer.namedParameters().get(name).data());
    }

    private static double[] grad(Recurrent layer, String name) {
        return doubles(layer.namedParameters().get(name).grad().toFloatArray());
    }

    private static String mat(double[][] m, String indent) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < m.length; i++) sb.append(i == 0 ? " " : "\n" + indent).append(ExplainCommand.vec(m[i]));
        return sb.toString();
    }

    private static double[] rounded(Random rng, int n, double scale) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) v[i] = Math.round((rng.nextDouble() * 2 - 1) * scale * 100) / 100.0;
        return v;
    }

    private static double[] flat(double[][] m) {
        double[] out = new double[m.length * m[0].length];
        for (int i = 0; i < m.length; i++) System.arraycopy(m[i], 0, out, i * m[0].length, m[0].length);
        return out;
    }

    private static double[] doubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static float[] floats(double[] d) {
        float[] f = new float[d.length];
        for (int i = 0; i < d.length; i++) f[i] = (float) d[i];
        return f;
    }
}

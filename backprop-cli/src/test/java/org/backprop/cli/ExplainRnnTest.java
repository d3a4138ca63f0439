package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.backprop.autograd.GradMode;
import org.backprop.nn.Recurrent;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * explain --model rnn: the printed gradient norms agree with the library's recurrent layers'
 * own backward pass (their fused BPTT, not the unrolled graph the command checks itself with):
 * ∂L/∂h_t is the gradient of the loss with respect to the initial state of the same layer run on
 * the rest of the sequence from h_t.
 */
class ExplainRnnTest {
    private static final Pattern ROW = Pattern.compile("(?m)^\\s+(\\d+)\\s+(\\S+e[-+]\\d+)\\s+(\\S+e[-+]\\d+)\\s+(\\S+e[-+]\\d+)$");

    @Test
    void printsTheWalkThroughTimeInTheSeedsNotation() {
        CliRunner r = CliRunner.run("explain", "--model", "rnn");
        assertEquals(0, r.exitCode(), r.err());
        for (String q : List.of("x_t ∈ ℝ^3 → 4 tanh units, 5 time steps", "a_t = W_ih·x_t + b_ih + W_hh·h_{t−1} + b_hh",
                "∂L/∂h_5 = −(y − h_5)", "δ_5 = ∂L/∂h_5 ⊙ (1 − h_5²)", "∂L/∂h_4 = W_hhᵀ·δ_5", "δ_1 = ∂L/∂h_1",
                "∂L/∂W_hh = Σ_t δ_t·h_{t−1}ᵀ", "c_t = f_t⊙c_{t−1} + i_t⊙g_t", "Gradient norm reaching each time step")) {
            assertTrue(r.out().contains(q), "missing " + q + " in\n" + r.out());
        }
    }

    @Test
    void theNormsAreTheLayersOwnGradientsAndShrinkFasterThroughTheRnn() {
        for (long seed : new long[] {1, 7}) {
            CliRunner r = CliRunner.run("explain", "--model", "rnn", "--seed", Long.toString(seed));
            assertEquals(0, r.exitCode(), r.err());
            ExplainRnn.Setup s = ExplainRnn.Setup.of(seed, 3, 4, 5);
            Matcher m = ROW.matcher(r.out());
            int rows = 0;
            double rnnLast = 0, rnnFirst = 0, cellLast = 0, cellFirst = 0;
            while (m.find()) {
                int t = Integer.parseInt(m.group(1));
                double[] rnn = byLayer(s, s.rnn(), t), lstm = byLayer(s, s.lstm(), t);
                assertClose(rnn[0], Double.parseDouble(m.group(2)), "RNN ‖∂L/∂h_" + t + "‖");
                assertClose(lstm[0], Double.parseDouble(m.group(3)), "LSTM ‖∂L/∂h_" + t + "‖");
                assertClose(lstm[1], Double.parseDouble(m.group(4)), "LSTM ‖∂L/∂c_" + t + "‖");
                if (t == 5) {
                    rnnLast = rnn[0];
                    cellLast = lstm[1];
                }
                if (t == 1) {
                    rnnFirst = rnn[0];
                    cellFirst = lstm[1];
                }
                rows++;
            }
            assertEquals(5, rows, r.out());
            assertTrue(rnnFirst / rnnLast < cellFirst / cellLast, "seed " + seed + ": the tanh RNN keeps " + rnnFirst / rnnLast
                    + " of its gradient, the LSTM cell " + cellFirst / cellLast);
        }
    }

    @Test
    void badOptionsAreOneLineErrors() {
        CliRunner r = CliRunner.run("explain", "--model", "gpt");
        assertEquals(1, r.exitCode());
        assertEquals("backprop: --model must be mlp or rnn, not 'gpt'", r.err().strip());
        r = CliRunner.run("explain", "--model", "rnn", "--time-steps", "1");
        assertEquals(1, r.exitCode());
        assertEquals("backprop: --time-steps must be at least 2, got 1", r.err().strip());
    }

    /** {‖∂L/∂h_t‖, ‖∂L/∂c_t‖} through the layer's own forward and backward: the prefix gives the states, the suffix their gradients. */
    private static double[] byLayer(ExplainRnn.Setup s, Recurrent layer, int t) {
        int steps = s.x().length - 1, hidden = s.y().length;
        Recurrent.Output prefix;
        try (var ignored = GradMode.noGrad()) {
            prefix = layer.forward(s.sequence(1, t), null, null, null);
        }
        float[] h = prefix.h().toFloatArray(), c = prefix.c() == null ? null : prefix.c().toFloatArray();
        float[] gh = new float[hidden], gc = new float[hidden];
        if (t == steps) {
            for (int j = 0; j < hidden; j++) gh[j] = (float) -(s.y()[j] - h[j]);
        } else {
            Tensor h0 = Tensor.of(h.clone(), 1, 1, hidden).requiresGrad(true);
            Tensor c0 = c == null ? null : Tensor.of(c.clone(), 1, 1, hidden).requiresGrad(true);
            Recurrent.Output rest = layer.forward(s.sequence(t + 1, steps), h0, c0, null);
            float[] y = new float[hidden];
            for (int j = 0; j < hidden; j++) y[j] = (float) s.y()[j];
            Tensor.of(y, 1, 1, hidden).sub(rest.h()).square().sum().mul(0.5f).backward();
            gh = h0.grad().toFloatArray();
            if (c0 != null) gc = c0.grad().toFloatArray();
        }
        double nh = 0, nc = 0;
        for (int j = 0; j < hidden; j++) {
            nh += (double) gh[j] * gh[j];
            if (c != null) {
                // ∂L/∂c_t = (the cell state's own path) + (the path through h_t = o_t⊙tanh(c_t)), o_t = h_t / tanh(c_t)
                double tc = Math.tanh(c[j]), total = gc[j] + gh[j] * (h[j] / tc) * (1 - tc * tc);
                nc += total * total;
            }
        }
        return new double[] {Math.sqrt(nh), Math.sqrt(nc)};
    }

    private static void assertClose(double expected, double printed, String what) {
        assertTrue(Math.abs(expected - printed) <= 1e-4 * Math.abs(expected) + 1e-7, what + ": printed " + printed + ", the layer gives "
                + expected);
    }
}

package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.nn.LSTM;
import org.backprop.nn.Parameter;
import org.backprop.nn.RNN;
import org.backprop.nn.Recurrent;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** GradientHealth's per-time-step gradient norms of recurrent layers: ‖∂L/∂h_t‖, checked against autograd. */
class RecurrentStepGradientsTest {
    private static final int T = 6, B = 3, I = 2, H = 5;

    private static Tensor sequence(long seed) {
        return Tensor.randn(new Random(seed), T, B, I);
    }

    /** L = Σ h_T, the last step's output summed: only the last step is scored, so earlier steps get what BPTT carries back. */
    private static Tensor lastStepSum(Tensor out) {
        return out.slice(0, out.size(0) - 1, out.size(0)).sum();
    }

    @Test
    void theNormReachingEachStepIsTheGradientOfThatStepsHiddenState() {
        RNN rnn = new RNN(I, H, new Random(3));
        GradientHealth health = new GradientHealth(new Sequential(rnn));
        health.onEpochStart(1);
        Tensor x = sequence(1);
        lastStepSum(rnn.forward(x)).backward();
        health.onEpochEnd(new EpochResult(1, null, null, 0.1, 0));
        double[] norms = health.stepGradientNorms().getFirst().get("0.l0");
        assertEquals(T, norms.length);
        assertEquals(Math.sqrt(B * H), norms[T - 1], 1e-5, "∂L/∂h_T is all ones");
        // ∂L/∂h_t for t < T: the gradient of the same layer's initial state when it runs the rest of the sequence from h_t
        for (int t = 1; t < T; t++) {
            Tensor ht;
            try (var ignored = GradMode.noGrad()) {
                ht = rnn.forward(x.slice(0, 0, t).contiguous(), null, null, null).h();
            }
            Tensor h0 = Tensor.of(ht.toFloatArray(), 1, B, H).requiresGrad(true);
            Recurrent.Output rest = rnn.forward(x.slice(0, t, T).contiguous(), h0, null, null);
            lastStepSum(rest.output()).backward();
            double expected = norm(h0.grad().toFloatArray());
            assertEquals(expected, norms[t - 1], 1e-5 * Math.max(1, expected), "step " + t);
        }
        assertTrue(norms[0] < norms[T - 1], "a tanh RNN's gradient shrinks back through time");
    }

    @Test
    void everyLayerAndDirectionIsReportedAveragedOverTheEpochsPasses() {
        LSTM lstm = new LSTM(I, H, 2, true, false, 0f, new Random(4));
        GradientHealth health = new GradientHealth(lstm);
        double[] first = null;
        for (int epoch = 1; epoch <= 2; epoch++) {
            health.onEpochStart(epoch);
            int passes = epoch; // epoch 1: one pass; epoch 2: the same pass twice, so the mean is the same
            for (int p = 0; p < passes; p++) {
                for (Parameter q : lstm.parameters()) q.zeroGrad();
                lastStepSum(lstm.forward(sequence(2))).backward();
            }
            health.onEpochEnd(new EpochResult(epoch, null, null, 0.1, 0));
            Map<String, double[]> byLayer = health.stepGradientNorms().get(epoch - 1);
            assertEquals(java.util.List.of("l0", "l0_reverse", "l1", "l1_reverse"), java.util.List.copyOf(byLayer.keySet()));
            if (first == null) first = byLayer.get("l0");
            else for (int t = 0; t < T; t++) assertEquals(first[t], byLayer.get("l0")[t], 1e-9);
        }
        lstm.stepGradients(null); // switched off: later passes are not counted
        health.onEpochStart(3);
        lastStepSum(lstm.forward(sequence(2))).backward();
        health.onEpochEnd(new EpochResult(3, null, null, 0.1, 0));
        assertTrue(health.stepGradientNorms().get(2).isEmpty());
    }

    private static double norm(float[] v) {
        double s = 0;
        for (float f : v) s += (double) f * f;
        return Math.sqrt(s);
    }
}

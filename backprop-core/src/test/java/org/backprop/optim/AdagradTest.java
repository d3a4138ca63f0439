package org.backprop.optim;

import static org.backprop.optim.OptimTesting.GRADS;
import static org.backprop.optim.OptimTesting.W0;
import static org.backprop.optim.OptimTesting.asFloat;
import static org.backprop.optim.OptimTesting.assertDiffers;
import static org.backprop.optim.OptimTesting.assertTrajectory;
import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.run;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.backprop.nn.Parameter;
import org.junit.jupiter.api.Test;

class AdagradTest {

    /** The documented rule in double precision. */
    static double[][] reference(double lr, double lrDecay, double weightDecay, double initialAccumulator, double eps) {
        double[] w = asFloat(W0);
        double[][] grads = asFloat(GRADS);
        double[] sum = new double[w.length];
        java.util.Arrays.fill(sum, initialAccumulator);
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            double clr = lr / (1 + (t - 1) * lrDecay);
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i];
                if (weightDecay != 0) g += weightDecay * w[i];
                sum[i] += g * g;
                w[i] -= clr * g / (Math.sqrt(sum[i]) + eps);
            }
            out[t - 1] = w.clone();
        }
        return out;
    }

    static double[][] adagrad(Adagrad.Options o) {
        return run(ps -> new Adagrad(ps, o), W0, GRADS);
    }

    @Test
    void defaultsFollowTheFormula() {
        assertTrajectory(reference(1e-2, 0, 0, 0, 1e-10), adagrad(Adagrad.Options.defaults()));
        assertTrajectory(reference(0.1, 0, 0, 0, 1e-10), run(ps -> new Adagrad(ps, 0.1), W0, GRADS));
    }

    @Test
    void lrDecayFollowsTheFormula() {
        double[][] actual = adagrad(Adagrad.Options.defaults().lr(0.1).lrDecay(0.5));
        assertTrajectory(reference(0.1, 0.5, 0, 0, 1e-10), actual);
        assertDiffers(reference(0.1, 0, 0, 0, 1e-10), actual);
    }

    @Test
    void weightDecayIsAddedToTheGradient() {
        double[][] actual = adagrad(Adagrad.Options.defaults().lr(0.1).weightDecay(0.5));
        assertTrajectory(reference(0.1, 0, 0.5, 0, 1e-10), actual);
        assertDiffers(reference(0.1, 0, 0, 0, 1e-10), actual);
    }

    @Test
    void initialAccumulatorValueStartsTheSum() {
        double[][] actual = adagrad(Adagrad.Options.defaults().lr(0.1).initialAccumulatorValue(0.75).eps(1e-3));
        assertTrajectory(reference(0.1, 0, 0, 0.75, 1e-3), actual);
        assertDiffers(reference(0.1, 0, 0, 0, 1e-3), actual);
    }

    @Test
    void goldenNumbersWorkedByHand() {
        // lr = 0.1, w = 1, g = 0.5 on both steps.
        //   step 1: s = 0.25, Δw = 0.1·0.5/0.5 = 0.1 → w = 0.9
        //   step 2: s = 0.5, √s = 0.7071068, Δw = 0.05/0.7071068 = 0.0707107 → w = 0.829289
        // lr_decay 0.5: step 2 uses γ̃ = 0.1/(1 + 0.5) = 0.0666667, Δw = 0.0471405 → w = 0.852860
        // initial accumulator 0.75: step 1 has s = 1, Δw = 0.05 → w = 0.95
        assertArrayEquals(new double[] {0.9, 0.829289}, twoSteps(Adagrad.Options.defaults().lr(0.1)), 1e-6);
        assertArrayEquals(new double[] {0.9, 0.852860}, twoSteps(Adagrad.Options.defaults().lr(0.1).lrDecay(0.5)), 1e-6);
        assertEquals(0.95, twoSteps(Adagrad.Options.defaults().lr(0.1).initialAccumulatorValue(0.75))[0], 1e-6);
    }

    private static double[] twoSteps(Adagrad.Options o) {
        Parameter p = param(1.0);
        Adagrad opt = new Adagrad(List.of(p), o);
        setGrad(p, 0.5);
        opt.step();
        double first = p.data()[0];
        setGrad(p, 0.5);
        opt.step();
        return new double[] {first, p.data()[0]};
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new Adagrad.Options(1e-2, 0, 0, 0, 1e-10), Adagrad.Options.defaults());
    }

    @Test
    void invalidHyperparametersAreNamed() {
        var d = Adagrad.Options.defaults();
        assertEquals("Invalid lr_decay value: -0.1 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.lrDecay(-0.1)).getMessage());
        assertEquals("Invalid initial_accumulator_value value: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.initialAccumulatorValue(-1)).getMessage());
        assertEquals("Invalid weight_decay value: -2.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.weightDecay(-2)).getMessage());
        assertEquals("Invalid epsilon value: -1.0E-10 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.eps(-1e-10)).getMessage());
    }
}

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
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.backprop.nn.Parameter;
import org.junit.jupiter.api.Test;

class RMSpropTest {

    /** The documented rule in double precision. */
    static double[][] reference(double lr, double alpha, double eps, double weightDecay, double momentum, boolean centered) {
        double[] w = asFloat(W0);
        double[][] grads = asFloat(GRADS);
        int n = w.length;
        double[] v = new double[n], gAvg = new double[n], b = new double[n];
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < n; i++) {
                double g = grads[t - 1][i];
                if (weightDecay != 0) g += weightDecay * w[i];
                v[i] = alpha * v[i] + (1 - alpha) * g * g;
                double vTilde = v[i];
                if (centered) {
                    gAvg[i] = gAvg[i] * alpha + (1 - alpha) * g;
                    vTilde -= gAvg[i] * gAvg[i];
                }
                if (momentum > 0) {
                    b[i] = momentum * b[i] + g / (Math.sqrt(vTilde) + eps);
                    w[i] -= lr * b[i];
                } else {
                    w[i] -= lr * g / (Math.sqrt(vTilde) + eps);
                }
            }
            out[t - 1] = w.clone();
        }
        return out;
    }

    static double[][] rmsprop(RMSprop.Options o) {
        return run(ps -> new RMSprop(ps, o), W0, GRADS);
    }

    @Test
    void defaultsFollowTheFormula() {
        assertTrajectory(reference(1e-2, 0.99, 1e-8, 0, 0, false), rmsprop(RMSprop.Options.defaults()));
        assertTrajectory(reference(1e-2, 0.99, 1e-8, 0, 0, false), run(RMSprop::new, W0, GRADS));
    }

    @Test
    void alphaAndEpsFollowTheFormula() {
        double[][] actual = rmsprop(RMSprop.Options.defaults().lr(0.05).alpha(0.5).eps(0.1));
        assertTrajectory(reference(0.05, 0.5, 0.1, 0, 0, false), actual);
        assertDiffers(reference(0.05, 0.99, 1e-8, 0, 0, false), actual);
    }

    @Test
    void weightDecayIsAddedToTheGradient() {
        double[][] actual = rmsprop(RMSprop.Options.defaults().alpha(0.5).weightDecay(0.5));
        assertTrajectory(reference(1e-2, 0.5, 1e-8, 0.5, 0, false), actual);
        assertDiffers(reference(1e-2, 0.5, 1e-8, 0, 0, false), actual);
    }

    @Test
    void momentumFollowsTheFormula() {
        double[][] actual = rmsprop(RMSprop.Options.defaults().alpha(0.5).momentum(0.9));
        assertTrajectory(reference(1e-2, 0.5, 1e-8, 0, 0.9, false), actual);
        assertDiffers(reference(1e-2, 0.5, 1e-8, 0, 0, false), actual);
    }

    @Test
    void centeredSubtractsTheSquaredMeanGradient() {
        double[][] actual = rmsprop(RMSprop.Options.defaults().alpha(0.5).centered(true));
        assertTrajectory(reference(1e-2, 0.5, 1e-8, 0, 0, true), actual);
        assertDiffers(reference(1e-2, 0.5, 1e-8, 0, 0, false), actual);
    }

    @Test
    void everyOptionTogether() {
        var o = RMSprop.Options.defaults().lr(0.02).alpha(0.7).eps(1e-4).weightDecay(0.1).momentum(0.5).centered(true);
        assertTrajectory(reference(0.02, 0.7, 1e-4, 0.1, 0.5, true), rmsprop(o));
    }

    @Test
    void goldenNumbersWorkedByHand() {
        // lr = 0.01, alpha = 0.99, w = 1, g = 0.5 on both steps.
        //   step 1: v = 0.01·0.25 = 0.0025, √v = 0.05, Δw = 0.01·0.5/0.05 = 0.1 → w = 0.9
        //   step 2: v = 0.99·0.0025 + 0.0025 = 0.004975, √v = 0.0705337,
        //           Δw = 0.005/0.0705337 = 0.0708881 → w = 0.829112
        // With momentum 0.9: b1 = 0.5/0.05 = 10 → w = 0.9; b2 = 9 + 7.08881 = 16.08881 → w = 0.739112.
        // Centered, step 1: ḡ = 0.01·0.5 = 0.005, ṽ = 0.0025 − 0.000025 = 0.002475, √ṽ = 0.0497494,
        //           Δw = 0.005/0.0497494 = 0.100504 → w = 0.899496.
        assertArrayEquals(new double[] {0.9, 0.829112}, twoSteps(RMSprop.Options.defaults()), 1e-6);
        assertArrayEquals(new double[] {0.9, 0.739112}, twoSteps(RMSprop.Options.defaults().momentum(0.9)), 1e-6);
        assertEquals(0.899496, twoSteps(RMSprop.Options.defaults().centered(true))[0], 1e-6);
    }

    private static double[] twoSteps(RMSprop.Options o) {
        Parameter p = param(1.0);
        RMSprop opt = new RMSprop(List.of(p), o);
        setGrad(p, 0.5);
        opt.step();
        double first = p.data()[0];
        setGrad(p, 0.5);
        opt.step();
        return new double[] {first, p.data()[0]};
    }

    @Test
    void centeredVarianceOfAConstantGradientStaysFinite() {
        // A constant gradient has zero variance: v − ḡ² tends to 0 and rounding can take it below.
        Parameter p = param(0.0, 0.0, 0.0);
        RMSprop opt = new RMSprop(List.of(p), RMSprop.Options.defaults().alpha(0.5).centered(true));
        for (int t = 0; t < 200; t++) {
            setGrad(p, 0.1, 0.3, 1.7);
            opt.step();
        }
        for (float w : p.data()) assertFalse(Float.isNaN(w) || Float.isInfinite(w), "weight " + w);
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new RMSprop.Options(1e-2, 0.99, 1e-8, 0, 0, false), RMSprop.Options.defaults());
    }

    @Test
    void invalidHyperparametersAreNamed() {
        var d = RMSprop.Options.defaults();
        assertEquals("Invalid alpha value: 1.5 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.alpha(1.5)).getMessage());
        assertEquals("Invalid momentum value: -0.9 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.momentum(-0.9)).getMessage());
        assertEquals("Invalid epsilon value: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.eps(-1)).getMessage());
        assertEquals("Invalid weight_decay value: Infinity (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.weightDecay(Double.POSITIVE_INFINITY)).getMessage());
    }
}

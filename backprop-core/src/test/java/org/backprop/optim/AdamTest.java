package org.backprop.optim;

import static org.backprop.optim.OptimTesting.GRADS;
import static org.backprop.optim.OptimTesting.W0;
import static org.backprop.optim.OptimTesting.asFloat;
import static org.backprop.optim.OptimTesting.assertDiffers;
import static org.backprop.optim.OptimTesting.assertTrajectory;
import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.run;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.backprop.nn.Parameter;
import org.junit.jupiter.api.Test;

class AdamTest {

    /**
     * Adam and AdamW as documented, in double precision: m̂ and v̂ are formed explicitly, unlike
     * the rearranged form the class computes. {@code decoupled} selects AdamW's weight decay.
     */
    static double[][] reference(double lr, double beta1, double beta2, double eps, double weightDecay,
            boolean decoupled, boolean amsgrad, double[][] grads) {
        double[] w = asFloat(W0);
        grads = asFloat(grads);
        int n = w.length;
        double[] m = new double[n], v = new double[n], vMax = new double[n];
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < n; i++) {
                double g = grads[t - 1][i];
                if (decoupled) {
                    w[i] -= lr * weightDecay * w[i];
                } else if (weightDecay != 0) {
                    g += weightDecay * w[i];
                }
                m[i] = beta1 * m[i] + (1 - beta1) * g;
                v[i] = beta2 * v[i] + (1 - beta2) * g * g;
                double mHat = m[i] / (1 - Math.pow(beta1, t));
                double vHat;
                if (amsgrad) {
                    vMax[i] = Math.max(vMax[i], v[i]);
                    vHat = vMax[i] / (1 - Math.pow(beta2, t));
                } else {
                    vHat = v[i] / (1 - Math.pow(beta2, t));
                }
                w[i] -= lr * mHat / (Math.sqrt(vHat) + eps);
            }
            out[t - 1] = w.clone();
        }
        return out;
    }

    static double[][] adam(Adam.Options o, double[][] grads) {
        return run(ps -> new Adam(ps, o), W0, grads);
    }

    /** Large gradients then small ones, so the second moment shrinks and AMSGrad's maximum matters. */
    static final double[][] SHRINKING = {
        {2.0, -1.5, 1.0, 0.5},
        {0.1, -0.05, 0.2, 0.01},
        {0.05, 0.1, -0.1, 0.02},
    };

    @Test
    void defaultsFollowTheFormula() {
        assertTrajectory(reference(1e-3, 0.9, 0.999, 1e-8, 0, false, false, GRADS), adam(Adam.Options.defaults(), GRADS));
        assertTrajectory(reference(1e-3, 0.9, 0.999, 1e-8, 0, false, false, GRADS), run(Adam::new, W0, GRADS));
    }

    @Test
    void otherBetasAndEpsFollowTheFormula() {
        // A large eps is visible next to √v̂ for the small gradients.
        var o = Adam.Options.defaults().lr(0.05).betas(0.5, 0.8).eps(0.1);
        double[][] actual = adam(o, GRADS);
        assertTrajectory(reference(0.05, 0.5, 0.8, 0.1, 0, false, false, GRADS), actual);
        assertDiffers(reference(0.05, 0.9, 0.999, 1e-8, 0, false, false, GRADS), actual);
    }

    @Test
    void weightDecayIsAddedToTheGradient() {
        double[][] actual = adam(Adam.Options.defaults().lr(0.1).weightDecay(0.5), GRADS);
        assertTrajectory(reference(0.1, 0.9, 0.999, 1e-8, 0.5, false, false, GRADS), actual);
        assertDiffers(reference(0.1, 0.9, 0.999, 1e-8, 0, false, false, GRADS), actual);
        assertDiffers(reference(0.1, 0.9, 0.999, 1e-8, 0.5, true, false, GRADS), actual);
    }

    @Test
    void amsgradUsesTheLargestSecondMoment() {
        var o = Adam.Options.defaults().lr(0.1).betas(0.9, 0.5).amsgrad(true);
        double[][] actual = adam(o, SHRINKING);
        assertTrajectory(reference(0.1, 0.9, 0.5, 1e-8, 0, false, true, SHRINKING), actual);
        assertDiffers(reference(0.1, 0.9, 0.5, 1e-8, 0, false, false, SHRINKING), actual);
    }

    @Test
    void amsgradWithWeightDecay() {
        var o = Adam.Options.defaults().lr(0.1).betas(0.9, 0.5).weightDecay(0.3).amsgrad(true);
        assertTrajectory(reference(0.1, 0.9, 0.5, 1e-8, 0.3, false, true, SHRINKING), adam(o, SHRINKING));
    }

    @Test
    void goldenNumbersWorkedByHand() {
        // lr = 0.01, default betas, w = (1, 1), g = (0.5, −2) on two steps.
        // Step 1: m = 0.1·g, v = 0.001·g²; m̂ = m/0.1 = g, v̂ = v/0.001 = g², so
        //   Δw = −lr·g/(|g| + 1e−8) = −0.01·sign(g) (to 1e−10): w = (0.99, 1.01).
        // Step 2, element 0: m = 0.9·0.05 + 0.1·0.5 = 0.095,  m̂ = 0.095/(1 − 0.81) = 0.5;
        //   v = 0.999·0.00025 + 0.001·0.25 = 0.00049975,  v̂ = 0.00049975/(1 − 0.998001) = 0.25;
        //   Δw = −0.01·0.5/0.5 = −0.01 again: w = 0.98 (element 1 likewise: 1.02).
        Parameter p = param(1.0, 1.0);
        Adam opt = new Adam(List.of(p), 0.01);
        setGrad(p, 0.5, -2.0);
        opt.step();
        assertEquals(0.99, p.data()[0], 1e-7);
        assertEquals(1.01, p.data()[1], 1e-7);
        setGrad(p, 0.5, -2.0);
        opt.step();
        assertEquals(0.98, p.data()[0], 1e-7);
        assertEquals(1.02, p.data()[1], 1e-7);
    }

    @Test
    void perParameterStepCountsOnlyStepsWithAGradient() {
        // b gets its first gradient on the optimizer's second step: its bias correction must use
        // t = 1 (a first step of exactly lr), not the optimizer's step count 2 (which would give
        // 0.01·(0.1/0.19)/√(0.001/0.001999) ≈ 0.0074).
        Parameter a = param(0.0), b = param(0.0);
        Adam opt = new Adam(List.of(a, b), 0.01);
        setGrad(a, 1.0);
        opt.step();
        setGrad(b, 1.0);
        opt.step();
        assertEquals(-0.01, b.data()[0], 1e-7);
        assertEquals(2, opt.stepCount());
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 0, false), Adam.Options.defaults());
    }

    @Test
    void invalidHyperparametersAreNamed() {
        var d = Adam.Options.defaults();
        assertEquals("Invalid beta parameter at index 0: 1.5 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.betas(1.5, 0.999)).getMessage());
        assertEquals("Invalid beta parameter at index 1: -0.1 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.betas(0.9, -0.1)).getMessage());
        assertEquals("Invalid beta parameter at index 1: 1.0 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.betas(0.9, 1.0)).getMessage());
        assertEquals("Invalid epsilon value: -1.0E-8 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.eps(-1e-8)).getMessage());
        assertEquals("Invalid weight_decay value: -0.01 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.weightDecay(-0.01)).getMessage());
        assertEquals("Invalid learning rate: Infinity",
                assertThrows(IllegalArgumentException.class, () -> d.lr(Double.POSITIVE_INFINITY)).getMessage());
        assertEquals("Invalid learning rate: -1.0",
                assertThrows(IllegalArgumentException.class, () -> new Adam(List.of(param(1.0)), -1.0)).getMessage());
    }
}

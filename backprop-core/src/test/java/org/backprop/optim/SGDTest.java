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

class SGDTest {

    /** The documented rule in double precision, written independently of the class under test. */
    static double[][] reference(double lr, double momentum, double dampening, double weightDecay, boolean nesterov) {
        double[] w = asFloat(W0);
        double[][] grads = asFloat(GRADS);
        double[] b = new double[w.length];
        double[][] out = new double[grads.length][];
        for (int t = 1; t <= grads.length; t++) {
            for (int i = 0; i < w.length; i++) {
                double g = grads[t - 1][i];
                if (weightDecay != 0) g += weightDecay * w[i];
                if (momentum != 0) {
                    b[i] = t > 1 ? momentum * b[i] + (1 - dampening) * g : g;
                    g = nesterov ? g + momentum * b[i] : b[i];
                }
                w[i] -= lr * g;
            }
            out[t - 1] = w.clone();
        }
        return out;
    }

    static double[][] sgd(SGD.Options o) {
        return run(ps -> new SGD(ps, o), W0, GRADS);
    }

    @Test
    void plainStepsFollowTheFormula() {
        assertTrajectory(reference(0.1, 0, 0, 0, false), sgd(SGD.Options.defaults().lr(0.1)));
        assertTrajectory(reference(0.1, 0, 0, 0, false), run(ps -> new SGD(ps, 0.1), W0, GRADS));
    }

    @Test
    void momentumFollowsTheFormula() {
        double[][] actual = sgd(SGD.Options.defaults().lr(0.1).momentum(0.9));
        assertTrajectory(reference(0.1, 0.9, 0, 0, false), actual);
        assertDiffers(reference(0.1, 0, 0, 0, false), actual);
    }

    @Test
    void dampeningScalesNewGradientsAfterTheFirstStep() {
        double[][] actual = sgd(SGD.Options.defaults().lr(0.1).momentum(0.9).dampening(0.5));
        assertTrajectory(reference(0.1, 0.9, 0.5, 0, false), actual);
        assertDiffers(reference(0.1, 0.9, 0, 0, false), actual);
    }

    @Test
    void nesterovFollowsTheFormula() {
        double[][] actual = sgd(SGD.Options.defaults().lr(0.1).momentum(0.9).nesterov(true));
        assertTrajectory(reference(0.1, 0.9, 0, 0, true), actual);
        assertDiffers(reference(0.1, 0.9, 0, 0, false), actual);
    }

    @Test
    void weightDecayAddsAnL2Term() {
        double[][] actual = sgd(SGD.Options.defaults().lr(0.1).momentum(0.5).weightDecay(0.2));
        assertTrajectory(reference(0.1, 0.5, 0, 0.2, false), actual);
        assertDiffers(reference(0.1, 0.5, 0, 0, false), actual);
    }

    @Test
    void goldenNumbersWorkedByHand() {
        // w = 1, g = 0.5 on both steps, lr = 0.1, momentum 0.9:
        //   step 1: b = g = 0.5,                 w = 1 − 0.1·0.5    = 0.95
        //   step 2: b = 0.9·0.5 + 0.5 = 0.95,    w = 0.95 − 0.1·0.95 = 0.855
        // Nesterov on the same numbers uses g + μ·b:
        //   step 1: b = 0.5, g' = 0.5 + 0.45 = 0.95,   w = 1 − 0.095    = 0.905
        //   step 2: b = 0.95, g' = 0.5 + 0.855 = 1.355, w = 0.905 − 0.1355 = 0.7695
        assertArrayEquals(new double[] {0.95, 0.855}, twoSteps(SGD.Options.defaults().lr(0.1).momentum(0.9)), 1e-6);
        assertArrayEquals(new double[] {0.905, 0.7695}, twoSteps(SGD.Options.defaults().lr(0.1).momentum(0.9).nesterov(true)), 1e-6);
    }

    private static double[] twoSteps(SGD.Options o) {
        Parameter p = param(1.0);
        SGD opt = new SGD(List.of(p), o);
        setGrad(p, 0.5);
        opt.step();
        double first = p.data()[0];
        setGrad(p, 0.5);
        opt.step();
        return new double[] {first, p.data()[0]};
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new SGD.Options(1e-3, 0, 0, 0, false), SGD.Options.defaults());
    }

    @Test
    void invalidHyperparametersAreNamed() {
        var d = SGD.Options.defaults();
        assertEquals("Invalid learning rate: -0.1", assertThrows(IllegalArgumentException.class, () -> d.lr(-0.1)).getMessage());
        assertEquals("Invalid momentum value: -0.5 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.momentum(-0.5)).getMessage());
        assertEquals("Invalid dampening value: 1.5 (must be in [0, 1])",
                assertThrows(IllegalArgumentException.class, () -> d.dampening(1.5)).getMessage());
        assertEquals("Invalid weight_decay value: NaN (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.weightDecay(Double.NaN)).getMessage());
        List<Parameter> ps = List.of(param(1.0));
        assertEquals("Nesterov momentum requires a momentum and zero dampening (momentum=0.0, dampening=0.0)",
                assertThrows(IllegalArgumentException.class, () -> new SGD(ps, d.nesterov(true))).getMessage());
        assertEquals("Nesterov momentum requires a momentum and zero dampening (momentum=0.9, dampening=0.1)",
                assertThrows(IllegalArgumentException.class,
                        () -> new SGD(ps, d.nesterov(true).momentum(0.9).dampening(0.1))).getMessage());
        // The order of the calls does not matter: nesterov first, momentum after, is valid.
        new SGD(ps, d.nesterov(true).momentum(0.9));
    }
}

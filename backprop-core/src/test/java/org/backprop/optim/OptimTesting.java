package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.function.Function;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;

/** Shared fixtures: a small parameter driven by fixed gradients, and comparisons with double references. */
final class OptimTesting {
    private OptimTesting() {}

    /** Starting weights; the third gradient of step 1 is 0 to cover a zero gradient. */
    static final double[] W0 = {1.0, -0.5, 0.25, 2.0};

    /** One gradient per step, chosen so that signs and sizes change between steps. */
    static final double[][] GRADS = {
        {0.5, -1.5, 0.0, 2.0},
        {-0.3, 0.8, 1.0, 0.25},
        {0.9, -0.1, -2.0, 0.5},
    };

    /** Tolerance for float32 arithmetic against a double reference of values near 1. */
    static final double TOL = 2e-6;

    static Parameter param(double... values) {
        return new Parameter(Tensor.of(f(values), values.length));
    }

    static void setGrad(Parameter p, double... g) {
        p.value().clearGrad();
        p.value().accumulateGrad(Tensor.of(f(g), g.length));
    }

    /** Weights after each step of the optimizer made by {@code make}, fed {@code grads} in turn. */
    static double[][] run(Function<List<Parameter>, Optimizer> make, double[] w0, double[][] grads) {
        Parameter p = param(w0);
        Optimizer opt = make.apply(List.of(p));
        double[][] out = new double[grads.length][];
        for (int t = 0; t < grads.length; t++) {
            setGrad(p, grads[t]);
            opt.step();
            out[t] = d(p.data());
        }
        return out;
    }

    /** Every step's weights equal the reference within {@link #TOL} (relative above 1). */
    static void assertTrajectory(double[][] expected, double[][] actual) {
        assertEquals(expected.length, actual.length);
        for (int t = 0; t < expected.length; t++) {
            for (int i = 0; i < expected[t].length; i++) {
                double tol = TOL * Math.max(1, Math.abs(expected[t][i]));
                assertEquals(expected[t][i], actual[t][i], tol, "step " + (t + 1) + ", weight " + i);
            }
        }
    }

    /**
     * The option under test changes the result by far more than the tolerance: a rule that
     * ignored it would fail {@link #assertTrajectory}. Guards against options too weak to test.
     */
    static void assertDiffers(double[][] without, double[][] actual) {
        double max = 0;
        for (int t = 0; t < actual.length; t++) {
            for (int i = 0; i < actual[t].length; i++) max = Math.max(max, Math.abs(without[t][i] - actual[t][i]));
        }
        assertTrue(max > 1e-3, "the option changes the weights by only " + max);
    }

    static float[] f(double[] v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    static double[] d(float[] v) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++) out[i] = v[i];
        return out;
    }

    /** The weights and gradients as float32 sees them, so references start from the same numbers. */
    static double[] asFloat(double[] v) {
        return d(f(v));
    }

    static double[][] asFloat(double[][] v) {
        double[][] out = new double[v.length][];
        for (int i = 0; i < v.length; i++) out[i] = asFloat(v[i]);
        return out;
    }
}

package org.backprop.tensor;

import java.util.Random;
import java.util.function.Function;
import org.backprop.autograd.GradCheck;

/** Test inputs: dense leaves that require grad, with values chosen to keep away from kinks and ties. */
public final class Fixtures {
    private Fixtures() {}

    /** Uniform values in [lo, hi), requiring grad. */
    public static Tensor uniform(Random rng, double lo, double hi, int... shape) {
        float[] v = new float[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) v[i] = (float) (lo + (hi - lo) * rng.nextDouble());
        return Tensor.wrap(v, shape).requiresGrad(true);
    }

    /** Values with |x| in [min, max] and random sign: away from the kink at 0 of relu, abs and the like. */
    public static Tensor awayFromZero(Random rng, double min, double max, int... shape) {
        float[] v = new float[Shape.numel(shape)];
        for (int i = 0; i < v.length; i++) {
            double m = min + (max - min) * rng.nextDouble();
            v[i] = (float) (rng.nextBoolean() ? m : -m);
        }
        return Tensor.wrap(v, shape).requiresGrad(true);
    }

    /**
     * Values of both tensors together are pairwise at least 0.2 apart (a shuffled grid plus small
     * jitter), so no max, maximum or minimum has a tie within the finite-difference step.
     */
    public static Tensor[] separated(Random rng, int[]... shapes) {
        int total = 0;
        for (int[] s : shapes) total += Shape.numel(s);
        int[] perm = new int[total];
        for (int i = 0; i < total; i++) perm[i] = i;
        for (int i = total - 1; i > 0; i--) {
            int j = rng.nextInt(i + 1);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        double spacing = 3.0 / Math.max(total, 1);
        double step = Math.max(spacing, 0.25);
        Tensor[] out = new Tensor[shapes.length];
        int p = 0;
        for (int k = 0; k < shapes.length; k++) {
            float[] v = new float[Shape.numel(shapes[k])];
            for (int i = 0; i < v.length; i++) {
                v[i] = (float) ((perm[p++] - total / 2.0) * step + 0.05 * rng.nextDouble());
            }
            out[k] = Tensor.wrap(v, shapes[k]).requiresGrad(true);
        }
        return out;
    }

    /** Runs {@link GradCheck} with its defaults; fails the test on a mismatch. */
    public static void gradcheck(Function<Tensor[], Tensor> f, Tensor... inputs) {
        GradCheck.check(f, inputs);
    }

    public static float[] floats(double... v) {
        float[] out = new float[v.length];
        for (int i = 0; i < v.length; i++) out[i] = (float) v[i];
        return out;
    }

    /** The tensor's values widened to double, row-major. */
    public static double[] doubles(Tensor t) {
        float[] f = t.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) out[i] = f[i];
        return out;
    }
}

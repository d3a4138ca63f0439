package org.backprop.loss;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/** Argument checks shared by the losses; every message starts with the loss's name. */
final class Checks {
    private Checks() {}

    /** Pointwise losses compare element by element: no broadcasting, which hides label-shape bugs. */
    static void sameShape(String loss, Tensor prediction, Tensor target) {
        if (!Shape.same(prediction.shape(), target.shape())) {
            throw new IllegalArgumentException(loss + ": prediction shape " + Shape.str(prediction.shape())
                    + " and target shape " + Shape.str(target.shape()) + " differ; they must be equal");
        }
    }

    static void nonEmpty(String loss, Tensor prediction) {
        if (prediction.numel() == 0) {
            throw new IllegalArgumentException(loss + ": the batch is empty (prediction shape "
                    + Shape.str(prediction.shape()) + "); a mean over no samples is undefined");
        }
    }

    /**
     * Checks scores of shape [N, C] against class indices of shape [N] (float values that must be
     * integers in 0..C−1) and returns the indices.
     */
    static int[] classTargets(String loss, String what, Tensor scores, Tensor target) {
        int[] s = scores.shape(), t = target.shape();
        if (s.length != 2) {
            throw new IllegalArgumentException(loss + ": expects " + what + " of shape [N, C], got "
                    + Shape.str(s) + " (target shape " + Shape.str(t) + ")");
        }
        int n = s[0], c = s[1];
        if (t.length != 1 || t[0] != n) {
            throw new IllegalArgumentException(loss + ": " + what + " of shape " + Shape.str(s)
                    + " need a target of class indices of shape [" + n + "], got target shape " + Shape.str(t));
        }
        if (n == 0) {
            throw new IllegalArgumentException(loss + ": the batch is empty (" + what + " shape " + Shape.str(s)
                    + "); a mean over no samples is undefined");
        }
        if (c == 0) {
            throw new IllegalArgumentException(loss + ": " + what + " of shape " + Shape.str(s) + " have no classes");
        }
        float[] v = target.toFloatArray();
        int[] classes = new int[n];
        for (int i = 0; i < n; i++) {
            float y = v[i];
            if (!(y == Math.rint(y))) {
                throw new IllegalArgumentException(loss + ": target[" + i + "] = " + y
                        + " is not a class index (an integer in 0.." + (c - 1) + ")");
            }
            if (y < 0 || y >= c) {
                throw new IllegalArgumentException(loss + ": target[" + i + "] = " + (long) y
                        + " is out of range for " + c + " classes (0.." + (c - 1) + ")");
            }
            classes[i] = (int) y;
        }
        return classes;
    }

    /** The multi-index of flat position {@code flat} in a row-major shape, e.g. {@code [1, 2]}. */
    static String index(int[] shape, int flat) {
        int[] idx = new int[shape.length];
        for (int d = shape.length - 1; d >= 0; d--) {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
        return java.util.Arrays.toString(idx);
    }
}

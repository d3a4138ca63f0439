package org.backprop.loss;

import org.backprop.tensor.Tensor;

/**
 * The machinery behind losses that are a reduction of one term per element, ℓ(hᵢ, yᵢ): one fused
 * operation whose forward sums the terms in double precision and whose backward writes
 * scale·g·∂ℓ/∂h (and ∂ℓ/∂y when the target requires grad), instead of a chain of primitive ops
 * each allocating a tensor and recording a node.
 */
final class Pointwise {
    private Pointwise() {}

    /** One loss term and its partial derivatives. */
    interface Term {
        double value(double h, double y);

        double dPrediction(double h, double y);

        /** ∂ℓ/∂y; the default is right for any term that is a function of h − y. */
        default double dTarget(double h, double y) {
            return -dPrediction(h, y);
        }

        /** Rejects a prediction outside the term's domain; {@code flat} is its row-major index in {@code shape}. */
        default void checkPrediction(String loss, int[] shape, int flat, float h) {}
    }

    static Tensor apply(String loss, Tensor prediction, Tensor target, Reduction reduction, Term term) {
        Checks.sameShape(loss, prediction, target);
        Checks.nonEmpty(loss, prediction);
        int[] shape = prediction.shape();
        float[] h = prediction.toFloatArray(); // copies: an optimizer step before backward cannot change them
        float[] y = target.toFloatArray();
        for (int i = 0; i < h.length; i++) term.checkPrediction(loss, shape, i, h[i]);
        double sum = 0;
        for (int i = 0; i < h.length; i++) sum += term.value(h[i], y[i]);
        double scale = reduction.scale(h.length);
        return Tensor.fromOperation(new float[] {(float) (sum * scale)}, new int[0], loss, g -> {
            double s = scale * g.item();
            Tensor dh = null, dy = null;
            if (prediction.requiresGrad()) {
                float[] d = new float[h.length];
                for (int i = 0; i < d.length; i++) d[i] = (float) (s * term.dPrediction(h[i], y[i]));
                dh = Tensor.wrap(d, shape);
            }
            if (target.requiresGrad()) {
                float[] d = new float[y.length];
                for (int i = 0; i < d.length; i++) d[i] = (float) (s * term.dTarget(h[i], y[i]));
                dy = Tensor.wrap(d, shape);
            }
            return new Tensor[] {dh, dy};
        }, prediction, target);
    }
}

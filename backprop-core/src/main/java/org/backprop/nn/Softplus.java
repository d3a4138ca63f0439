package org.backprop.nn;

import org.backprop.tensor.Tensor;

/**
 * softplus(x) = (1/β)·log(1 + e^(βx)), a smooth ReLU, as PyTorch's {@code nn.Softplus}: where
 * βx &gt; {@code threshold} it is x itself (the difference is below float precision there).
 * Derivative σ(βx) (1 above the threshold). Computed in double as log1p(e^(−|βx|)) + max(βx, 0),
 * which neither overflows nor loses the small values.
 */
public final class Softplus extends Module {
    public final float beta;
    public final float threshold;

    /** β = 1, threshold 20 (PyTorch's defaults). */
    public Softplus() {
        this(1f, 20f);
    }

    public Softplus(float beta, float threshold) {
        if (!(beta > 0)) throw new IllegalArgumentException("Softplus: beta must be positive, got " + beta);
        this.beta = beta;
        this.threshold = threshold;
    }

    @Override
    public Tensor forward(Tensor x) {
        return softplus(x, beta, threshold);
    }

    /** The function on any tensor; differentiable. */
    public static Tensor softplus(Tensor x, float beta, float threshold) {
        float[] v = x.toFloatArray();
        float[] y = new float[v.length];
        for (int i = 0; i < v.length; i++) {
            double bx = (double) beta * v[i];
            y[i] = bx > threshold ? v[i] : (float) ((Math.log1p(Math.exp(-Math.abs(bx))) + Math.max(bx, 0)) / beta);
        }
        return Tensor.fromOperation(y, x.shape(), "softplus", grad -> {
            float[] g = grad.toFloatArray();
            float[] gi = new float[g.length];
            for (int i = 0; i < g.length; i++) {
                double bx = (double) beta * v[i];
                gi[i] = bx > threshold ? g[i] : (float) (g[i] / (1 + Math.exp(-bx)));
            }
            return new Tensor[] {Tensor.wrap(gi, x.shape())};
        }, x);
    }

    @Override
    protected String extraRepr() {
        return "beta=" + beta + ", threshold=" + threshold;
    }
}

package org.backprop.loss;

/**
 * How a loss turns its per-element (or per-sample) terms ℓᵢ into one scalar, as PyTorch's
 * {@code reduction} argument. There is no {@code NONE}: a {@link Loss} returns a scalar.
 */
public enum Reduction {
    /**
     * (1/n)·Σ ℓᵢ, PyTorch's default. For pointwise losses n counts every element of the
     * prediction; for class-index losses it is the batch size N.
     */
    MEAN,
    /** Σ ℓᵢ: the loss grows with the batch, so the learning rate has to shrink with it. */
    SUM;

    /** The factor each term is multiplied by, for {@code count} terms (count &gt; 0). */
    double scale(int count) {
        return this == MEAN ? 1.0 / count : 1.0;
    }
}

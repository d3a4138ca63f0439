package org.backprop.nn;

import java.util.Random;
import org.backprop.tensor.Tensor;

/**
 * Inverted dropout: in training each value is zeroed with probability p and the kept ones are
 * scaled by 1/(1 − p), so the expected output equals the input and evaluation needs no
 * rescaling; in evaluation mode the layer is the identity. Any shape. The masks come from the
 * {@link Random} given at construction, so a seed fixes them.
 */
public final class Dropout extends Module {
    public final float p;
    private final Random rng;

    public Dropout(float p, Random rng) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("Dropout: probability must be in [0, 1], got " + p);
        }
        this.p = p;
        this.rng = rng;
    }

    @Override
    public Tensor forward(Tensor x) {
        if (!isTraining() || p == 0) return x;
        float[] mask = new float[x.numel()]; // same shape as x: 0 or 1/(1 − p); with p = 1 everything is dropped
        float keep = p == 1 ? 0f : 1f / (1 - p);
        for (int i = 0; i < mask.length; i++) mask[i] = rng.nextFloat() < p ? 0f : keep;
        return x.mul(Tensor.wrap(mask, x.shape()));
    }

    @Override
    protected String extraRepr() {
        return "p=" + p;
    }
}

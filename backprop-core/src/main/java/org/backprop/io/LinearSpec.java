package org.backprop.io;

import java.util.Random;
import org.backprop.nn.Linear;

/**
 * A dense layer {@code y = x·Wᵀ + b}, saved as {@code <index>.weight} [out, in] and
 * {@code <index>.bias} [out], as PyTorch's {@code nn.Linear(in, out, bias)}.
 */
public record LinearSpec(int in, int out, boolean bias) implements LayerSpec {
    public LinearSpec {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("LinearSpec: sizes must be positive, got in=" + in + ", out=" + out);
        }
    }

    /** The spec of an existing layer. */
    public static LinearSpec of(Linear layer) {
        return new LinearSpec(layer.in, layer.out, layer.bias != null);
    }

    @Override
    public Linear build(Random rng) {
        return bias ? new Linear(in, out, rng) : new Linear(in, out, false, org.backprop.nn.Init.pytorchDefault(), rng);
    }

    @Override
    public String describe() {
        return "Linear(in=" + in + ", out=" + out + ", bias=" + bias + ")";
    }
}

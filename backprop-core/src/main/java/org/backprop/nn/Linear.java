package org.backprop.nn;

import java.util.Random;
import org.backprop.tensor.Tensor;

/**
 * Dense layer: y = x·Wᵀ + b. Input [..., in], output [..., out].
 * The weight is stored [out, in] as in PyTorch, so saved files use the same layout; the product
 * reads it through a transposed view, with no copy.
 */
public final class Linear extends Module {
    public final int in;
    public final int out;
    public final Parameter weight; // (out, in)
    public final Parameter bias;   // (out) or null

    /**
     * A layer with bias and PyTorch's default initialisation: weight and bias both drawn from
     * U(−1/√in, 1/√in).
     */
    public Linear(int in, int out, Random rng) {
        this(in, out, true, Init.pytorchDefault(), Init.uniform(1.0 / Math.sqrt(in)), rng);
    }

    /** A layer whose weight uses {@code init} (e.g. {@link Init#heNormal()}); the bias starts at zero. */
    public Linear(int in, int out, boolean bias, Init init, Random rng) {
        this(in, out, bias, init, Init.zeros(), rng);
    }

    private Linear(int in, int out, boolean bias, Init weightInit, Init biasInit, Random rng) {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Linear: sizes must be positive, got in=" + in + ", out=" + out);
        }
        this.in = in;
        this.out = out;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(out, in)));
        weightInit.fill(weight.value(), rng);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(Tensor.zeros(out)));
            biasInit.fill(this.bias.value(), rng);
        } else {
            this.bias = null;
        }
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.size(-1) != in) {
            throw new IllegalArgumentException("Linear(" + in + "→" + out + "): input has " + x.size(-1)
                    + " features in its last axis, expected " + in + " (input shape "
                    + org.backprop.tensor.Shape.str(x.shape()) + ")");
        }
        Tensor y = x.matmul(weight.value().t());
        return bias == null ? y : y.add(bias.value());
    }

    @Override
    protected String extraRepr() {
        return "in=" + in + ", out=" + out + ", bias=" + (bias != null);
    }
}

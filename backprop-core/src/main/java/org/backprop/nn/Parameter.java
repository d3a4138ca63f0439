package org.backprop.nn;

import org.backprop.tensor.Tensor;

/**
 * A trainable tensor of a module: a leaf that requires grad. Optimizers update its data in place
 * ({@link Tensor#array()}) between steps; its name is the module path that holds it
 * ({@code 0.weight}), given by {@link Module#namedParameters()}.
 */
public final class Parameter {
    private final Tensor value;

    public Parameter(Tensor value) {
        if (!value.isDense()) {
            throw new IllegalArgumentException("Parameter: the tensor must be dense (own its whole array); copy it first");
        }
        this.value = value;
        value.requiresGrad(true);
    }

    /** The tensor to use in forward computations. */
    public Tensor value() {
        return value;
    }

    /** The accumulated gradient, or {@code null} before the first backward pass reached this parameter. */
    public Tensor grad() {
        return value.grad();
    }

    /** The values, in place (row-major). */
    public float[] data() {
        return value.array();
    }

    public int[] shape() {
        return value.shape();
    }

    public int numel() {
        return value.numel();
    }

    public void zeroGrad() {
        value.zeroGrad();
    }

    @Override
    public String toString() {
        return "Parameter" + org.backprop.tensor.Shape.str(value.shape());
    }
}

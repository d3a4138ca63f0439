package org.backprop.loss;

import org.backprop.tensor.Tensor;

/**
 * A loss: a scalar measure of how far predictions are from targets, whose gradient training
 * follows. {@code apply} returns a scalar tensor (mean over the batch unless a loss says
 * otherwise) that {@code backward()} can be called on.
 */
@FunctionalInterface
public interface Loss {
    Tensor apply(Tensor prediction, Tensor target);
}

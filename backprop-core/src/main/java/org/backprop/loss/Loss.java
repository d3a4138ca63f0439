package org.backprop.loss;

import org.backprop.tensor.Tensor;

/**
 * A loss: a scalar measure of how far predictions are from targets, whose gradient training
 * follows. {@code apply} returns a scalar tensor (mean over the batch unless a loss says
 * otherwise) that {@code backward()} can be called on.
 *
 * <p>A loss is {@link java.io.Serializable} so that distributed training (backprop-spark) can
 * ship the user's own loss object to the workers: loss records serialise as they are, and a
 * lambda typed as {@code Loss} is serialisable as long as what it captures is.
 */
@FunctionalInterface
public interface Loss extends java.io.Serializable {
    Tensor apply(Tensor prediction, Tensor target);
}

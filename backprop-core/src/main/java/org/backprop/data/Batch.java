package org.backprop.data;

import org.backprop.tensor.Tensor;

/**
 * One mini-batch: dense copies of some rows of a {@link Dataset}.
 *
 * @param indices the dataset rows in this batch, in batch order
 */
public record Batch(Tensor features, Tensor targets, int[] indices) {

    /** Number of samples in the batch. */
    public int size() {
        return indices.length;
    }
}

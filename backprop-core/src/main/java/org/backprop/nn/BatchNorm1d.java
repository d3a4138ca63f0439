package org.backprop.nn;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Batch normalisation of features: input [N, C] or [N, C, L], output the same shape. Statistics
 * per channel over the batch (and L). See {@link BatchNorm} for training and evaluation modes.
 */
public final class BatchNorm1d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm1d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f);
    }

    public BatchNorm1d(int numFeatures, float eps, float momentum) {
        super(numFeatures, eps, momentum);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if ((s.length != 2 && s.length != 3) || s[1] != numFeatures) {
            throw new IllegalArgumentException("BatchNorm1d(" + numFeatures + "): expected input [N, " + numFeatures
                    + "] or [N, " + numFeatures + ", L], got " + Shape.str(s));
        }
        return normalize(x);
    }
}

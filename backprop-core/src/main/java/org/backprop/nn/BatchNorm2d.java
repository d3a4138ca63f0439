package org.backprop.nn;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Batch normalisation of image channels: input [N, C, H, W], output the same shape. Statistics
 * per channel over the batch and every pixel. See {@link BatchNorm} for training and evaluation modes.
 */
public final class BatchNorm2d extends BatchNorm {

    /** PyTorch's defaults: eps 1e-5, momentum 0.1. */
    public BatchNorm2d(int numFeatures) {
        this(numFeatures, 1e-5f, 0.1f);
    }

    public BatchNorm2d(int numFeatures, float eps, float momentum) {
        super(numFeatures, eps, momentum);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 4 || s[1] != numFeatures) {
            throw new IllegalArgumentException("BatchNorm2d(" + numFeatures + "): expected input [N, " + numFeatures
                    + ", H, W], got " + Shape.str(s));
        }
        return normalize(x);
    }
}

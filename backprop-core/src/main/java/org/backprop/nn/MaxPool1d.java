package org.backprop.nn;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Max pooling over each channel of a sequence: input [N, C, L], output [N, C, OL] with
 * OL = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1; padding never wins. Runs as {@link MaxPool2d#maxPool2d}
 * on rows one high; the gradient goes to each window's (first) maximum.
 */
public final class MaxPool1d extends Module {
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int dilation;

    /** Stride = kernel (non-overlapping), no padding. */
    public MaxPool1d(int kernel) {
        this(kernel, kernel, 0, 1);
    }

    public MaxPool1d(int kernel, int stride, int padding, int dilation) {
        Pooling.checkPadding("MaxPool1d", Conv1d.window(kernel, stride, padding, dilation));
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 3) throw new IllegalArgumentException("MaxPool1d: expected input [N, C, L], got " + Shape.str(s));
        Tensor y = MaxPool2d.maxPool2d(x.reshape(s[0], s[1], 1, s[2]), Conv1d.window(kernel, stride, padding, dilation));
        return y.reshape(s[0], s[1], y.size(3));
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + (dilation != 1 ? ", dilation=" + dilation : "");
    }
}

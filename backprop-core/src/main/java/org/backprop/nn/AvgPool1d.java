package org.backprop.nn;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Average pooling over each channel of a sequence: input [N, C, L], output [N, C, OL] with
 * OL = ⌊(L + 2p − k)/s⌋ + 1. Padding counts as zeros in the average unless
 * {@code countIncludePad} is false, as in PyTorch. Runs as {@link AvgPool2d#avgPool2d} on rows one high.
 */
public final class AvgPool1d extends Module {
    public final int kernel;
    public final int stride;
    public final int padding;
    public final boolean countIncludePad;

    /** Stride = kernel (non-overlapping), no padding. */
    public AvgPool1d(int kernel) {
        this(kernel, kernel, 0, true);
    }

    public AvgPool1d(int kernel, int stride, int padding, boolean countIncludePad) {
        Pooling.checkPadding("AvgPool1d", Conv1d.window(kernel, stride, padding, 1));
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.countIncludePad = countIncludePad;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 3) throw new IllegalArgumentException("AvgPool1d: expected input [N, C, L], got " + Shape.str(s));
        Tensor y = AvgPool2d.avgPool2d(x.reshape(s[0], s[1], 1, s[2]), Conv1d.window(kernel, stride, padding, 1), countIncludePad);
        return y.reshape(s[0], s[1], y.size(3));
    }

    @Override
    protected String extraRepr() {
        return "kernel=" + kernel + ", stride=" + stride + ", padding=" + padding + ", countIncludePad=" + countIncludePad;
    }
}

package org.backprop.nn;

import java.util.Random;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * 1-D convolution (cross-correlation) over sequences: input [N, C, L], output [N, out, OL] with
 * OL = ⌊(L + 2p − d(k−1) − 1)/s⌋ + 1. The weight is stored [out, in, k] as in PyTorch. Runs as
 * {@link Conv2d#conv2d} on images one row high (a view of the same data), so it shares that
 * lowering onto matrix products and its backward.
 */
public final class Conv1d extends Module {
    public final int inChannels;
    public final int outChannels;
    public final int kernel;
    public final int stride;
    public final int padding;
    public final int dilation;
    public final Parameter weight; // [out, in, k]
    public final Parameter bias;   // [out] or null

    /** Stride 1, no padding, a bias. */
    public Conv1d(int inChannels, int outChannels, int kernel, Random rng) {
        this(inChannels, outChannels, kernel, 1, 0, 1, true, rng);
    }

    /** Weight and bias drawn as PyTorch does: U(−1/√fan_in, 1/√fan_in), fan_in = in·k. */
    public Conv1d(int inChannels, int outChannels, int kernel, int stride, int padding, int dilation, boolean bias, Random rng) {
        if (inChannels <= 0 || outChannels <= 0) {
            throw new IllegalArgumentException("Conv1d: channel counts must be positive, got in=" + inChannels + ", out=" + outChannels);
        }
        window(kernel, stride, padding, dilation); // validates
        this.inChannels = inChannels;
        this.outChannels = outChannels;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
        this.weight = registerParameter("weight", new Parameter(Tensor.zeros(outChannels, inChannels, kernel)));
        Init.pytorchDefault().fill(weight.value(), rng);
        if (bias) {
            this.bias = registerParameter("bias", new Parameter(Tensor.zeros(outChannels)));
            Init.uniform(1.0 / Math.sqrt(inChannels * kernel)).fill(this.bias.value(), rng);
        } else {
            this.bias = null;
        }
    }

    /** The 1-D window as a 2-D one of height 1. */
    static Window2d window(int kernel, int stride, int padding, int dilation) {
        return new Window2d(1, kernel, 1, stride, 0, padding, 1, dilation);
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        if (s.length != 3 || s[1] != inChannels) {
            throw new IllegalArgumentException("Conv1d: expected input [N, " + inChannels + ", L], got " + Shape.str(s));
        }
        Tensor w = weight.value().reshape(outChannels, inChannels, 1, kernel);
        Tensor y = Conv2d.conv2d(x.reshape(s[0], s[1], 1, s[2]), w, bias == null ? null : bias.value(),
                window(kernel, stride, padding, dilation));
        return y.reshape(s[0], outChannels, y.size(3));
    }

    @Override
    protected String extraRepr() {
        return "in=" + inChannels + ", out=" + outChannels + ", kernel=" + kernel + ", stride=" + stride + ", padding=" + padding
                + (dilation != 1 ? ", dilation=" + dilation : "") + ", bias=" + (bias != null);
    }
}

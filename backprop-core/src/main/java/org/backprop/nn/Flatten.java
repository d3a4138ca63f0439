package org.backprop.nn;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Merges the axes from {@code startAxis} to {@code endAxis} (inclusive; negative counts from the
 * end) into one, as PyTorch's Flatten: by default [N, C, H, W] → [N, C·H·W], between the
 * convolutional part of a network and its dense layers. A view when the input is contiguous.
 */
public final class Flatten extends Module {
    public final int startAxis;
    public final int endAxis;

    /** Flattens every axis but the first (the batch). */
    public Flatten() {
        this(1, -1);
    }

    public Flatten(int startAxis, int endAxis) {
        this.startAxis = startAxis;
        this.endAxis = endAxis;
    }

    @Override
    public Tensor forward(Tensor x) {
        int[] s = x.shape();
        int a = Shape.axis(startAxis, s.length, "Flatten"), b = Shape.axis(endAxis, s.length, "Flatten");
        if (a > b) {
            throw new IllegalArgumentException("Flatten: start axis " + startAxis + " comes after end axis " + endAxis
                    + " for input " + Shape.str(s));
        }
        int[] ns = new int[s.length - (b - a)];
        for (int i = 0; i < a; i++) ns[i] = s[i];
        ns[a] = 1;
        for (int i = a; i <= b; i++) ns[a] *= s[i];
        for (int i = b + 1; i < s.length; i++) ns[i - (b - a)] = s[i];
        return x.reshape(ns);
    }

    @Override
    protected String extraRepr() {
        return "startAxis=" + startAxis + ", endAxis=" + endAxis;
    }
}

package org.backprop.bench;

import org.backprop.tensor.Tensor;

/**
 * A stand-in for the loss the benchmark needs, used only until the library's own
 * {@code loss.CrossEntropyLoss} reaches the main branch (then {@link Mlp} switches to it and
 * this file goes). Same arithmetic as PyTorch's default cross-entropy.
 */
final class StandIns {
    private StandIns() {}

    /** Mean softmax cross-entropy of logits [N, C] against class indices [N], from library primitives. */
    static Tensor crossEntropy(Tensor logits, Tensor labels) {
        int n = logits.size(0), c = logits.size(1);
        float[] oneHot = new float[n * c];
        float[] y = labels.toFloatArray();
        for (int i = 0; i < n; i++) oneHot[i * c + (int) y[i]] = 1f;
        return logits.logSoftmax(1).mul(Tensor.wrap(oneHot, n, c)).sum().mul(-1f / n);
    }
}

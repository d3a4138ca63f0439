package org.backprop.train;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.backprop.data.Dataset;
import org.backprop.loss.Loss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/** Losses and models defined here so the training tests do not depend on the loss package's classes. */
final class TestSupport {
    private TestSupport() {}

    /** Mean squared error. */
    static final Loss MSE = (h, y) -> h.sub(y).square().mean();

    /** Cross-entropy from logits [N, C] and class indices [N]: −mean(log softmax picked at the target). */
    static final Loss CROSS_ENTROPY = (logits, y) -> {
        int n = logits.size(0), c = logits.size(1);
        float[] oneHot = new float[n * c];
        float[] t = y.toFloatArray();
        for (int i = 0; i < n; i++) oneHot[i * c + (int) t[i]] = 1;
        return logits.logSoftmax(1).mul(Tensor.wrap(oneHot, n, c)).sum().mul(-1f / n);
    };

    static Sequential mlp(long seed, int... sizes) {
        Random rng = new Random(seed);
        Sequential net = new Sequential();
        for (int i = 0; i + 1 < sizes.length; i++) {
            if (i > 0) net.add(new Activation.ReLU());
            net.add(new Linear(sizes[i], sizes[i + 1], rng));
        }
        return net;
    }

    /** y = 2·x₀ − x₁ + 0.5 (+ noise) for x uniform in [−1, 1]². Targets [n, 1]. */
    static Dataset linear(int n, long seed, double noise) {
        Random rng = new Random(seed);
        float[] x = new float[n * 2];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = rng.nextFloat() * 2 - 1;
            x[2 * i + 1] = rng.nextFloat() * 2 - 1;
            y[i] = (float) (2 * x[2 * i] - x[2 * i + 1] + 0.5 + noise * rng.nextGaussian());
        }
        return new Dataset(Tensor.wrap(x, n, 2), Tensor.wrap(y, n, 1));
    }

    /** Deep copies of a module's state. */
    static Map<String, float[]> weights(Module m) {
        Map<String, float[]> out = new LinkedHashMap<>();
        m.stateDict().forEach((k, v) -> out.put(k, v.toFloatArray()));
        return out;
    }
}

package org.backprop.nn;

import java.util.Random;
import org.backprop.tensor.Tensor;

/**
 * Weight initialisers. Fan-in and fan-out are read from the weight's shape as PyTorch does:
 * for [out, in, k...] fan-in = in·∏k and fan-out = out·∏k. Every initialiser draws from the
 * {@link Random} it is given, so a seed fixes the network.
 */
@FunctionalInterface
public interface Init {
    void fill(Tensor weight, Random rng);

    /** Xavier/Glorot uniform: U(−a, a), a = √(6 / (fan_in + fan_out)). For tanh and sigmoid. */
    static Init xavierUniform() {
        return (w, rng) -> uniform(w, Math.sqrt(6.0 / (fanIn(w) + fanOut(w))), rng);
    }

    /** Xavier/Glorot normal: N(0, 2 / (fan_in + fan_out)). */
    static Init xavierNormal() {
        return (w, rng) -> normal(w, Math.sqrt(2.0 / (fanIn(w) + fanOut(w))), rng);
    }

    /** He/Kaiming uniform (fan-in, ReLU gain √2): U(−a, a), a = √(6 / fan_in). */
    static Init heUniform() {
        return (w, rng) -> uniform(w, Math.sqrt(6.0 / fanIn(w)), rng);
    }

    /** He/Kaiming normal (fan-in, ReLU gain √2): N(0, 2 / fan_in). */
    static Init heNormal() {
        return (w, rng) -> normal(w, Math.sqrt(2.0 / fanIn(w)), rng);
    }

    /** LeCun uniform: U(−a, a), a = √(3 / fan_in). For SELU-style networks. */
    static Init lecunUniform() {
        return (w, rng) -> uniform(w, Math.sqrt(3.0 / fanIn(w)), rng);
    }

    /** LeCun normal: N(0, 1 / fan_in). */
    static Init lecunNormal() {
        return (w, rng) -> normal(w, Math.sqrt(1.0 / fanIn(w)), rng);
    }

    /**
     * PyTorch's default for Linear and Conv weights: kaiming_uniform with a = √5, which is
     * U(−1/√fan_in, 1/√fan_in).
     */
    static Init pytorchDefault() {
        return (w, rng) -> uniform(w, 1.0 / Math.sqrt(fanIn(w)), rng);
    }

    static Init zeros() {
        return constant(0f);
    }

    static Init constant(float value) {
        return (w, rng) -> java.util.Arrays.fill(w.array(), w.offset(), w.offset() + w.numel(), value);
    }

    static Init uniform(double bound) {
        return (w, rng) -> uniform(w, bound, rng);
    }

    static int fanIn(Tensor w) {
        int[] s = w.shape();
        if (s.length < 2) return s.length == 1 ? s[0] : 1;
        return s[1] * receptive(s);
    }

    static int fanOut(Tensor w) {
        int[] s = w.shape();
        if (s.length < 2) return s.length == 1 ? s[0] : 1;
        return s[0] * receptive(s);
    }

    private static int receptive(int[] s) {
        int r = 1;
        for (int i = 2; i < s.length; i++) r *= s[i];
        return r;
    }

    private static void uniform(Tensor w, double bound, Random rng) {
        float[] d = w.array();
        for (int i = w.offset(); i < w.offset() + w.numel(); i++) d[i] = (float) ((rng.nextDouble() * 2 - 1) * bound);
    }

    private static void normal(Tensor w, double std, Random rng) {
        float[] d = w.array();
        for (int i = w.offset(); i < w.offset() + w.numel(); i++) d[i] = (float) (rng.nextGaussian() * std);
    }
}

package org.backprop.text;

import java.util.Arrays;
import java.util.Random;

/**
 * Draws the next token from a model's logits: divided by the temperature, cut to the k most
 * likely (top-k, 0 = all), turned into probabilities by softmax (in double), and sampled with the
 * given seeded generator, so a seed fixes the text. Temperature 0 takes the most likely token.
 */
public final class Sampler {
    private final double temperature;
    private final int topK;
    private final Random rng;

    public Sampler(double temperature, int topK, long seed) {
        if (!(temperature >= 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("temperature must be a finite number ≥ 0, got " + temperature);
        }
        if (topK < 0) throw new IllegalArgumentException("top-k must be ≥ 0 (0 = no cut), got " + topK);
        this.temperature = temperature;
        this.topK = topK;
        this.rng = new Random(seed);
    }

    /** The token drawn from {@code logits[off, off + n)}. */
    public int next(float[] logits, int off, int n) {
        int best = off;
        for (int i = off + 1; i < off + n; i++) if (logits[i] > logits[best]) best = i;
        if (temperature == 0) return best - off;
        double cut = Double.NEGATIVE_INFINITY;
        if (topK > 0 && topK < n) {
            float[] sorted = Arrays.copyOfRange(logits, off, off + n);
            Arrays.sort(sorted);
            cut = sorted[n - topK];
        }
        double max = logits[best], total = 0;
        double[] p = new double[n];
        for (int i = 0; i < n; i++) {
            double l = logits[off + i];
            p[i] = l < cut ? 0 : Math.exp((l - max) / temperature);
            total += p[i];
        }
        double u = rng.nextDouble() * total, acc = 0;
        for (int i = 0; i < n; i++) {
            acc += p[i];
            if (u < acc) return i;
        }
        return best - off; // rounding left u at the very top
    }
}

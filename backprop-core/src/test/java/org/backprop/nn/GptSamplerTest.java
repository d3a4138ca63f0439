package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class GptSamplerTest {

    /** A small random model whose weights are large enough for peaked, position-dependent predictions. */
    private static Gpt model() {
        Gpt g = new Gpt(new Gpt.Config(11, 8, 2, 2, 16, 0f), new Random(3));
        Random rng = new Random(4);
        for (Parameter p : g.parameters()) {
            float[] w = p.data();
            for (int i = 0; i < w.length; i++) w[i] += (float) (0.3 * rng.nextGaussian());
        }
        return g;
    }

    @Test
    void cachedAndUncachedGenerationGiveTheSameTokens() {
        Gpt g = model();
        int[] prompt = {1, 5, 2};
        // 40 tokens with a context of 8: the window restarts several times
        int[] cached = new GptSampler(g).generate(prompt, 40, 0.9, new Random(7), true);
        int[] full = new GptSampler(g).generate(prompt, 40, 0.9, new Random(7), false);
        assertArrayEquals(full, cached);
        int[] other = new GptSampler(g).generate(prompt, 40, 0.9, new Random(8), true);
        assertTrue(!java.util.Arrays.equals(cached, other), "a different seed gives different text");
    }

    /**
     * The logits behind every pick agree between the paths to float rounding (the cache's
     * one-row products sum in another order than the uncached path's GEMM), so equal tokens
     * above are not luck of a flat distribution.
     */
    @Test
    void cachedAndUncachedLogitsAgree() {
        Gpt g = model();
        int[] prompt = {1, 5, 2};
        List<float[]> cached = new ArrayList<>(), full = new ArrayList<>();
        // greedy picks, so both paths see the same text whatever the logits
        int[] a = new GptSampler(g).generate(prompt, 30, recordingArgmax(cached), true);
        int[] b = new GptSampler(g).generate(prompt, 30, recordingArgmax(full), false);
        assertArrayEquals(b, a);
        for (int i = 0; i < full.size(); i++) {
            float[] f = full.get(i), c = cached.get(i);
            double spread = 0;
            for (float v : f) spread = Math.max(spread, Math.abs(v));
            assertTrue(spread > 1, "the logits at " + i + " are not flat");
            for (int j = 0; j < f.length; j++) assertEquals(f[j], c[j], 1e-4 * (1 + Math.abs(f[j])), "token " + i + ", logit " + j);
        }
    }

    private static GptSampler.Next recordingArgmax(List<float[]> into) {
        return (logits, off, n) -> {
            into.add(Arrays.copyOfRange(logits, off, off + n));
            int best = 0;
            for (int i = 1; i < n; i++) if (logits[off + i] > logits[off + best]) best = i;
            return best;
        };
    }

    @Test
    void eachNewTokenCostsOnePositionWithTheCache() {
        Gpt g = model();
        GptSampler cached = new GptSampler(g);
        cached.generate(new int[] {1, 2}, 6, 1.0, new Random(1), true); // fits the context of 8
        assertEquals(2 + 6 - 1, cached.positions());
        GptSampler full = new GptSampler(g);
        full.generate(new int[] {1, 2}, 6, 1.0, new Random(1), false);
        assertEquals(2 + 3 + 4 + 5 + 6 + 7, full.positions());
    }

    @Test
    void badArgumentsAreNamed() {
        GptSampler s = new GptSampler(model());
        assertThrows(IllegalArgumentException.class, () -> s.generate(new int[0], 3, 1.0, new Random(1), true));
        var e = assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {11}, 3, 1.0, new Random(1), true));
        assertTrue(e.getMessage().contains("token 11"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> s.generate(new int[] {1}, 3, 0, new Random(1), true));
    }
}

package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Initialiser statistics on a [400, 300] weight (fan-in 300, fan-out 400; 120 000 draws, so the
 * sample standard deviation is within about 0.5% of the true one and 3% is a safe bound).
 */
class InitTest {
    private static final int OUT = 400, IN = 300;

    private static double[] stats(Init init, long seed) {
        Tensor w = Tensor.zeros(OUT, IN);
        init.fill(w, new Random(seed));
        double sum = 0, sq = 0, maxAbs = 0;
        for (float v : w.toFloatArray()) {
            sum += v;
            sq += (double) v * v;
            maxAbs = Math.max(maxAbs, Math.abs(v));
        }
        int n = OUT * IN;
        double mean = sum / n;
        return new double[] {mean, Math.sqrt(sq / n - mean * mean), maxAbs};
    }

    private static void normal(Init init, double std) {
        double[] s = stats(init, 1);
        assertEquals(0, s[0], 5 * std / Math.sqrt(OUT * IN), "mean");
        assertEquals(std, s[1], 0.03 * std, "std");
    }

    private static void uniform(Init init, double bound) {
        double[] s = stats(init, 2);
        assertEquals(0, s[0], 5 * bound / Math.sqrt(OUT * IN), "mean");
        assertEquals(bound / Math.sqrt(3), s[1], 0.03 * bound / Math.sqrt(3), "std of U(-a, a) is a/√3");
        assertTrue(s[2] <= bound, "every value within ±" + bound + ", max |w| = " + s[2]);
        assertTrue(s[2] > 0.99 * bound, "the range is used up to its bound, max |w| = " + s[2]);
    }

    @Test
    void heNormalHasStdSqrtTwoOverFanIn() {
        normal(Init.heNormal(), Math.sqrt(2.0 / IN));
    }

    @Test
    void xavierAndLecunNormal() {
        normal(Init.xavierNormal(), Math.sqrt(2.0 / (IN + OUT)));
        normal(Init.lecunNormal(), Math.sqrt(1.0 / IN));
    }

    @Test
    void uniformInitialisers() {
        uniform(Init.heUniform(), Math.sqrt(6.0 / IN));
        uniform(Init.xavierUniform(), Math.sqrt(6.0 / (IN + OUT)));
        uniform(Init.lecunUniform(), Math.sqrt(3.0 / IN));
        uniform(Init.pytorchDefault(), 1 / Math.sqrt(IN));
        uniform(Init.uniform(0.25), 0.25);
    }

    @Test
    void constants() {
        Tensor w = Tensor.ones(3, 5);
        Init.zeros().fill(w, new Random(0));
        assertArrayEquals(new float[15], w.toFloatArray());
        Init.constant(0.5f).fill(w, new Random(0));
        for (float v : w.toFloatArray()) assertEquals(0.5f, v);
    }

    @Test
    void theSeedFixesTheWeights() {
        Tensor a = Tensor.zeros(20, 30), b = Tensor.zeros(20, 30), c = Tensor.zeros(20, 30);
        Init.heNormal().fill(a, new Random(77));
        Init.heNormal().fill(b, new Random(77));
        Init.heNormal().fill(c, new Random(78));
        assertArrayEquals(a.toFloatArray(), b.toFloatArray());
        assertFalse(Arrays.equals(a.toFloatArray(), c.toFloatArray()));
        Linear l1 = new Linear(6, 4, new Random(5)), l2 = new Linear(6, 4, new Random(5));
        assertArrayEquals(l1.weight.data(), l2.weight.data());
        assertArrayEquals(l1.bias.data(), l2.bias.data());
    }

    @Test
    void fansFollowPyTorch() {
        Tensor conv = Tensor.zeros(8, 3, 5, 5); // [out, in, kh, kw]
        assertEquals(3 * 25, Init.fanIn(conv));
        assertEquals(8 * 25, Init.fanOut(conv));
        assertEquals(IN, Init.fanIn(Tensor.zeros(OUT, IN)));
        assertEquals(OUT, Init.fanOut(Tensor.zeros(OUT, IN)));
    }
}

package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class AttentionTest {

    /** softmax(QKᵀ/√d)·V for one head, written out in double precision. */
    private static double[] reference(float[] q, float[] k, float[] v, int tq, int tk, int d, boolean causal) {
        double[] y = new double[tq * d];
        for (int i = 0; i < tq; i++) {
            int limit = causal ? i + 1 : tk;
            double[] s = new double[limit];
            double max = Double.NEGATIVE_INFINITY, sum = 0;
            for (int j = 0; j < limit; j++) {
                for (int c = 0; c < d; c++) s[j] += (double) q[i * d + c] * k[j * d + c] / Math.sqrt(d);
                max = Math.max(max, s[j]);
            }
            for (int j = 0; j < limit; j++) sum += s[j] = Math.exp(s[j] - max);
            for (int j = 0; j < limit; j++) {
                for (int c = 0; c < d; c++) y[i * d + c] += s[j] / sum * v[j * d + c];
            }
        }
        return y;
    }

    @Test
    void oneHeadMatchesTheFormulaWithAndWithoutCausalMask() {
        Random rng = new Random(1);
        Tensor q = Tensor.randn(rng, 1, 4, 3), k = Tensor.randn(rng, 1, 4, 3), v = Tensor.randn(rng, 1, 4, 3);
        for (boolean causal : new boolean[] {false, true}) {
            float[] y = Attention.scaledDotProduct(q, k, v, 1, causal, null).toFloatArray();
            double[] expected = reference(q.toFloatArray(), k.toFloatArray(), v.toFloatArray(), 4, 4, 3, causal);
            for (int i = 0; i < y.length; i++) assertEquals(expected[i], y[i], 1e-5, "causal=" + causal + ", element " + i);
        }
    }

    @Test
    void hugeScoresDoNotOverflow() {
        Tensor q = Tensor.full(300f, 1, 2, 2), k = Tensor.of(new float[] {300, 300, -300, -300}, 1, 2, 2);
        Tensor v = Tensor.of(new float[] {1, 2, 3, 4}, 1, 2, 2);
        float[] y = Attention.scaledDotProduct(q, k, v, 1, false, null).toFloatArray();
        assertEquals(1f, y[0], 1e-6);
        assertEquals(2f, y[1], 1e-6);
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        Random rng = new Random(2);
        for (boolean causal : new boolean[] {false, true}) {
            Tensor q = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
            Tensor k = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
            Tensor v = Tensor.randn(rng, 2, 3, 6).requiresGrad(true);
            GradCheck.check(in -> Attention.scaledDotProduct(in[0], in[1], in[2], 2, causal, null), q, k, v);
        }
        boolean[] pad = {false, true, false, false, false, true, true, false};
        Tensor q = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
        Tensor k = Tensor.randn(rng, 2, 4, 4).requiresGrad(true);
        Tensor v = Tensor.randn(rng, 2, 4, 4).requiresGrad(true);
        GradCheck.check(in -> Attention.scaledDotProduct(in[0], in[1], in[2], 2, false, pad), q, k, v);
    }

    @Test
    void packedSelfAttentionEqualsSeparateOperandsAndGradChecks() {
        Random rng = new Random(3);
        Tensor qkv = Tensor.randn(rng, 2, 4, 12).requiresGrad(true);
        Tensor packed = Attention.selfAttention(qkv, 2, true, null);
        Tensor separate = Attention.scaledDotProduct(qkv.slice(2, 0, 4), qkv.slice(2, 4, 8), qkv.slice(2, 8, 12), 2, true, null);
        assertTrue(packed.allClose(separate, 0, 1e-6));
        GradCheck.check(in -> Attention.selfAttention(in[0], 2, true, null), qkv);
        boolean[] pad = {false, false, true, false, true, false, false, false};
        GradCheck.check(in -> Attention.selfAttention(in[0], 2, false, pad), Tensor.randn(rng, 2, 4, 12).requiresGrad(true));
    }

    /** Output and gradient of causal self-attention with the fine causal grouping off or on. */
    private static float[][] causalRun(Tensor qkvData, Tensor weight, int heads, boolean[] pad, boolean fine) {
        boolean old = Attention.fineCausal;
        Attention.fineCausal = fine;
        try {
            Tensor qkv = qkvData.detach().requiresGrad(true);
            Tensor y = Attention.selfAttention(qkv, heads, true, pad);
            y.mul(weight).sum().backward();
            return new float[][] {y.toFloatArray(), qkv.grad().toFloatArray()};
        } finally {
            Attention.fineCausal = old;
        }
    }

    @Test
    void skippingTheMaskedTriangleByGroupsKeepsTheBits() {
        Random rng = new Random(5);
        for (int t : new int[] {64, 37, 3}) {
            Tensor qkv = Tensor.randn(rng, 2, t, 3 * 128), w = Tensor.randn(rng, 2, t, 128);
            boolean[] pad = new boolean[2 * t];
            for (int i = 0; i < pad.length; i++) pad[i] = rng.nextInt(5) == 0;
            for (boolean[] mask : new boolean[][] {null, pad}) {
                float[][] whole = causalRun(qkv, w, 4, mask, false), grouped = causalRun(qkv, w, 4, mask, true);
                for (int o = 0; o < 2; o++) {
                    for (int i = 0; i < whole[o].length; i++) {
                        assertEquals(Float.floatToIntBits(whole[o][i]), Float.floatToIntBits(grouped[o][i]),
                                "T=" + t + (mask == null ? "" : ", padded") + (o == 0 ? ", output " : ", gradient ") + i);
                    }
                }
            }
        }
    }

    @Test
    void aQueryWithNoVisibleKeyGetsZeros() {
        Random rng = new Random(4);
        Tensor x = Tensor.randn(rng, 1, 2, 3);
        float[] y = Attention.scaledDotProduct(x, x, x, 1, false, new boolean[] {true, true}).toFloatArray();
        for (float f : y) assertEquals(0f, f);
    }

    @Test
    void badShapesAndMasksAreClearErrors() {
        Tensor a = Tensor.zeros(2, 3, 4), b = Tensor.zeros(2, 5, 4);
        var e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(a, b, b, 3, false, null));
        assertTrue(e.getMessage().contains("3 heads"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(a, b, b, 2, true, null));
        assertTrue(e.getMessage().contains("causal"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Attention.scaledDotProduct(a, b, b, 2, false, new boolean[3]));
        assertTrue(e.getMessage().contains("padding"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Attention.selfAttention(Tensor.zeros(2, 3, 10), 2, true, null));
    }
}

package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Adam's update runs as whole vectors and then a scalar tail; every element, in either part,
 * must hold exactly the bits of the rule's float32 arithmetic written out one element at a time
 * (the reference below), with L2 decay, decoupled decay, AMSGrad and subnormal state flushed.
 * 103 elements: several vectors at any width and a tail.
 */
class AdamVectorLoopTest {
    private static final int N = 103;

    @Test
    void vectorAndTailElementsMatchTheScalarRuleBitForBit() {
        for (int variant = 0; variant < 4; variant++) {
            boolean l2 = variant == 1, decoupled = variant == 2, amsgrad = variant == 3;
            Random r = new Random(variant);
            float[] w = randoms(r, 1f), g = randoms(r, 0.1f), m = randoms(r, 0.01f), v = squares(randoms(r, 0.01f));
            float[] vMax = squares(randoms(r, 0.01f));
            for (int i = 0; i < N; i += 7) { // state decaying through the subnormal range, zero gradients
                m[i] = 1e-39f;
                v[i] = 3e-40f;
                g[i] = 0f;
            }
            double lr = 1e-3, wd = 0.1;
            Adam.Options o = Adam.Options.defaults().lr(lr).weightDecay(l2 || decoupled ? wd : 0).amsgrad(amsgrad);
            Parameter p = new Parameter(Tensor.of(w.clone(), N));
            Optimizer opt = decoupled ? new AdamW(List.of(p), o) : new Adam(List.of(p), o);
            Map<String, Tensor> state = new LinkedHashMap<>();
            state.put("step", Tensor.of(new float[] {3}, 1));
            state.put("state.0.step", Tensor.of(new float[] {3}, 1));
            state.put("state.0.exp_avg", Tensor.of(m.clone(), N));
            state.put("state.0.exp_avg_sq", Tensor.of(v.clone(), N));
            if (amsgrad) state.put("state.0.max_exp_avg_sq", Tensor.of(vMax.clone(), N));
            opt.loadStateDict(state);
            p.value().accumulateGrad(Tensor.of(g.clone(), N));
            opt.step();

            // The rule as Adam.step forms its float32 constants (t = 4), element by element.
            double bc1 = 1 - Math.pow(0.9, 4), bc2 = 1 - Math.pow(0.999, 4);
            float stepSize = (float) (lr * Math.sqrt(bc2) / bc1), b1 = 0.9f, b2 = 0.999f;
            float c1 = (float) (1 - 0.9), c2 = (float) (1 - 0.999), eps = (float) (1e-8 * Math.sqrt(bc2)), decay = (float) wd;
            float shrink = (float) (1 - lr * wd);
            float[] actual = p.value().toFloatArray();
            float[] mOut = opt.stateDict().get("state.0.exp_avg").toFloatArray();
            for (int i = 0; i < N; i++) {
                float wi = w[i], gi = l2 ? g[i] + decay * wi : g[i];
                if (decoupled) wi *= shrink;
                float mi = flush(b1 * m[i] + c1 * gi), vi = flush(b2 * v[i] + c2 * (gi * gi));
                if (amsgrad) vi = Math.max(vMax[i], vi);
                float expected = wi - (mi / ((float) Math.sqrt(vi) + eps)) * stepSize;
                String where = "variant " + variant + ", element " + i;
                assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual[i]), where + ": weight");
                assertEquals(Float.floatToRawIntBits(mi), Float.floatToRawIntBits(mOut[i]), where + ": exp_avg");
            }
        }
    }

    /**
     * The kernel checks the weights it writes by their lane sums: large finite weights whose sum
     * overflows are still finite (the exact check after the loop tells them apart).
     */
    @Test
    void largeFiniteWeightsWhoseSumOverflowsAreFinite() {
        float[] w = new float[N], g = new float[N];
        java.util.Arrays.fill(w, 3e38f);
        java.util.Arrays.fill(g, 1f);
        Parameter p = new Parameter(Tensor.of(w, N));
        Optimizer opt = new Adam(List.of(p), 1e-3);
        p.value().accumulateGrad(Tensor.of(g, N));
        opt.step();
        assertEquals(-1, opt.nonFiniteParameter());
        for (float x : p.value().toFloatArray()) assertEquals(3e38f, x, 1e33f);
    }

    /** The rank-1 loop (a batch-1 weight gradient formed in the register) checks its rows the same way. */
    @Test
    void theRankOneLoopTellsAnOverflowingSumFromANonFiniteWeight() {
        int rows = 5, cols = 3 * org.backprop.kernel.Simd.LANES + 3;
        var k = new org.backprop.kernel.AdamLoop.Constants(1e-3f, 0.9f, 0.999f, 0.1f, 0.001f, 1e-8f, 0f, 1f, false, false, false);
        float[] a = {1f, -2f, 0.5f, 3f, -1f}, b = new float[cols];
        java.util.Arrays.fill(b, 0.25f);
        float[] w = new float[rows * cols];
        java.util.Arrays.fill(w, 3e38f);
        int end = org.backprop.kernel.AdamLoop.outerVectors(k, w, a, b, new float[w.length], new float[w.length], null, 0, rows);
        assertEquals(org.backprop.kernel.Simd.VECTOR ? cols - 3 : 0, end, "finite: whole vectors of every row done");
        if (!org.backprop.kernel.Simd.VECTOR) return;
        java.util.Arrays.fill(w, 1f);
        w[3 * cols + 1] = Float.NaN;
        end = org.backprop.kernel.AdamLoop.outerVectors(k, w, a, b, new float[w.length], new float[w.length], null, 0, rows);
        assertEquals(-1 - (cols - 3), end, "a NaN weight in row 3 is reported");
    }

    /** The kernel's own check of the weights it writes finds an overflow in a whole vector and in the tail. */
    @Test
    void anOverflowingWeightIsReportedWhereverItLies() {
        for (int at : new int[] {-1, 0, N / 2, N - 1}) {
            float[] w = randoms(new Random(at + 5), 1f), g = new float[N];
            java.util.Arrays.fill(g, 1f);
            if (at >= 0) w[at] = -3e38f; // minus a step of ~1e38 overflows to -∞
            Parameter p = new Parameter(Tensor.of(w, N));
            Optimizer opt = new Adam(List.of(p), 1e38);
            p.value().accumulateGrad(Tensor.of(g, N));
            opt.step();
            assertEquals(at >= 0 ? 0 : -1, opt.nonFiniteParameter(), "overflow at " + at);
        }
    }

    private static float flush(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }

    private static float[] randoms(Random r, float scale) {
        float[] x = new float[N];
        for (int i = 0; i < N; i++) x[i] = (float) r.nextGaussian() * scale;
        return x;
    }

    private static float[] squares(float[] x) {
        for (int i = 0; i < x.length; i++) x[i] *= x[i];
        return x;
    }
}

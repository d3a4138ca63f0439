package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Gpt;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The clipping coefficient folded into the step ({@link Optimizer#step(float)}) and the global
 * norm taken inside the backward pass ({@link GradClip#backwardGlobalNorm}) give the bits of
 * {@code clipGradNorm} then {@code step()}.
 */
class ClipFoldTest {
    /** A vector, a small matrix and one large enough to be split over the kernel threads; odd sizes leave scalar tails. */
    private static List<Parameter> params(long seed) {
        Random r = new Random(seed);
        List<Parameter> ps = new ArrayList<>();
        for (int[] shape : new int[][] {{37}, {13, 29}, {96, 701}}) {
            int n = 1;
            for (int s : shape) n *= s;
            float[] w = new float[n];
            for (int i = 0; i < n; i++) w[i] = (float) r.nextGaussian();
            ps.add(new Parameter(Tensor.of(w, shape)));
        }
        return ps;
    }

    /** Gradients of step t, large enough that a norm limit of 1 clips them (and some below, so one step does not). */
    private static void setGrads(List<Parameter> ps, int t) {
        Random r = new Random(100 + t);
        float size = t == 2 ? 1e-4f : 3f;
        for (Parameter p : ps) {
            float[] g = new float[p.numel()];
            for (int i = 0; i < g.length; i++) g[i] = size * (float) r.nextGaussian();
            p.value().clearGrad();
            p.value().accumulateGrad(Tensor.of(g, p.shape()));
        }
    }

    private static void assertSameBits(Function<List<Parameter>, Optimizer> make) {
        List<Parameter> a = params(1), b = params(1);
        Optimizer oa = make.apply(a), ob = make.apply(b);
        boolean clipped = false;
        for (int t = 0; t < 5; t++) {
            setGrads(a, t);
            setGrads(b, t);
            GradClip.clipGradNorm(a, 1.0);
            oa.step();
            float c = GradClip.clipCoefficient(GradClip.globalGradNorm(b), 1.0);
            clipped |= c < 1f;
            ob.step(c);
        }
        assertTrue(clipped, "the clip must bite for this test to mean anything");
        for (int i = 0; i < a.size(); i++) assertArrayEquals(a.get(i).data(), b.get(i).data(), "parameter " + i);
        Map<String, Tensor> sa = oa.stateDict(), sb = ob.stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), k);
    }

    @Test
    void theCoefficientFoldedIntoAdamIsClipThenStepBitForBit() {
        assertSameBits(ps -> new Adam(ps, Adam.Options.defaults().lr(1e-2).weightDecay(0.1)));
        assertSameBits(ps -> new Adam(ps, Adam.Options.defaults().lr(1e-2).amsgrad(true)));
    }

    @Test
    void theCoefficientFoldedIntoAdamWIsClipThenStepBitForBit() {
        assertSameBits(ps -> AdamW.decayingMatricesOnly(ps, AdamW.defaults().lr(1e-2).weightDecay(0.1)));
    }

    @Test
    void rulesThatDoNotFoldItScaleEachGradientFirstWithTheSameBits() {
        assertSameBits(ps -> new SGD(ps, SGD.Options.defaults().lr(1e-2).momentum(0.9).weightDecay(1e-3)));
        assertSameBits(ps -> new RMSprop(ps, 1e-3));
    }

    @Test
    void aScaleOfOneIsThePlainStepAndTheScaleEndsWithTheStep() {
        List<Parameter> a = params(2), b = params(2);
        Optimizer oa = new AdamW(a, 1e-2), ob = new AdamW(b, 1e-2);
        setGrads(a, 0);
        setGrads(b, 0);
        oa.step();
        ob.step(1f);
        assertEquals(1f, ob.gradScale());
        ob.step(0.5f);
        assertEquals(1f, ob.gradScale(), "the scale applies to one step only");
        for (int i = 0; i < a.size(); i++) assertNotEquals(a.get(i).data()[0], b.get(i).data()[0]);
    }

    @Test
    void theCoefficientIsClipGradNormsFactor() {
        assertEquals((float) (6.5 / (13 + GradClip.NORM_EPS)), GradClip.clipCoefficient(13, 6.5));
        assertEquals(1f, GradClip.clipCoefficient(13, 20));
        assertEquals(1f, GradClip.clipCoefficient(Double.NaN, 1));
        assertEquals(1f, GradClip.clipCoefficient(Double.POSITIVE_INFINITY, 1));
        assertEquals(0f, GradClip.clipCoefficient(13, 0));
    }

    private static Tensor gptLoss(Gpt g, int time, long seed) {
        Random r = new Random(seed);
        int[] x = new int[2 * time];
        float[] y = new float[2 * time];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextInt(11);
            y[i] = r.nextInt(11);
        }
        return new CrossEntropyLoss().apply(g.logits(x, 2, time), Tensor.wrap(y, 2 * time));
    }

    @Test
    void theNormTakenInTheBackwardPassIsGlobalGradNormsBits() {
        Gpt g = new Gpt(new Gpt.Config(11, 8, 2, 2, 16, 0f), new Random(3));
        // One parameter the graph does not reach, with a gradient: summed after the pass.
        Parameter extra = params(4).get(1);
        setGrads(List.of(extra), 0);
        List<Parameter> ps = new ArrayList<>(g.parameters());
        ps.add(1, extra);
        for (int step = 0; step < 3; step++) {
            // The second step after zeroing without a pass, as GptTraining does (products overwrite the gradients)
            if (step == 1) for (Parameter p : g.parameters()) p.value().markGradZero();
            double inPass = GradClip.backwardGlobalNorm(gptLoss(g, step == 2 ? 1 : 8, step), ps);
            assertEquals(Double.doubleToLongBits(GradClip.globalGradNorm(ps)), Double.doubleToLongBits(inPass), "step " + step);
        }
    }

    @Test
    void backwardAndStepWithClippingIsClipThenStep() {
        Gpt a = new Gpt(new Gpt.Config(11, 8, 1, 2, 16, 0f), new Random(5));
        Gpt b = new Gpt(new Gpt.Config(11, 8, 1, 2, 16, 0f), new Random(5));
        Optimizer oa = AdamW.decayingMatricesOnly(a.parameters(), AdamW.defaults().lr(1e-2));
        Optimizer ob = AdamW.decayingMatricesOnly(b.parameters(), AdamW.defaults().lr(1e-2)).clipGradNorm(0.5);
        for (int step = 0; step < 3; step++) {
            Tensor la = gptLoss(a, 8, step);
            la.backward();
            assertTrue(GradClip.clipGradNorm(a.parameters(), 0.5) > 0.5, "the clip must bite");
            oa.step();
            oa.zeroGrad();
            ob.backwardAndStep(gptLoss(b, 8, step));
        }
        for (int i = 0; i < a.parameters().size(); i++) {
            assertArrayEquals(a.parameters().get(i).data(), b.parameters().get(i).data(), "parameter " + i);
        }
    }
}

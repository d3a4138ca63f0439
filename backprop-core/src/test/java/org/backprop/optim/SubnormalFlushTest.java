package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * Optimizer state that decays into the subnormal range is flushed to 0, and state that stays
 * normal is exactly what the unflushed rule computes (bit for bit). The state is seeded through
 * {@link Optimizer#loadStateDict}, as a checkpoint of a long run would hold it.
 */
class SubnormalFlushTest {
    private static final float SUB = 1e-39f; // subnormal: below Float.MIN_NORMAL ≈ 1.18e-38
    /** Seeded buffer: subnormal, negative subnormal, smallest normal (decays below it), ordinary values, 0. */
    private static final float[] SEED = {SUB, -3e-40f, Float.MIN_NORMAL, 0.5f, -2f, 1e-30f, 0f};
    /** Gradients: 0 where the state decays (the case that makes subnormals), nonzero elsewhere. */
    private static final float[] GRAD = {0f, 0f, 0f, 0.25f, -1.5f, 0f, 0.75f};
    private static final float[] W0 = {0.1f, -0.2f, 0.3f, -0.4f, 0.5f, -0.6f, 0.7f};

    private static Parameter stepOnce(Optimizer opt, Parameter p, Map<String, float[]> buffers) {
        Map<String, Tensor> state = new LinkedHashMap<>();
        state.put("step", Tensor.of(new float[] {4}, 1));
        if (!(opt instanceof SGD)) state.put("state.0.step", Tensor.of(new float[] {4}, 1)); // SGD keeps no step
        buffers.forEach((name, b) -> state.put("state.0." + name, Tensor.of(b.clone(), b.length)));
        opt.loadStateDict(state);
        p.value().clearGrad();
        p.value().accumulateGrad(Tensor.of(GRAD.clone(), GRAD.length));
        opt.step();
        return p;
    }

    private static float[] buffer(Optimizer opt, String name) {
        return opt.stateDict().get("state.0." + name).toFloatArray();
    }

    /** What the rule stores without flushing, then flushed only where it is subnormal. */
    private static void assertFlushedDecay(float[] seed, float decay, float gradFactor, float[] actual, String what) {
        for (int i = 0; i < seed.length; i++) {
            float unflushed = decay * seed[i] + gradFactor * GRAD[i];
            boolean subnormal = unflushed != 0 && Math.abs(unflushed) < Float.MIN_NORMAL;
            float expected = subnormal ? 0f : unflushed;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual[i]),
                    what + "[" + i + "]: expected " + expected + " (unflushed " + unflushed + "), got " + actual[i]);
        }
    }

    @Test
    void adamFlushesDecayedMomentsAndKeepsNormalOnesBitForBit() {
        for (boolean decoupled : new boolean[] {false, true}) {
            Parameter p = new Parameter(Tensor.of(W0.clone(), W0.length));
            Optimizer opt = decoupled ? new AdamW(List.of(p)) : new Adam(List.of(p));
            float[] v = {SUB, 3e-40f, Float.MIN_NORMAL, 0.25f, 4f, 1e-30f, 0f};
            stepOnce(opt, p, Map.of("exp_avg", SEED, "exp_avg_sq", v));
            float b1 = 0.9f, b2 = 0.999f;
            assertFlushedDecay(SEED, b1, (float) (1 - 0.9), buffer(opt, "exp_avg"), "exp_avg");
            float[] vSeed = v.clone();
            float[] actualV = buffer(opt, "exp_avg_sq");
            for (int i = 0; i < vSeed.length; i++) {
                float g = GRAD[i];
                float unflushed = b2 * vSeed[i] + (float) (1 - 0.999) * (g * g);
                float expected = unflushed != 0 && Math.abs(unflushed) < Float.MIN_NORMAL ? 0f : unflushed;
                assertEquals(expected, actualV[i], 0f, "exp_avg_sq[" + i + "]");
            }
            // A flushed first moment moves its weight by exactly 0 (AdamW still shrinks it).
            float shrink = decoupled ? (float) (1 - 1e-3 * 1e-2) : 1f;
            for (int i : new int[] {0, 1, 2}) assertEquals(W0[i] * shrink, p.data()[i], 0f, "weight " + i);
        }
    }

    @Test
    void adamWithZeroEpsKeepsSubnormalSecondMoments() {
        Parameter p = new Parameter(Tensor.of(W0.clone(), W0.length));
        Adam opt = new Adam(List.of(p), Adam.Options.defaults().eps(0));
        float[] v = {SUB, 3e-40f, 1e-37f, 0.25f, 4f, 1e-30f, 1f};
        stepOnce(opt, p, Map.of("exp_avg", SEED, "exp_avg_sq", v));
        float[] actual = buffer(opt, "exp_avg_sq");
        assertEquals(0.999f * SUB, actual[0], 0f, "with ε = 0 the rule must not turn v into a divisor of 0");
        assertEquals(0.999f * 1e-37f, actual[2], 0f);
    }

    @Test
    void sgdMomentumBufferIsFlushed() {
        Parameter p = new Parameter(Tensor.of(W0.clone(), W0.length));
        SGD opt = new SGD(List.of(p), SGD.Options.defaults().lr(0.1).momentum(0.9));
        stepOnce(opt, p, Map.of("momentum_buffer", SEED));
        assertFlushedDecay(SEED, 0.9f, 1f, buffer(opt, "momentum_buffer"), "momentum_buffer");
        assertEquals(W0[0], p.data()[0], 0f, "a flushed buffer leaves its weight exactly as it was");
    }

    @Test
    void rmspropMomentumAndSquareAverageAreFlushed() {
        Parameter p = new Parameter(Tensor.of(W0.clone(), W0.length));
        RMSprop opt = new RMSprop(List.of(p), RMSprop.Options.defaults().lr(0.01).momentum(0.9));
        float[] sq = {SUB, 3e-40f, Float.MIN_NORMAL, 0.25f, 4f, 1e-30f, 1f};
        stepOnce(opt, p, Map.of("square_avg", sq, "momentum_buffer", SEED));
        // Where the gradient is 0 both buffers only decay: by alpha and by the momentum.
        assertDecayWhereGradIsZero(sq, (float) RMSprop.DEFAULT_ALPHA, buffer(opt, "square_avg"), "square_avg");
        assertDecayWhereGradIsZero(SEED, 0.9f, buffer(opt, "momentum_buffer"), "momentum_buffer");
    }

    private static void assertDecayWhereGradIsZero(float[] seed, float decay, float[] actual, String what) {
        int checked = 0;
        for (int i = 0; i < seed.length; i++) {
            if (GRAD[i] != 0) continue;
            float unflushed = decay * seed[i];
            float expected = Math.abs(unflushed) < Float.MIN_NORMAL ? 0f : unflushed;
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(actual[i]), what + "[" + i + "] = " + actual[i]);
            checked++;
        }
        assertEquals(4, checked);
    }
}

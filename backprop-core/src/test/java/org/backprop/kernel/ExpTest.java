package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;

/** {@link Exp}: accurate against Math.exp, exact at the edges, and the same bits in every vector lane. */
class ExpTest {
    @Test
    void agreesWithMathExpWithinAFewUlps() {
        SplittableRandom rng = new SplittableRandom(7);
        double worst = 0;
        for (int i = 0; i < 200_000; i++) {
            float x = (float) (rng.nextDouble() * (Exp.MAX_X - Exp.MIN_X) + Exp.MIN_X);
            double want = Math.exp(x);
            float got = Exp.exp(x);
            worst = Math.max(worst, Math.abs(got - want) / want);
        }
        assertTrue(worst < 3e-7, "worst relative error " + worst);
        assertEquals(1f, Exp.exp(0f));
        assertEquals(1f, Exp.exp(-0f));
        assertEquals((float) Math.E, Exp.exp(1f), Math.ulp((float) Math.E));
    }

    @Test
    void edgesFlushUnderflowAndSaturate() {
        assertEquals(0f, Exp.exp(-88f));                      // would be subnormal: flushed
        assertEquals(0f, Exp.exp(Float.NEGATIVE_INFINITY));
        assertEquals(Float.POSITIVE_INFINITY, Exp.exp(89f));
        assertEquals(Float.POSITIVE_INFINITY, Exp.exp(Float.POSITIVE_INFINITY));
        assertTrue(Float.isNaN(Exp.exp(Float.NaN)));
        // the ends of the range stay normal and finite: 2^n is built in two halves
        float top = Exp.exp(Exp.MAX_X), bottom = Exp.exp(Exp.MIN_X);
        assertTrue(Float.isFinite(top) && top > 3.3e38f, "exp(MAX_X) = " + top);
        assertTrue(bottom >= Float.MIN_NORMAL && bottom < 1.2e-38f, "exp(MIN_X) = " + bottom);
    }

    @Test
    void everyLaneIsTheScalarResultBitForBit() {
        if (!Simd.VECTOR) return; // the scalar path is the only one there is
        SplittableRandom rng = new SplittableRandom(11);
        int lanes = SimdVector.SPECIES.length();
        float[] x = new float[lanes * 4096], out = new float[x.length];
        for (int i = 0; i < x.length; i++) x[i] = (float) (rng.nextDouble() * 200 - 100);
        float[] special = {Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, Exp.MIN_X, Exp.MAX_X, -0f, 88.5f, -87.5f};
        System.arraycopy(special, 0, x, 0, special.length);
        for (int i = 0; i < x.length; i += lanes) ExpVector.exp(FloatVector.fromArray(SimdVector.SPECIES, x, i)).intoArray(out, i);
        for (int i = 0; i < x.length; i++) {
            assertEquals(Float.floatToIntBits(Exp.exp(x[i])), Float.floatToIntBits(out[i]), "lane of x = " + x[i]);
        }
    }
}

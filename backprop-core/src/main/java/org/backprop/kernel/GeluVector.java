package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gelu}'s vector loops, whole vectors then the scalar tail; loaded only when {@link Simd#VECTOR}. */
final class GeluVector {
    private GeluVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));
    // Constants as vectors: each scalar operand (mul(0.5f)) inlines a broadcast of its own, and
    // the nodes add up against C2's per-method budget (see the comment on forward)
    private static final FloatVector ONE = FloatVector.broadcast(S, 1f), ZERO = FloatVector.zero(S),
            HALF = FloatVector.broadcast(S, 0.5f), MINUS_HALF = FloatVector.broadcast(S, -0.5f),
            TP = FloatVector.broadcast(S, INV_SQRT2 * P), PHI = FloatVector.broadcast(S, INV_SQRT_2PI),
            VA1 = FloatVector.broadcast(S, A1), VA2 = FloatVector.broadcast(S, A2), VA3 = FloatVector.broadcast(S, A3),
            VA4 = FloatVector.broadcast(S, A4), VA5 = FloatVector.broadcast(S, A5);

    /*
     * The forward is two passes (Gelu#halfSquareExps, then Gelu#fromExps / Gelu#withSlopeFromExps),
     * each a loop of its own, meant to be called from separate compiled methods: written as one
     * loop, C2 reached its node limit (NodeCountInliningCutoff) after inlining the exp and left cdf
     * out of line, so every vector passed to it was boxed (4-10 ns an element against ~1.5, 18
     * bytes of garbage an element; a tenth of a one-thread GPT step). Same operations in the same
     * order as the one loop: the bits do not change.
     */

    /** e[eo + i] = e^(−x²/2), x = x[xo + i], for the whole vectors of i in [0, n) (the scalar tail is left to the second pass). */
    static void halfSquareExps(float[] x, int xo, float[] e, int eo, int n) {
        int bound = S.loopBound(n);
        for (int i = 0; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            ExpVector.exp(v.mul(v).mul(MINUS_HALF)).intoArray(e, eo + i);
        }
    }

    /** y = x·Φ(x), y holding {@link #halfSquareExps}'s e^(−x²/2) on entry (read before written, lane by lane). */
    static void fromExps(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(cdf(v, tail(v, FloatVector.fromArray(S, y, yo + i)))).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v * Gelu.cdf(v);
        }
    }

    /** y = x·Φ(x) and slope = Φ(x) + x·φ(x), slope holding {@link #halfSquareExps}'s e^(−x²/2) on entry. */
    static void withSlopeFromExps(float[] x, int xo, float[] y, int yo, float[] slope, int so, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = FloatVector.fromArray(S, slope, so + i);
            FloatVector c = cdf(v, tail(v, e));
            v.mul(c).intoArray(y, yo + i);
            c.add(v.mul(e).mul(PHI)).intoArray(slope, so + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i], c = Gelu.cdf(v);
            y[yo + i] = v * c;
            slope[so + i] = Gelu.slope(v, c);
        }
    }

    /** dx[i] = g[go + i]·(Φ(x) + x·φ(x)) with x = x[xo + i]. */
    static void backward(float[] x, int xo, float[] g, int go, float[] dx, int dxo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = ExpVector.exp(v.mul(v).mul(MINUS_HALF));
            FloatVector d = cdf(v, tail(v, e)).add(v.mul(e).mul(PHI));
            FloatVector.fromArray(S, g, go + i).mul(d).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float e = Exp.exp(-0.5f * v * v);
            dx[dxo + i] = g[go + i] * (Gelu.cdf(v) + v * e * INV_SQRT_2PI);
        }
    }

    /** ½·erfc(|x|/√2) = ½·poly(t)·e^(−x²/2), given e = e^(−x²/2). */
    private static FloatVector tail(FloatVector v, FloatVector e) {
        FloatVector t = ONE.div(v.abs().mul(TP).add(ONE));
        FloatVector poly = t.mul(VA5).add(VA4).mul(t).add(VA3).mul(t).add(VA2).mul(t).add(VA1).mul(t);
        return poly.mul(e).mul(HALF);
    }

    private static FloatVector cdf(FloatVector v, FloatVector tailHalf) {
        VectorMask<Float> negative = v.lt(ZERO);
        return ONE.sub(tailHalf).blend(tailHalf, negative);
    }
}

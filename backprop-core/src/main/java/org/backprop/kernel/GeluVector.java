package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gelu}'s vector loops, whole vectors then the scalar tail; loaded only when {@link Simd#VECTOR}. */
final class GeluVector {
    private GeluVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final float P = 0.3275911f;
    private static final float A1 = 0.254829592f, A2 = -0.284496736f, A3 = 1.421413741f, A4 = -1.453152027f, A5 = 1.061405429f;
    private static final float INV_SQRT2 = (float) (1 / Math.sqrt(2));
    private static final float INV_SQRT_2PI = (float) (1 / Math.sqrt(2 * Math.PI));

    /** y[yo + i] = gelu(x[xo + i]) for i in [0, n). */
    static void forward(float[] x, int xo, float[] y, int yo, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            v.mul(cdf(v, tail(v))).intoArray(y, yo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[yo + i] = v * Gelu.cdf(v);
        }
    }

    /** {@link Gelu#forwardWithSlope}: y as {@link #forward}, the slope as {@link #backward}'s factor, one exp. */
    static void forwardWithSlope(float[] x, int xo, float[] y, int yo, float[] slope, int so, int n) {
        int i = 0;
        int bound = S.loopBound(n);
        for (; i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = ExpVector.exp(v.mul(v).mul(-0.5f));
            FloatVector c = cdf(v, tail(v, e));
            v.mul(c).intoArray(y, yo + i);
            c.add(v.mul(e).mul(INV_SQRT_2PI)).intoArray(slope, so + i);
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
            FloatVector e = ExpVector.exp(v.mul(v).mul(-0.5f));
            FloatVector d = cdf(v, tail(v, e)).add(v.mul(e).mul(INV_SQRT_2PI));
            FloatVector.fromArray(S, g, go + i).mul(d).intoArray(dx, dxo + i);
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            float e = Exp.exp(-0.5f * v * v);
            dx[dxo + i] = g[go + i] * (Gelu.cdf(v) + v * e * INV_SQRT_2PI);
        }
    }

    private static FloatVector tail(FloatVector v) {
        return tail(v, ExpVector.exp(v.mul(v).mul(-0.5f)));
    }

    /** ½·erfc(|x|/√2) = ½·poly(t)·e^(−x²/2), given e = e^(−x²/2). */
    private static FloatVector tail(FloatVector v, FloatVector e) {
        FloatVector t = v.abs().mul(INV_SQRT2 * P).add(1f);
        t = FloatVector.broadcast(S, 1f).div(t);
        FloatVector poly = t.mul(A5).add(A4).mul(t).add(A3).mul(t).add(A2).mul(t).add(A1).mul(t);
        return poly.mul(e).mul(0.5f);
    }

    private static FloatVector cdf(FloatVector v, FloatVector tailHalf) {
        VectorMask<Float> negative = v.compare(VectorOperators.LT, 0f);
        return FloatVector.broadcast(S, 1f).sub(tailHalf).blend(tailHalf, negative);
    }
}

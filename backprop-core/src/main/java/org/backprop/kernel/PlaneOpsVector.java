package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link PlaneOps}' vector loops, whole vectors then the scalar tail; loaded only when {@link Simd#VECTOR}. */
final class PlaneOpsVector {
    private PlaneOpsVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    /** Σ x[off .. off+len). */
    static double sum(float[] x, int off, int len) {
        int i = 0;
        double s = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) acc = acc.add(FloatVector.fromArray(S, x, off + i));
        s = SimdVector.sum(acc);
        for (; i < len; i++) s += x[off + i];
        return s;
    }

    /** Σ (x − mean)² over x[off .. off+len): the second pass of a variance, free of cancellation. */
    static double sumSquaredDeviations(float[] x, int off, int len, float mean) {
        int i = 0;
        double s = 0;
        FloatVector acc = FloatVector.zero(S);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector d = FloatVector.fromArray(S, x, off + i).sub(mean);
            acc = d.fma(d, acc);
        }
        s = SimdVector.sum(acc);
        for (; i < len; i++) {
            float d = x[off + i] - mean;
            s += d * d;
        }
        return s;
    }

    /**
     * Σ g and Σ g·(x − mean) over one run of g and x, added into {@code sums[0]} and {@code sums[1]}:
     * both sums batch normalisation's backward needs, in one pass.
     */
    static void gradientSums(float[] g, int go, float[] x, int xo, int len, float mean, double[] sums) {
        int i = 0;
        double sg = 0, sgx = 0;
        FloatVector accG = FloatVector.zero(S), accGx = FloatVector.zero(S);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector gv = FloatVector.fromArray(S, g, go + i);
            accG = accG.add(gv);
            accGx = gv.fma(FloatVector.fromArray(S, x, xo + i).sub(mean), accGx);
        }
        sg = SimdVector.sum(accG);
        sgx = SimdVector.sum(accGx);
        for (; i < len; i++) {
            sg += g[go + i];
            sgx += g[go + i] * (x[xo + i] - mean);
        }
        sums[0] += sg;
        sums[1] += sgx;
    }

    /**
     * y[yo + i] = (x[xo + i] − center)·a + b for i in [0, len). Centring first keeps float
     * precision when the values sit far from 0 relative to their spread.
     */
    static void affine(float[] x, int xo, float[] y, int yo, int len, float center, float a, float b) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector.fromArray(S, x, xo + i).sub(center).fma(av, bv).intoArray(y, yo + i);
        }
        for (; i < len; i++) y[yo + i] = (x[xo + i] - center) * a + b;
    }

    /**
     * out[oo + i] = g[go + i]·a + (x[xo + i] − center)·b + c for i in [0, len): batch
     * normalisation's input gradient.
     */
    static void affine2(float[] g, int go, float[] x, int xo, float[] out, int oo, int len,
                               float center, float a, float b, float c) {
        int i = 0;
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector xb = FloatVector.fromArray(S, x, xo + i).sub(center).fma(bv, cv);
            FloatVector.fromArray(S, g, go + i).fma(av, xb).intoArray(out, oo + i);
        }
        for (; i < len; i++) out[oo + i] = g[go + i] * a + ((x[xo + i] - center) * b + c);
    }

    /** ReLU in place over x[off .. off+len). */
    static void relu(float[] x, int off, int len) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            FloatVector v = FloatVector.fromArray(S, x, off + i);
            zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(x, off + i);
        }
        for (; i < len; i++) {
            float v = x[off + i];
            x[off + i] = v > 0 ? v : 0f;
        }
    }

    /** out = g·(y &gt; 0 ? 1 : 0) over one run: ReLU's backward from its output. */
    static void reluMask(float[] g, int go, float[] y, int yo, float[] out, int oo, int len) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
        for (int bound = S.loopBound(len); i < bound; i += S.length()) {
            VectorMask<Float> positive = FloatVector.fromArray(S, y, yo + i).compare(VectorOperators.GT, 0f);
            FloatVector.fromArray(S, g, go + i).mul(zero.blend(one, positive)).intoArray(out, oo + i);
        }
        for (; i < len; i++) out[oo + i] = g[go + i] * (y[yo + i] > 0 ? 1f : 0f);
    }
}

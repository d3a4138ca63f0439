package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Softmax}'s vector form; loaded only when {@link Simd#VECTOR}. */
final class SoftmaxVector {
    private SoftmaxVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    /**
     * s[off, off + n) ← exp(s − max) / Σ exp(s − max), n ≥ 1. The maximum is subtracted first,
     * so no exponential overflows; a row whose maximum is −∞ or NaN becomes all zeros.
     */
    static void row(float[] s, int off, int n) {
        int bound = S.loopBound(n);
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += S.length()) m = m.max(FloatVector.fromArray(S, s, off + j));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) max = Math.max(max, s[off + j]);
        if (!(max > Float.NEGATIVE_INFINITY)) {
            java.util.Arrays.fill(s, off, off + n, 0f);
            return;
        }
        // One loop of masked vectors, the last one the row's tail (a causal row of attention is
        // i + 1 long: the scalar tail was about half its exps); one exp call site, so C2 inlines it
        // once. Lane for lane Exp.exp's bits; the tail is summed in order after the lanes, as before.
        FloatVector acc = FloatVector.zero(S);
        for (j = 0; j < n; j += S.length()) {
            VectorMask<Float> in = S.indexInRange(j, n);
            FloatVector e = ExpVector.exp(FloatVector.fromArray(S, s, off + j, in).sub(max));
            e.intoArray(s, off + j, in);
            if (j < bound) acc = acc.add(e);
        }
        float sum = bound > 0 ? SimdVector.sum(acc) : 0f; // a fixed lane order: the same bits cold or compiled
        for (j = bound; j < n; j++) sum += s[off + j];
        float inv = 1f / sum;
        j = 0;
        for (; j < bound; j += S.length()) FloatVector.fromArray(S, s, off + j).mul(inv).intoArray(s, off + j);
        if (j < n) {
            VectorMask<Float> tail = S.indexInRange(j, n);
            FloatVector.fromArray(S, s, off + j, tail).mul(inv).intoArray(s, off + j, tail);
        }
    }

    /**
     * Softmax's backward on one row in place, p the row's probabilities: ds[j] ← p[j]·(ds[j] − Σₖ ds[k]·p[k])·scale
     * for j in [0, n). The dot is summed in vector lanes, in a fixed order.
     */
    static void backwardRow(float[] p, int po, float[] ds, int dso, int n, float scale) {
        int bound = S.loopBound(n), j = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; j < bound; j += S.length()) {
            acc = FloatVector.fromArray(S, ds, dso + j).fma(FloatVector.fromArray(S, p, po + j), acc);
        }
        VectorMask<Float> tail = S.indexInRange(j, n);
        if (j < n) acc = FloatVector.fromArray(S, ds, dso + j, tail).fma(FloatVector.fromArray(S, p, po + j, tail), acc);
        float dot = SimdVector.sum(acc);
        for (j = 0; j < bound; j += S.length()) {
            FloatVector.fromArray(S, ds, dso + j).sub(dot).mul(FloatVector.fromArray(S, p, po + j)).mul(scale).intoArray(ds, dso + j);
        }
        if (j < n) {
            FloatVector.fromArray(S, ds, dso + j, tail).sub(dot).mul(FloatVector.fromArray(S, p, po + j, tail)).mul(scale)
                    .intoArray(ds, dso + j, tail);
        }
    }
}

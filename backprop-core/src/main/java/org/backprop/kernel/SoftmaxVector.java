package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
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
        float sum = 0;
        j = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.zero(S);
            for (; j < bound; j += S.length()) {
                FloatVector e = ExpVector.exp(FloatVector.fromArray(S, s, off + j).sub(max));
                e.intoArray(s, off + j);
                acc = acc.add(e);
            }
            sum = SimdVector.sum(acc); // a fixed lane order: the same bits cold or compiled
        }
        for (; j < n; j++) sum += s[off + j] = Exp.exp(s[off + j] - max);
        float inv = 1f / sum;
        j = 0;
        for (; j < bound; j += S.length()) FloatVector.fromArray(S, s, off + j).mul(inv).intoArray(s, off + j);
        for (; j < n; j++) s[off + j] *= inv;
    }
}

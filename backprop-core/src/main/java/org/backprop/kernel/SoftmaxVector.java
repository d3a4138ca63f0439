package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Softmax}'s vector form; loaded only when {@link Simd#VECTOR}. */
final class SoftmaxVector {
    private SoftmaxVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    /**
     * s[off, off + n) ← exp(s − max) / Σ exp(s − max), n ≥ 1, with s[off + n, off + room)
     * writable scratch (room ≥ n): the row's last partial vector is then taken whole, its lanes
     * past n computed and left for the caller to overwrite, where they were a scalar tail (a causal
     * row of attention is i + 1 long: about half its exps). The exps are lane for lane Exp.exp's
     * bits and the lanes past the whole vectors below n are summed in order after them, so the
     * values do not depend on room.
     */
    static void row(float[] s, int off, int n, int room) {
        int bound = S.loopBound(n), v = S.length();
        int wide = Math.min(room, (n + v - 1) / v * v) / v * v; // whole vectors that may be written
        float max = Float.NEGATIVE_INFINITY;
        int j = 0;
        if (bound > 0) {
            FloatVector m = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
            for (; j < bound; j += v) m = m.max(FloatVector.fromArray(S, s, off + j));
            max = m.reduceLanes(VectorOperators.MAX);
        }
        for (; j < n; j++) max = Math.max(max, s[off + j]);
        if (!(max > Float.NEGATIVE_INFINITY)) {
            java.util.Arrays.fill(s, off, off + n, 0f);
            return;
        }
        FloatVector acc = FloatVector.zero(S);
        for (j = 0; j < wide; j += v) {
            FloatVector e = ExpVector.exp(FloatVector.fromArray(S, s, off + j).sub(max));
            e.intoArray(s, off + j);
            if (j < bound) acc = acc.add(e);
        }
        float sum = bound > 0 ? SimdVector.sum(acc) : 0f; // a fixed lane order: the same bits cold or compiled
        for (j = bound; j < n; j++) sum += j < wide ? s[off + j] : (s[off + j] = Exp.exp(s[off + j] - max));
        float inv = 1f / sum;
        for (j = 0; j < wide; j += v) FloatVector.fromArray(S, s, off + j).mul(inv).intoArray(s, off + j);
        for (; j < n; j++) s[off + j] *= inv;
    }

    /**
     * Softmax's backward on one row in place, p the row's probabilities: ds[j] ← p[j]·(ds[j] − Σₖ ds[k]·p[k])·scale
     * for j in [0, n); [n, room) of both rows readable and of ds writable, with p zero and ds finite
     * there (attention's masked keys), so whole vectors run past n adding nothing to the dot and writing zeros.
     * The dot is summed in vector lanes, in a fixed order.
     */
    static void backwardRow(float[] p, int po, float[] ds, int dso, int n, int room, float scale) {
        int v = S.length(), wide = Math.min(room, (n + v - 1) / v * v) / v * v, j = 0;
        FloatVector acc = FloatVector.zero(S);
        for (; j < wide; j += v) acc = FloatVector.fromArray(S, ds, dso + j).fma(FloatVector.fromArray(S, p, po + j), acc);
        float dot = SimdVector.sum(acc);
        for (; j < n; j++) dot += ds[dso + j] * p[po + j];
        for (j = 0; j < wide; j += v) {
            FloatVector.fromArray(S, ds, dso + j).sub(dot).mul(FloatVector.fromArray(S, p, po + j)).mul(scale).intoArray(ds, dso + j);
        }
        for (; j < n; j++) ds[dso + j] = (ds[dso + j] - dot) * p[po + j] * scale;
    }
}

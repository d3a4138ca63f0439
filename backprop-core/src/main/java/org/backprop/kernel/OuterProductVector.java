package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gemm}'s rank-1 product (k = 1) on vectors; loaded only when {@link Simd#VECTOR}. */
final class OuterProductVector {
    private OuterProductVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    /** A per-thread copy of B's one row (or column), contiguous. */
    private static final ThreadLocal<float[]> ROW = ThreadLocal.withInitial(() -> new float[64]);

    /**
     * k = 1: C = alpha·a·bᵀ (+ C when {@code add}), the rank-1 weight gradient of a batch of one.
     * Each element is C + (alpha·aᵢ)·bⱼ rounded as the packed kernel rounds it (the product, then
     * the sum), so the result has the packed path's bits; with {@code add} off C is not read (the
     * packed path would clear it first, and 0 + x gives the same value). Rows are split over the
     * threads as {@link Parallel#forRange} splits an elementwise pass over C, so each thread writes
     * the part of the gradient the optimizer's split then reads on the same core.
     */
    static void outer(boolean transA, boolean transB, int m, int n, float alpha, float[] a, int aOff, int lda,
                      float[] b, int bOff, int ldb, boolean add, float[] c, int cOff, int ldc) {
        long minRows = Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / Math.max(1, n));
        Parallel.forRange(m, minRows, (part, from, to) -> {
            float[] row = ROW.get();
            if (row.length < n) ROW.set(row = new float[n]);
            for (int j = 0; j < n; j++) row[j] = transB ? b[bOff + j * ldb] : b[bOff + j];
            int bound = S.loopBound(n);
            for (int i = from; i < to; i++) {
                float ai = alpha * (transA ? a[aOff + i] : a[aOff + i * lda]);
                FloatVector av = FloatVector.broadcast(S, ai);
                int co = cOff + i * ldc;
                int j = 0;
                if (add) {
                    for (; j < bound; j += V) {
                        av.mul(FloatVector.fromArray(S, row, j)).add(FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
                    }
                    for (; j < n; j++) c[co + j] += ai * row[j];
                } else {
                    row(ai, row, 0, n, c, co);
                }
            }
        });
    }

    /** One row of the product with {@code add} off: c[co + j] = 0 + ai·b[bOff + j] for j < n. */
    static void row(float ai, float[] b, int bOff, int n, float[] c, int co) {
        FloatVector av = FloatVector.broadcast(S, ai), zero = FloatVector.zero(S);
        int j = 0;
        for (int bound = S.loopBound(n); j < bound; j += V) {
            av.mul(FloatVector.fromArray(S, b, bOff + j)).add(zero).intoArray(c, co + j);
        }
        for (; j < n; j++) c[co + j] = 0f + ai * b[bOff + j];
    }

}

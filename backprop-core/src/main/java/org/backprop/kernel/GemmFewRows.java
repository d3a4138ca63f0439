package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmVector}'s products of fewer than {@link GemmVector#SMALL_M} rows (a batch of 1):
 * packing would cost more than the product, so B is worked on as stored: an axpy over B's rows
 * when B is not transposed, dot products over B's rows when it is. Loaded only when {@link Simd#VECTOR}.
 */
final class GemmFewRows {
    private GemmFewRows() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    /** C += alpha·op(A)·op(B) for m &lt; {@link GemmVector#SMALL_M} rows (C already scaled by beta). */
    static void product(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        float[] row = GemmVector.buffer(1, k);
        int bound = S.loopBound(n);
        for (int i = 0; i < m; i++) {
            for (int p = 0; p < k; p++) row[p] = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
            int co = cOff + i * ldc;
            if (!transB) {
                for (int p = 0; p < k; p++) {
                    float ap = row[p];
                    if (ap == 0f) continue;
                    FloatVector av = FloatVector.broadcast(S, ap);
                    int bo = bOff + p * ldb;
                    int j = 0;
                    for (; j < bound; j += V) {
                        FloatVector.fromArray(S, b, bo + j).fma(av, FloatVector.fromArray(S, c, co + j)).intoArray(c, co + j);
                    }
                    for (; j < n; j++) c[co + j] += ap * b[bo + j];
                }
            } else if ((long) n * k < 2 * Parallel.MIN_ELEMENTS_PER_THREAD) {
                dots(row, k, b, bOff, ldb, c, co, 0, n);
            } else {
                // A batch-1 forward through a large layer: each thread streams its share of the
                // weight rows once, the share the optimizer's split updates on the same core.
                long minCols = Math.max(1, Parallel.MIN_ELEMENTS_PER_THREAD / k);
                Parallel.forRange(n, minCols, (part, from, to) -> dots(row, k, b, bOff, ldb, c, co, from, to));
            }
        }
    }

    /**
     * c[co + j] += row · B row j for j in [from, to): B transposed, read along its rows, four rows
     * at a time (four independent chains of FMAs, where one bounded the loop); each row's sum is
     * formed in the order of a row alone (its accumulator, {@link SimdVector#sum}, the tail): same bits.
     */
    private static void dots(float[] row, int k, float[] b, int bOff, int ldb, float[] c, int co, int from, int to) {
        int kb = S.loopBound(k), j = from;
        for (; j + 4 <= to; j += 4) {
            int b0 = bOff + j * ldb, b1 = b0 + ldb, b2 = b1 + ldb, b3 = b2 + ldb;
            FloatVector acc0 = FloatVector.zero(S), acc1 = acc0, acc2 = acc0, acc3 = acc0;
            for (int p = 0; p < kb; p += V) {
                FloatVector r = FloatVector.fromArray(S, row, p);
                acc0 = r.fma(FloatVector.fromArray(S, b, b0 + p), acc0); acc1 = r.fma(FloatVector.fromArray(S, b, b1 + p), acc1);
                acc2 = r.fma(FloatVector.fromArray(S, b, b2 + p), acc2); acc3 = r.fma(FloatVector.fromArray(S, b, b3 + p), acc3);
            }
            c[co + j] += tail(SimdVector.sum(acc0), row, b, b0, kb, k); c[co + j + 1] += tail(SimdVector.sum(acc1), row, b, b1, kb, k);
            c[co + j + 2] += tail(SimdVector.sum(acc2), row, b, b2, kb, k); c[co + j + 3] += tail(SimdVector.sum(acc3), row, b, b3, kb, k);
        }
        for (int bo = bOff + j * ldb; j < to; j++, bo += ldb) { // the last rows one at a time
            FloatVector acc = FloatVector.zero(S);
            for (int p = 0; p < kb; p += V) acc = FloatVector.fromArray(S, row, p).fma(FloatVector.fromArray(S, b, bo + p), acc);
            c[co + j] += tail(SimdVector.sum(acc), row, b, bo, kb, k);
        }
    }

    private static float tail(float s, float[] row, float[] b, int bo, int kb, int k) {
        for (int p = kb; p < k; p++) s += row[p] * b[bo + p];
        return s;
    }
}

package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * The packing of {@link GemmVector}'s operands: B into zero-padded panels {@code NR} wide laid out
 * [kc][NR], A into panels of {@code MR} rows laid out [kc][MR] (A scaled by alpha on the way).
 * Loaded only when {@link Simd#VECTOR}.
 */
final class GemmPack {
    private GemmPack() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    private static final int MR = GemmVector.MR;
    private static final int NR = GemmVector.NR;

    /**
     * Packs column panels [p0, p1) of op(B)[k0:k0+kc, :] into NR-wide panels from {@code out[outOff]}
     * on, each laid out [kc][NR], zero-padded.
     */
    static void packB(boolean transB, float[] b, int bOff, int ldb, int k0, int kc, int n, int p0, int p1,
                      float[] out, int outOff) {
        int[] rowStarts = null;
        for (int jp = p0; jp < p1; jp++) {
            int j0 = jp * NR, cols = Math.min(NR, n - j0), base = outOff + (jp - p0) * NR * kc;
            if (!transB && cols == NR) {
                // Two vector moves a row: System.arraycopy of 32 floats cost a stub call each.
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (k0 + p) * ldb + j0, dst = base + p * NR;
                    FloatVector.fromArray(S, b, src).intoArray(out, dst);
                    FloatVector.fromArray(S, b, src + V).intoArray(out, dst + V);
                }
            } else if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (k0 + p) * ldb + j0, dst = base + p * NR;
                    System.arraycopy(b, src, out, dst, cols);
                    java.util.Arrays.fill(out, dst + cols, dst + NR, 0f);
                }
            } else if (cols == NR) {
                // op(B)(p, j) = b[j·ldb + p]: a panel row is one value from each of NR stored rows.
                // V rows of the panel at a time go through TransposeVector; the last kc mod V are
                // read as two gathers and written as two vector stores (the scalar loop below wrote
                // one float per cache line, NR floats apart: 12% of a spoken-digit CNN epoch).
                if (rowStarts == null) { // gather offsets of V stored rows, once per call
                    rowStarts = new int[V];
                    for (int q = 0; q < V; q++) rowStarts[q] = q * ldb;
                }
                int src = bOff + j0 * ldb + k0, src2 = src + V * ldb;
                int pv = 0;
                if (TransposeVector.WORKS) {
                    for (; pv + V <= kc; pv += V) {
                        TransposeVector.whole(b, src + pv, ldb, out, base + pv * NR, NR);
                        TransposeVector.whole(b, src2 + pv, ldb, out, base + pv * NR + V, NR);
                    }
                }
                for (int p = pv; p < kc; p++) {
                    int dst = base + p * NR;
                    FloatVector.fromArray(S, b, src + p, rowStarts, 0).intoArray(out, dst);
                    FloatVector.fromArray(S, b, src2 + p, rowStarts, 0).intoArray(out, dst + V);
                }
            } else {
                // op(B)(p, j) = b[j·ldb + p]: read each stored row once, write it down a panel column;
                // the padding cleared first in one fill (a column at a time it was NR − cols strided
                // stores a row: 31 of 32 for a 65-token vocabulary's last panel).
                java.util.Arrays.fill(out, base, base + kc * NR, 0f);
                for (int q = 0; q < cols; q++) {
                    int src = bOff + (j0 + q) * ldb + k0;
                    for (int p = 0; p < kc; p++) out[base + p * NR + q] = b[src + p];
                }
            }
        }
    }

    /**
     * Packs alpha·op(A)[i0:i1, k0:k0+kc] into MR-row panels, each laid out [kc][MR], zero-padded.
     * Aᵀ (a weight gradient's dYᵀ): a panel row's MR values lie side by side in one stored row,
     * so with alpha = 1 each is one copy (the scalar loop cost 7% of a one-thread GPT step). A as
     * stored: whole panels go V values of k at a time through {@link PackAVector}'s in-register
     * transposes; part panels and the last kc mod V are read along their rows, one store a value.
     */
    static void packA(boolean transA, float[] a, int aOff, int lda, float alpha, int i0, int i1, int k0,
                      int kc, float[] out) {
        for (int i = i0; i < i1; i += MR) {
            int base = (i - i0) * kc;
            int rows = Math.min(MR, i1 - i);
            if (rows == MR && transA && alpha == 1f) {
                // MR floats side by side: a constant-length copy, which C2 turns into vector moves
                for (int p = 0; p < kc; p++) System.arraycopy(a, aOff + (k0 + p) * lda + i, out, base + p * MR, MR);
            } else if (transA) {
                // op(A)(row, p) = a[p·lda + row]: the panel's MR values for one p lie side by side.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (k0 + p) * lda + i, dst = base + p * MR;
                    for (int r = 0; r < rows; r++) out[dst + r] = alpha * a[src + r];
                    for (int r = rows; r < MR; r++) out[dst + r] = 0f;
                }
            } else if (rows == MR && PackAVector.WORKS && kc >= V) {
                // MR rows × V values of k transposed in registers; the last kc mod V scalar
                int src = aOff + i * lda + k0, pv = 0;
                for (; pv + V <= kc; pv += V) PackAVector.panel(a, src + pv, lda, alpha, out, base + pv * MR);
                for (int r = 0; r < MR; r++) {
                    int s = src + r * lda;
                    if (alpha == 1f) {
                        for (int p = pv; p < kc; p++) out[base + p * MR + r] = a[s + p];
                    } else {
                        for (int p = pv; p < kc; p++) out[base + p * MR + r] = alpha * a[s + p];
                    }
                }
            } else {
                if (rows < MR) java.util.Arrays.fill(out, base, base + kc * MR, 0f); // the padding rows, in one fill
                for (int r = 0; r < rows; r++) {
                    int src = aOff + (i + r) * lda + k0;
                    if (alpha == 1f) {
                        for (int p = 0; p < kc; p++) out[base + p * MR + r] = a[src + p];
                    } else {
                        for (int p = 0; p < kc; p++) out[base + p * MR + r] = alpha * a[src + p];
                    }
                }
            }
        }
    }
}

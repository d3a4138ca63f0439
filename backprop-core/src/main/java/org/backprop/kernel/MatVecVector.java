package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/** {@link MatVec}'s vector loops; loaded only when {@link Simd#VECTOR}. */
final class MatVecVector {
    private MatVecVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    static void multiplyRows(MatVec.Packed w, int rows, float[] x, int xOff, int ldx, float[] b, int bOff,
                             float[] y, int yOff, int ldy, boolean accumulate) {
        int in = w.in, out = w.out, base = 0, j0 = 0;
        float[] p = w.panels;
        for (; j0 + MatVec.PANEL <= out; j0 += MatVec.PANEL, base += MatVec.PANEL * in) {
            for (int r = 0; r < rows; r++) panel4(p, base, in, x, xOff + r * ldx, b, bOff, y, yOff + r * ldy + j0, j0, accumulate);
        }
        if (j0 < out) {
            // the last panel (fewer than four vectors): one vector at a time, rows pw apart
            int pw = MatVec.panelWidth(out, j0);
            for (int r = 0; r < rows; r++) {
                for (int v = 0; v < pw; v += V) tailVector(p, base + v, pw, in, x, xOff + r * ldx, b, bOff + j0 + v, y,
                        yOff + r * ldy + j0 + v, S.indexInRange(j0 + v, out), accumulate);
            }
        }
    }

    /**
     * One vector of the last panel's outputs, masked past the matrix's last column. A method of its
     * own so that the JIT compiles it as a whole: inside the caller's rarely taken branch its
     * vectors stayed objects on the heap (~12 KB a token).
     */
    private static void tailVector(float[] p, int col, int pw, int in, float[] x, int xo, float[] b, int bo,
                                   float[] y, int yo, VectorMask<Float> m, boolean accumulate) {
        FloatVector acc = start(b, bo, y, yo, accumulate, m);
        for (int i = 0; i < in; i++) acc = FloatVector.fromArray(S, p, col + i * pw).fma(FloatVector.broadcast(S, x[xo + i]), acc);
        acc.intoArray(y, yo, m);
    }

    /** The initial sum of a vector of outputs: the old y (when accumulating) plus the bias, or zero. */
    private static FloatVector start(float[] b, int bo, float[] y, int yo, boolean accumulate, VectorMask<Float> m) {
        FloatVector s = accumulate ? FloatVector.fromArray(S, y, yo, m) : FloatVector.zero(S);
        return b == null ? s : s.add(FloatVector.fromArray(S, b, bo, m));
    }

    private static FloatVector start(float[] b, int bo, float[] y, int yo, boolean accumulate) {
        FloatVector s = accumulate ? FloatVector.fromArray(S, y, yo) : FloatVector.zero(S);
        return b == null ? s : s.add(FloatVector.fromArray(S, b, bo));
    }

    /** One full panel: four vectors of outputs in registers while the in rows stream past. */
    private static void panel4(float[] p, int base, int in, float[] x, int xOff, float[] b, int bOff,
                               float[] y, int yo, int j0, boolean accumulate) {
        int bo = bOff + j0;
        FloatVector a0 = start(b, bo, y, yo, accumulate), a1 = start(b, bo + V, y, yo + V, accumulate);
        FloatVector a2 = start(b, bo + 2 * V, y, yo + 2 * V, accumulate), a3 = start(b, bo + 3 * V, y, yo + 3 * V, accumulate);
        for (int i = 0, r = base; i < in; i++, r += 4 * V) {
            FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
            a0 = FloatVector.fromArray(S, p, r).fma(xi, a0);
            a1 = FloatVector.fromArray(S, p, r + V).fma(xi, a1);
            a2 = FloatVector.fromArray(S, p, r + 2 * V).fma(xi, a2);
            a3 = FloatVector.fromArray(S, p, r + 3 * V).fma(xi, a3);
        }
        a0.intoArray(y, yo);
        a1.intoArray(y, yo + V);
        a2.intoArray(y, yo + 2 * V);
        a3.intoArray(y, yo + 3 * V);
    }

    static void combineRows(float[] x, int xOff, int k, float[] a, int aOff, int lda, int n, float[] y, int yOff) {
        int j = 0;
        for (; j + 2 * V <= n; j += 2 * V) { // two chains of multiply-adds at a time
            FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S);
            for (int i = 0, r = aOff + j; i < k; i++, r += lda) {
                FloatVector xi = FloatVector.broadcast(S, x[xOff + i]);
                s0 = FloatVector.fromArray(S, a, r).fma(xi, s0);
                s1 = FloatVector.fromArray(S, a, r + V).fma(xi, s1);
            }
            s0.intoArray(y, yOff + j);
            s1.intoArray(y, yOff + j + V);
        }
        for (; j < n; j += V) { // a single vector, masked past n
            VectorMask<Float> m = S.indexInRange(j, n);
            FloatVector s0 = FloatVector.zero(S);
            for (int i = 0, r = aOff + j; i < k; i++, r += lda) {
                s0 = FloatVector.fromArray(S, a, r, m).fma(FloatVector.broadcast(S, x[xOff + i]), s0);
            }
            s0.intoArray(y, yOff + j, m);
        }
    }
}

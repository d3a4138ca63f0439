package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vectorised loops over float arrays for the elementwise hot paths of training: same-shape
 * add/sub/mul, a row added to every row of a matrix (bias), ReLU forward and backward, and
 * column sums (bias gradients). Every loop is the Vector API template (whole vectors up to
 * {@code loopBound}, then a scalar tail) with the plain loop beside it for
 * {@code backprop.vectorBits=0}.
 *
 * <p>Each result is bit-for-bit the scalar loop's: the operations are elementwise IEEE ones,
 * and column sums add the rows in the same order. {@link #sum} is the exception (it reorders).
 */
public final class Vec {
    private Vec() {}

    private static final VectorSpecies<Float> S = Simd.SPECIES;

    /** The binary operations with a vector form. */
    public enum Op { ADD, SUB, MUL }

    /** out[i] = a[i] op b[i] for i in [0, n). */
    public static void binary(Op op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        // One loop per operation, so no switch sits inside the vector loop.
        int i = 0;
        int bound = S == null ? 0 : S.loopBound(n), step = S == null ? 1 : S.length();
        switch (op) {
            case ADD -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).add(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i];
            }
            case SUB -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).sub(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i];
            }
            case MUL -> {
                for (; i < bound; i += step) {
                    FloatVector.fromArray(S, a, ao + i).mul(FloatVector.fromArray(S, b, bo + i)).intoArray(out, oo + i);
                }
                for (; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i];
            }
        }
    }

    /** out[r, j] = a[r, j] op row[j] for a row-major [rows, cols] matrix a (the broadcast of a bias). */
    public static void rowBroadcast(Op op, float[] a, int ao, float[] row, int ro, float[] out, int oo, int rows, int cols) {
        for (int r = 0; r < rows; r++) binary(op, a, ao + r * cols, row, ro, out, oo + r * cols, cols);
    }

    /** y[i] = x[i] &gt; 0 ? x[i] : 0 (NaN and −0 give +0, as the scalar form does). */
    public static void relu(float[] x, int xo, float[] y, int n) {
        int i = 0;
        if (S != null) {
            FloatVector zero = FloatVector.zero(S);
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                FloatVector v = FloatVector.fromArray(S, x, xo + i);
                zero.blend(v, v.compare(VectorOperators.GT, 0f)).intoArray(y, i);
            }
        }
        for (; i < n; i++) {
            float v = x[xo + i];
            y[i] = v > 0 ? v : 0f;
        }
    }

    /**
     * ReLU's backward from its output: gi[i] = g[i]·(y[i] &gt; 0 ? 1 : 0). Multiplying (rather
     * than selecting) keeps the scalar rule exactly, signed zeros and NaN gradients included;
     * y &gt; 0 exactly where the input was &gt; 0.
     */
    public static void reluBackward(float[] g, int go, float[] y, float[] gi, int n) {
        int i = 0;
        if (S != null) {
            FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f);
            int bound = S.loopBound(n);
            for (; i < bound; i += S.length()) {
                VectorMask<Float> positive = FloatVector.fromArray(S, y, i).compare(VectorOperators.GT, 0f);
                FloatVector.fromArray(S, g, go + i).mul(zero.blend(one, positive)).intoArray(gi, i);
            }
        }
        for (; i < n; i++) gi[i] = g[go + i] * (y[i] > 0 ? 1f : 0f);
    }

    /** sums[j] += Σ_r x[r, j] for a row-major [rows, cols] matrix, adding row after row. */
    public static void addColumnSums(float[] x, int xo, int rows, int cols, float[] sums, int so) {
        if (S == null || cols < S.length()) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) sums[so + j] += x[xo + r * cols + j];
            }
            return;
        }
        for (int r = 0; r < rows; r++) binary(Op.ADD, sums, so, x, xo + r * cols, sums, so, cols);
    }

    /** Values summed in float lanes before their total joins the double sum (see {@link #sum}). */
    private static final int SUM_BLOCK = 2048;

    /**
     * Σ a[off .. off + n). Blocks of 2048 values are summed in four vectors of float lanes (each
     * lane adds at most 2048 / (4·lanes) values, so float rounding stays near that of a short
     * sum) and the block totals are added in double. A plain double loop waits on each add's
     * latency: for the bias gradient of LeNet's first layer (600K values a batch) that was 6% of
     * the step. Unlike the other loops here this is not bit-for-bit the scalar order.
     */
    public static double sum(float[] a, int off, int n) {
        double total = 0;
        for (int b = 0; b < n; b += SUM_BLOCK) {
            int len = Math.min(SUM_BLOCK, n - b), start = off + b, i = 0;
            float block = 0f;
            if (S != null) {
                int v = S.length(), bound4 = len - len % (4 * v);
                FloatVector s0 = FloatVector.zero(S), s1 = FloatVector.zero(S), s2 = FloatVector.zero(S), s3 = FloatVector.zero(S);
                for (; i < bound4; i += 4 * v) {
                    s0 = s0.add(FloatVector.fromArray(S, a, start + i));
                    s1 = s1.add(FloatVector.fromArray(S, a, start + i + v));
                    s2 = s2.add(FloatVector.fromArray(S, a, start + i + 2 * v));
                    s3 = s3.add(FloatVector.fromArray(S, a, start + i + 3 * v));
                }
                block = Simd.sumLanes(s0.add(s1).add(s2.add(s3)));
            }
            for (; i < len; i++) block += a[start + i];
            total += block;
        }
        return total;
    }
}

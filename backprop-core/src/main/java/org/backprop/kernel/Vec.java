package org.backprop.kernel;

/**
 * Vectorised loops over float arrays for the elementwise hot paths of training: same-shape
 * add/sub/mul, a row added to every row of a matrix (bias), ReLU forward and backward, and
 * column sums (bias gradients). Every loop is the Vector API template (whole vectors up to
 * {@code loopBound}, then a scalar tail), in {@link VecVector}, with the plain loop here for
 * {@code backprop.vectorBits=0} and JVMs without the Vector API.
 *
 * <p>Each result is bit-for-bit the scalar loop's: the operations are elementwise IEEE ones,
 * and column sums add the rows in the same order. {@link #sum} is the exception (it reorders).
 */
public final class Vec {
    private Vec() {}

    /** The binary operations with a vector form. */
    public enum Op { ADD, SUB, MUL }

    /** out[i] = a[i] op b[i] for i in [0, n). */
    public static void binary(Op op, float[] a, int ao, float[] b, int bo, float[] out, int oo, int n) {
        if (Simd.VECTOR) {
            VecVector.binary(op, a, ao, b, bo, out, oo, n);
            return;
        }
        switch (op) {
            case ADD -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] + b[bo + i]; }
            case SUB -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] - b[bo + i]; }
            case MUL -> { for (int i = 0; i < n; i++) out[oo + i] = a[ao + i] * b[bo + i]; }
        }
    }

    /** out[r, j] = a[r, j] op row[j] for a row-major [rows, cols] matrix a (the broadcast of a bias). */
    public static void rowBroadcast(Op op, float[] a, int ao, float[] row, int ro, float[] out, int oo, int rows, int cols) {
        for (int r = 0; r < rows; r++) binary(op, a, ao + r * cols, row, ro, out, oo + r * cols, cols);
    }

    /** y[i] = x[i] &gt; 0 ? x[i] : 0 (NaN and −0 give +0, as the scalar form does). */
    public static void relu(float[] x, int xo, float[] y, int n) {
        if (Simd.VECTOR) {
            VecVector.relu(x, xo, y, n);
            return;
        }
        for (int i = 0; i < n; i++) {
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
        if (Simd.VECTOR) {
            VecVector.reluBackward(g, go, y, gi, n);
            return;
        }
        for (int i = 0; i < n; i++) gi[i] = g[go + i] * (y[i] > 0 ? 1f : 0f);
    }

    /**
     * sums[j] += Σ_r x[r, j] for a row-major [rows, cols] matrix, adding row after row. A large
     * matrix (a bias gradient over a GPT step's 768 rows) is split by columns over the kernel
     * threads: each column is still summed in row order, so the bits do not depend on the split.
     */
    public static void addColumnSums(float[] x, int xo, int rows, int cols, float[] sums, int so) {
        int parts = Math.min(Parallel.parts((int) Math.min((long) rows * cols, Integer.MAX_VALUE), Parallel.MIN_ELEMENTS_PER_THREAD),
                Math.max(1, cols / (4 * Simd.LANES)));
        if (parts == 1) {
            addColumnSums(x, xo, rows, cols, cols, sums, so);
            return;
        }
        Parallel.forEach(parts, (long) rows * cols, p -> {
            int c0 = (int) ((long) cols * p / parts), c1 = (int) ((long) cols * (p + 1) / parts);
            addColumnSums(x, xo + c0, rows, c1 - c0, cols, sums, so + c0);
        });
    }

    /** sums[j] += Σ_r x[xo + r·ld + j] for j in [0, cols). */
    private static void addColumnSums(float[] x, int xo, int rows, int cols, int ld, float[] sums, int so) {
        if (!Simd.VECTOR || cols < Simd.LANES) {
            for (int r = 0; r < rows; r++) {
                for (int j = 0; j < cols; j++) sums[so + j] += x[xo + r * ld + j];
            }
            return;
        }
        VecVector.addColumnSums(x, xo, rows, cols, ld, sums, so);
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
            int len = Math.min(SUM_BLOCK, n - b), start = off + b;
            float block = 0f;
            if (Simd.VECTOR) {
                block = VecVector.blockSum(a, start, len);
            } else {
                for (int i = 0; i < len; i++) block += a[start + i];
            }
            total += block;
        }
        return total;
    }

    /**
     * {@link #allFinite} over a whole array, split over the kernel threads as
     * {@link Parallel#forRange} splits every elementwise loop: each thread checks the part of a
     * parameter or gradient it just wrote, in its own core's cache.
     */
    public static boolean allFiniteParallel(float[] a) {
        int parts = Parallel.parts(a.length, Parallel.MIN_ELEMENTS_PER_THREAD);
        if (parts == 1) return allFinite(a, 0, a.length);
        boolean[] bad = new boolean[parts];
        Parallel.forRange(a.length, Parallel.MIN_ELEMENTS_PER_THREAD, (part, from, to) -> bad[part] = !allFinite(a, from, to - from));
        for (boolean b : bad) if (b) return false;
        return true;
    }

    /**
     * Σ a[i]² over a[off .. off + n) in double precision, in a fixed order (the same result on
     * every run and JIT tier): whole vectors in lane-wise partial sums, then the lanes and the
     * tail in index order.
     */
    public static double sumOfSquares(float[] a, int off, int n) {
        if (Simd.VECTOR) return VecVector.sumOfSquares(a, off, n);
        double s = 0;
        for (int i = 0; i < n; i++) s += (double) a[off + i] * a[off + i];
        return s;
    }

    /** Whether a[off .. off + n) holds only finite values: x·0 is 0 for those and NaN for NaN and ±∞. */
    public static boolean allFinite(float[] a, int off, int n) {
        if (Simd.VECTOR) return VecVector.allFinite(a, off, n);
        float acc = 0f;
        for (int i = 0; i < n; i++) acc += a[off + i] * 0f;
        return acc == 0f;
    }
}

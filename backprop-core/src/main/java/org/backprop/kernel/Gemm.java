package org.backprop.kernel;

/**
 * Single-precision matrix product on heap arrays, row-major, with the BLAS contract:
 * <pre>{@code C := alpha·op(A)·op(B) + beta·C }</pre>
 * where op(X) is X or Xᵀ. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb, ldc are the row
 * strides of the arrays as stored. Transposed operands (the backward pass's Xᵀ·dY and dY·Wᵀ) are
 * handled while packing: no transpose is ever materialised.
 *
 * <p>The vector path ({@link GemmVector}) follows the classic packed GEMM: K in blocks; B
 * packed into zero-padded panels {@code NR} wide; A packed into panels of {@code MR} rows; a
 * register-blocked micro-kernel of MR × 2 vectors: 4 × 2 (8 accumulators, which fits the 16
 * registers of AVX2 without spilling), or 8 × 2 where the CPU has AVX-512's 32 registers (also
 * with 8-float vectors there). Work is split over {@link Parallel#THREADS}. With
 * {@code backprop.vectorBits=0} a plain scalar loop runs instead.
 */
public final class Gemm {
    private Gemm() {}

    /**
     * The product, on the engine {@code backprop.blas} selects (see {@link NativeBlas}): the
     * pure-Java kernels by default, OpenBLAS when asked for and found.
     */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        if (k == 0 || alpha == 0f) {
            scale(beta, m, n, c, cOff, ldc);
            return;
        }
        if (NativeBlas.MODE != NativeBlas.Mode.JAVA && NativeBlas.selected(m)) {
            NativeBlas.call(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
            return;
        }
        javaProduct(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    /**
     * Whether {@link #sgemm} computes a rank-1 product (k = 1, beta = 0) of m rows as
     * {@link #outerRow} computes each row, so that a caller may defer the product and form it a
     * row at a time with the same bits (the fused optimizer step's batch-1 weight gradient).
     */
    public static boolean outerByRows(int m) {
        return Simd.VECTOR && m >= GemmVector.SMALL_M && (NativeBlas.MODE == NativeBlas.Mode.JAVA || !NativeBlas.selected(m));
    }

    /** Row i of such a product with alpha = 1 and B contiguous: c[co + j] = 0 + aᵢ·b[bOff + j] for j &lt; n. */
    public static void outerRow(float ai, float[] b, int bOff, int n, float[] c, int co) {
        OuterProductVector.row(ai, b, bOff, n, c, co);
    }

    /** The same contract on the pure-Java kernels whatever {@code backprop.blas} says (for tests and benchmarks). */
    public static void sgemmJava(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                 float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                 float beta, float[] c, int cOff, int ldc) {
        check(transA, transB, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        if (m == 0 || n == 0) return;
        javaProduct(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, beta, c, cOff, ldc);
    }

    private static void javaProduct(boolean transA, boolean transB, int m, int n, int k, float alpha,
                                    float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                                    float beta, float[] c, int cOff, int ldc) {
        if (Simd.VECTOR && k == 1 && m >= GemmVector.SMALL_M && (beta == 0f || beta == 1f)) {
            // A rank-1 product (a batch-1 weight gradient): written in one pass, beta = 0 with no fill first.
            OuterProductVector.outer(transA, transB, m, n, alpha, a, aOff, lda, b, bOff, ldb, beta == 1f, c, cOff, ldc);
            return;
        }
        if (k == 0 || alpha == 0f) {
            scale(beta, m, n, c, cOff, ldc);
        } else if (Simd.VECTOR) {
            // beta = 0: the kernels write C without a pass to clear it first
            if (beta != 0f) scale(beta, m, n, c, cOff, ldc);
            GemmVector.product(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, beta == 0f);
        } else {
            scale(beta, m, n, c, cOff, ldc);
            scalar(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    /** C := beta·C; beta = 0 clears C, so NaN or garbage in it never leaks into the result. */
    static void scale(float beta, int m, int n, float[] c, int cOff, int ldc) {
        if (beta == 1f) return;
        for (int i = 0; i < m; i++) {
            int row = cOff + i * ldc;
            if (beta == 0f) {
                java.util.Arrays.fill(c, row, row + n, 0f);
            } else {
                for (int j = 0; j < n; j++) c[row + j] *= beta;
            }
        }
    }

    // ------------------------------------------------------------------ scalar path

    /** Plain loops, for {@code backprop.vectorBits=0} and as the readable statement of the contract. */
    static void scalar(boolean transA, boolean transB, int m, int n, int k, float alpha,
                       float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                       float[] c, int cOff, int ldc) {
        for (int i = 0; i < m; i++) {
            int co = cOff + i * ldc;
            for (int p = 0; p < k; p++) {
                float aip = alpha * (transA ? a[aOff + p * lda + i] : a[aOff + i * lda + p]);
                if (!transB) {
                    int bo = bOff + p * ldb;
                    for (int j = 0; j < n; j++) c[co + j] += aip * b[bo + j];
                } else {
                    for (int j = 0; j < n; j++) c[co + j] += aip * b[bOff + j * ldb + p];
                }
            }
        }
    }

    static void check(boolean transA, boolean transB, int m, int n, int k, float[] a, int aOff, int lda,
                              float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("sgemm: negative size m=" + m + " n=" + n + " k=" + k);
        int aRows = transA ? k : m, aCols = transA ? m : k;
        int bRows = transB ? n : k, bCols = transB ? k : n;
        need("A", a, aOff, lda, aRows, aCols);
        need("B", b, bOff, ldb, bRows, bCols);
        need("C", c, cOff, ldc, m, n);
    }

    private static void need(String name, float[] x, int off, int ld, int rows, int cols) {
        if (rows == 0 || cols == 0) return;
        if (ld < cols) {
            throw new IllegalArgumentException("sgemm: leading dimension of " + name + " is " + ld + ", less than its "
                    + cols + " columns");
        }
        long last = off + (long) (rows - 1) * ld + cols;
        if (off < 0 || last > x.length) {
            throw new IllegalArgumentException("sgemm: " + name + " (" + rows + "×" + cols + ", ld " + ld + ", offset "
                    + off + ") needs " + last + " floats but its array has " + x.length);
        }
    }
}

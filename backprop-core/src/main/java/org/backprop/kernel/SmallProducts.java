package org.backprop.kernel;

/**
 * Matrix products too thin for {@link Gemm}'s packing to pay: a convolution's products where
 * one dimension is a handful of channels or a 3×3 / 5×5 window of one input channel. Packing
 * copies a whole operand into zero-padded panels; when the product does only a few
 * multiply-adds per copied value (k = 9 for a first layer, m = 6 or n = 25 for LeNet) the copy
 * is the cost. These loops read the operands where they lie. Single-threaded: the caller
 * already splits its work over the cores.
 */
public final class SmallProducts {
    private SmallProducts() {}

    /**
     * C[m, n] = op(A)[m, k] · B[k, n] (+ C when {@code accumulate}), B row-major with row stride
     * ldb, op(A) = A or Aᵀ as stored with row stride lda. Meant for small k or small m: four rows
     * of C by two vectors of columns stay in registers while k runs.
     */
    public static void nn(boolean transA, int m, int n, int k, float[] a, int aOff, int lda,
                          float[] b, int bOff, int ldb, float[] c, int cOff, int ldc, boolean accumulate) {
        if (Simd.VECTOR) {
            SmallProductsVector.nn(transA, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, accumulate);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                float s = accumulate ? c[cOff + i * ldc + j] : 0f;
                for (int p = 0; p < k; p++) s += at(transA, a, aOff, lda, i, p) * b[bOff + p * ldb + j];
                c[cOff + i * ldc + j] = s;
            }
        }
    }

    /**
     * {@link #nn} (accumulate off) for attention's causal products, by groups of four rows each
     * summing over only its band of k, row r of C being query or key number diag + r: without
     * transA rows [i, i + 4) sum over p &lt; diag + i + 4 (queries over the keys they see), with it
     * over p ≥ diag + i (keys over the queries that see them). Each entry is {@link #nn}'s chain
     * with the terms outside the band left out: the same bits where those are zeros. n must be a
     * multiple of two vectors.
     */
    public static void nnBanded(boolean transA, int diag, int m, int n, int k, float[] a, int aOff, int lda,
                                float[] b, int bOff, int ldb, float[] c, int cOff, int ldc) {
        if (Simd.VECTOR) {
            SmallProductsVector.nnBanded(transA, diag, m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        for (int i = 0; i < m; i += 4) {
            int r = Math.min(4, m - i), p0 = transA ? Math.min(k, diag + i) : 0, p1 = transA ? k : Math.min(k, diag + i + r);
            nn(transA, r, n, p1 - p0, a, aOff + (transA ? p0 * lda + i : i * lda), lda, b, bOff + p0 * ldb, ldb,
                    c, cOff + i * ldc, ldc, false);
        }
    }

    private static float at(boolean trans, float[] a, int off, int ld, int i, int p) {
        return trans ? a[off + p * ld + i] : a[off + i * ld + p];
    }

    /**
     * C[m, n] += A[m, k] · B[n, k]ᵀ, both stored row-major along k: m·n dot products of
     * contiguous rows, four rows of A against one of B at a time. For a weight gradient
     * dW += dY · colsᵀ with few outputs, where k (output positions) is long.
     */
    public static void nt(int m, int n, int k, float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                          float[] c, int cOff, int ldc) {
        if (Simd.VECTOR) {
            SmallProductsVector.nt(m, n, k, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
            return;
        }
        for (int i = 0; i < m; i++) {
            for (int j = 0; j < n; j++) {
                int a0 = aOff + i * lda, b0 = bOff + j * ldb;
                float t = 0;
                for (int p = 0; p < k; p++) t += a[a0 + p] * b[b0 + p];
                c[cOff + i * ldc + j] += t;
            }
        }
    }
}

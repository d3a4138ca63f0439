package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Single-precision matrix product on heap arrays, row-major, with the BLAS contract:
 * <pre>{@code C := alpha·op(A)·op(B) + beta·C }</pre>
 * where op(X) is X or Xᵀ. op(A) is m×k, op(B) is k×n, C is m×n; lda, ldb, ldc are the row
 * strides of the arrays as stored. Transposed operands (the backward pass's Xᵀ·dY and dY·Wᵀ) are
 * handled while packing: no transpose is ever materialised.
 *
 * <p>The vector path follows the classic packed GEMM: K in blocks of at most {@value #KC}; B
 * packed into zero-padded panels {@code NR} wide; A packed into panels of {@value #MR} rows; a
 * register-blocked micro-kernel of MR × 2 vectors (8 accumulators, which fits the 16 registers
 * of AVX2 without spilling). Work is split over {@link Parallel#THREADS}. With
 * {@code backprop.vectorBits=0} a plain scalar loop runs instead.
 */
public final class Gemm {
    private Gemm() {}

    private static final VectorSpecies<Float> S = Simd.SPECIES;
    private static final int V = Simd.LANES;
    static final int MR = 4;
    private static final int NR = 2 * V;
    static final int KC = 256;
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    private static final long PARALLEL_WORK = 1L << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[3][]);

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
        scale(beta, m, n, c, cOff, ldc);
        if (k == 0 || alpha == 0f) return;
        if (S == null) {
            scalar(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else if (m < MR) {
            smallM(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
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

    // ------------------------------------------------------------------ packed vector path

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // balanced blocks: no thin last block
        int nPanels = (n + NR - 1) / NR;
        int mPanels = (m + MR - 1) / MR;
        float[] packedB = buffer(0, nPanels * NR * kcMax);
        long work = (long) m * n * k;
        int threads = work < PARALLEL_WORK ? 1 : Parallel.THREADS;
        // Split whichever dimension has more panels, so each thread gets a fair share.
        boolean splitRows = mPanels >= nPanels || mPanels >= 4 * threads;
        int parts = Math.min(threads, splitRows ? mPanels : nPanels);
        for (int k0 = 0; k0 < k; k0 += kcMax) {
            int kc = Math.min(kcMax, k - k0);
            int kStart = k0;
            packB(transB, b, bOff, ldb, kStart, kc, n, nPanels, packedB);
            Parallel.forEach(parts, part -> {
                int r0 = splitRows ? share(mPanels, parts, part) : 0;
                int r1 = splitRows ? share(mPanels, parts, part + 1) : mPanels;
                int p0 = splitRows ? 0 : share(nPanels, parts, part);
                int p1 = splitRows ? nPanels : share(nPanels, parts, part + 1);
                float[] packedA = buffer(1, (r1 - r0) * MR * kc);
                float[] tile = buffer(2, MR * NR);
                packA(transA, a, aOff, lda, alpha, r0 * MR, Math.min(m, r1 * MR), kStart, kc, packedA);
                for (int jp = p0; jp < p1; jp++) {
                    int j = jp * NR;
                    int cols = Math.min(NR, n - j);
                    for (int ip = r0; ip < r1; ip++) {
                        int i = ip * MR;
                        int rows = Math.min(MR, m - i);
                        int ao = (ip - r0) * MR * kc, bo = jp * NR * kc;
                        if (rows == MR && cols == NR) {
                            kernel(kc, packedA, ao, packedB, bo, c, cOff + i * ldc + j, ldc);
                        } else {
                            java.util.Arrays.fill(tile, 0f);
                            kernel(kc, packedA, ao, packedB, bo, tile, 0, NR);
                            for (int r = 0; r < rows; r++) {
                                int row = cOff + (i + r) * ldc + j;
                                for (int q = 0; q < cols; q++) c[row + q] += tile[r * NR + q];
                            }
                        }
                    }
                }
            });
        }
    }

    /** The micro-kernel: C[MR×NR] += Apanel[kc×MR]ᵀ·Bpanel[kc×NR], 8 vector accumulators. */
    private static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR, ap = ao + p * MR;
            FloatVector b0 = FloatVector.fromArray(S, pb, bp);
            FloatVector b1 = FloatVector.fromArray(S, pb, bp + V);
            FloatVector a0 = FloatVector.broadcast(S, pa[ap]);
            c00 = a0.fma(b0, c00);
            c01 = a0.fma(b1, c01);
            FloatVector a1 = FloatVector.broadcast(S, pa[ap + 1]);
            c10 = a1.fma(b0, c10);
            c11 = a1.fma(b1, c11);
            FloatVector a2 = FloatVector.broadcast(S, pa[ap + 2]);
            c20 = a2.fma(b0, c20);
            c21 = a2.fma(b1, c21);
            FloatVector a3 = FloatVector.broadcast(S, pa[ap + 3]);
            c30 = a3.fma(b0, c30);
            c31 = a3.fma(b1, c31);
        }
        addInto(c00, c01, c, co);
        addInto(c10, c11, c, co + ldc);
        addInto(c20, c21, c, co + 2 * ldc);
        addInto(c30, c31, c, co + 3 * ldc);
    }

    private static void addInto(FloatVector lo, FloatVector hi, float[] c, int at) {
        lo.add(FloatVector.fromArray(S, c, at)).intoArray(c, at);
        hi.add(FloatVector.fromArray(S, c, at + V)).intoArray(c, at + V);
    }

    /** Packs op(B)[k0:k0+kc, 0:n] into NR-wide panels, each laid out [kc][NR], zero-padded. */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int k0, int kc, int n, int nPanels,
                              float[] out) {
        for (int jp = 0; jp < nPanels; jp++) {
            int j0 = jp * NR, cols = Math.min(NR, n - j0), base = jp * NR * kc;
            if (!transB) {
                for (int p = 0; p < kc; p++) {
                    int src = bOff + (k0 + p) * ldb + j0, dst = base + p * NR;
                    System.arraycopy(b, src, out, dst, cols);
                    if (cols < NR) java.util.Arrays.fill(out, dst + cols, dst + NR, 0f);
                }
            } else {
                // op(B)(p, j) = b[j·ldb + p]: read each stored row once, write it down a panel column.
                for (int q = 0; q < cols; q++) {
                    int src = bOff + (j0 + q) * ldb + k0;
                    for (int p = 0; p < kc; p++) out[base + p * NR + q] = b[src + p];
                }
                for (int q = cols; q < NR; q++) {
                    for (int p = 0; p < kc; p++) out[base + p * NR + q] = 0f;
                }
            }
        }
    }

    /** Packs alpha·op(A)[i0:i1, k0:k0+kc] into MR-row panels, each laid out [kc][MR], zero-padded. */
    private static void packA(boolean transA, float[] a, int aOff, int lda, float alpha, int i0, int i1, int k0,
                              int kc, float[] out) {
        for (int i = i0; i < i1; i += MR) {
            int base = (i - i0) * kc;
            for (int r = 0; r < MR; r++) {
                int row = i + r;
                if (row >= i1) {
                    for (int p = 0; p < kc; p++) out[base + p * MR + r] = 0f;
                } else if (!transA) {
                    int src = aOff + row * lda + k0;
                    for (int p = 0; p < kc; p++) out[base + p * MR + r] = alpha * a[src + p];
                } else {
                    int src = aOff + k0 * lda + row;
                    for (int p = 0; p < kc; p++) out[base + p * MR + r] = alpha * a[src + p * lda];
                }
            }
        }
    }

    // ------------------------------------------------------------------ few rows (batch of 1)

    /**
     * m &lt; MR: packing would cost more than the product, so work on B as stored: an axpy over
     * B's rows when B is not transposed, dot products over B's rows when it is.
     */
    private static void smallM(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        float[] row = buffer(1, k);
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
            } else {
                int kb = S.loopBound(k);
                for (int j = 0; j < n; j++) {
                    int bo = bOff + j * ldb;
                    FloatVector acc = FloatVector.zero(S);
                    int p = 0;
                    for (; p < kb; p += V) acc = FloatVector.fromArray(S, row, p).fma(FloatVector.fromArray(S, b, bo + p), acc);
                    float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
                    for (; p < k; p++) s += row[p] * b[bo + p];
                    c[co + j] += s;
                }
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

    // ------------------------------------------------------------------ helpers

    private static int share(int total, int parts, int part) {
        return (int) ((long) total * part / parts);
    }

    /** A per-thread scratch array of at least {@code size} floats, reused across calls. */
    private static float[] buffer(int slot, int size) {
        float[][] bufs = BUFFERS.get();
        if (bufs[slot] == null || bufs[slot].length < size) bufs[slot] = new float[Math.max(size, 64)];
        return bufs[slot];
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

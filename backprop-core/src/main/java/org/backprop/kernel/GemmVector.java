package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s vector path: the packed product (K in blocks of at most {@value #KC}; B packed
 * into zero-padded panels {@code NR} wide; A into panels of {@code MR} rows; a register-blocked
 * micro-kernel of MR × 2 vectors) and the unpacked one for fewer than {@value #SMALL_M} rows.
 * Loaded only when {@link Simd#VECTOR}. C has already been scaled by beta.
 */
final class GemmVector {
    private GemmVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    /** Rows per micro-kernel: 8 where the CPU has AVX-512's 32 registers (see {@link #chooseRows}), else 4. */
    static final int MR = chooseRows();
    /** Fewer rows than this skip packing (see {@link #smallM}). */
    static final int SMALL_M = 4;
    private static final int NR = 2 * V;
    static final int KC = 256;
    /**
     * Rows of A packed and swept per pass over B's panels: 128 rows × KC floats = 128 KiB stay
     * in L2 while every B panel of the K block streams past them (a 1024-row A block, 1 MiB,
     * fell out of L2 and the 1024³ product ran at 0.75× OpenBLAS on one thread).
     */
    static final int MC_PANELS = Math.max(1, 128 / MR);
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    private static final long PARALLEL_WORK = 1L << 18;

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[3][]);

    /** C += alpha·op(A)·op(B) on the vector kernels. */
    static void product(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float[] c, int cOff, int ldc) {
        if (m < SMALL_M) {
            smallM(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        }
    }

    // ------------------------------------------------------------------ packed vector path

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc) {
        int nPanels = (n + NR - 1) / NR;
        int mPanels = (m + MR - 1) / MR;
        long work = (long) m * n * k;
        int threads = work < PARALLEL_WORK ? 1 : Parallel.THREADS;
        boolean splitRows = threads > 1 && splitRows(transB, m, n, k, mPanels, nPanels, threads);
        // One dispatch per product: each thread walks all K blocks over its own rows or columns of panels.
        Parallel.forRange(splitRows ? mPanels : nPanels, threads > 1 ? 1 : Long.MAX_VALUE, (i, from, to) -> {
            if (splitRows) {
                part(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, from, to, 0, nPanels);
            } else {
                part(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, 0, mPanels, from, to);
            }
        });
    }

    /**
     * Whether to give each thread a share of C's rows (else of its columns): the split whose
     * busiest thread has least to do. Each thread packs all of the operand it shares (all of B
     * when rows are split, all of A when columns are), so the estimate counts its share of the
     * multiply-adds (16 a cycle), including the imbalance when panels do not divide evenly, plus
     * the packing, with a transposed B ~4× slower to pack (strided stores).
     */
    private static boolean splitRows(boolean transB, int m, int n, int k, int mPanels, int nPanels, int threads) {
        if (mPanels < threads) return false;
        if (nPanels < threads) return true;
        double packA = 0.25, packB = transB ? 1 : 0.25; // cycles per element, roughly
        double rows = (double) ((mPanels + threads - 1) / threads) * MR, cols = (double) ((nPanels + threads - 1) / threads) * NR;
        double byRows = rows * n * k / 16 + (double) k * n * packB + rows * k * packA;
        double byCols = m * cols * k / 16 + (double) m * k * packA + k * cols * packB;
        return byRows <= byCols;
    }

    /**
     * One thread's share: row panels [r0, r1) × column panels [p0, p1) of C, over all K blocks
     * in order. The thread packs the B panels it needs itself (when rows are split, each thread
     * packs all of B: cheaper than a hand-over between threads at every K block).
     */
    private static void part(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, int r0, int r1, int p0, int p1) {
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // balanced blocks: no thin last block
        float[] packedB = buffer(0, (p1 - p0) * NR * kcMax);
        for (int k0 = 0; k0 < k; k0 += kcMax) {
            int kc = Math.min(kcMax, k - k0);
            packB(transB, b, bOff, ldb, k0, kc, n, p0, p1, packedB);
            block(transA, m, n, kc, k0, alpha, a, aOff, lda, packedB, c, cOff, ldc, r0, r1, p0, p1);
        }
    }

    /**
     * One K block of a share: for each run of {@link #MC_PANELS} row panels in [r0, r1), packs
     * those rows of A, then runs the micro-kernel over them × column panels [p0, p1) (packed B
     * holds panels p0.. from index 0). The kernel has
     * exactly one call site: inlined twice, it pushed C2 past its node budget and vectors were
     * boxed on every call.
     */
    private static void block(boolean transA, int m, int n, int kc, int k0, float alpha, float[] a, int aOff, int lda,
                              float[] packedB, float[] c, int cOff, int ldc, int r0, int r1, int p0, int p1) {
        float[] packedA = buffer(1, Math.min(r1 - r0, MC_PANELS) * MR * kc);
        float[] tile = buffer(2, MR * NR);
        for (int q0 = r0; q0 < r1; q0 += MC_PANELS) {
            int q1 = Math.min(r1, q0 + MC_PANELS);
            packA(transA, a, aOff, lda, alpha, q0 * MR, Math.min(m, q1 * MR), k0, kc, packedA);
            for (int jp = p0; jp < p1; jp++) {
                int j = jp * NR;
                int cols = Math.min(NR, n - j);
                for (int ip = q0; ip < q1; ip++) {
                    int i = ip * MR;
                    int rows = Math.min(MR, m - i);
                    boolean whole = rows == MR && cols == NR;
                    if (!whole) java.util.Arrays.fill(tile, 0, MR * NR, 0f);
                    kernel(kc, packedA, (ip - q0) * MR * kc, packedB, (jp - p0) * NR * kc,
                            whole ? c : tile, whole ? cOff + i * ldc + j : 0, whole ? ldc : NR);
                    if (!whole) {
                        for (int r = 0; r < rows; r++) {
                            int row = cOff + (i + r) * ldc + j;
                            for (int q = 0; q < cols; q++) c[row + q] += tile[r * NR + q];
                        }
                    }
                }
            }
        }
    }

    /** C[MR×NR] += Apanel[kc×MR]ᵀ·Bpanel[kc×NR]; the shape is fixed at start-up, so C2 keeps one. */
    private static void kernel(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc) {
        if (MR == 8) {
            kernel8(kc, pa, ao, pb, bo, c, co, ldc);
        } else {
            kernel4(kc, pa, ao, pb, bo, c, co, ldc);
        }
    }

    /** 4 rows × 2 vectors = 8 accumulators: fits AVX2's 16 registers without spilling. */
    private static void kernel4(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR, ap = ao + p * 4;
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
        // Stores written out here, not through a helper: a vector passed to a call C2 does not inline is boxed.
        int r = co;
        c00.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c01.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c10.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c11.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c20.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c21.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c30.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c31.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
    }

    /**
     * 8 rows × 2 vectors = 16 accumulators, where the CPU has AVX-512's 32 registers: 16
     * accumulators + 2 B vectors + a broadcast fit, and each B load feeds 8 FMAs.
     */
    private static void kernel8(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co, int ldc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * NR, ap = ao + p * 8;
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
            FloatVector a4 = FloatVector.broadcast(S, pa[ap + 4]);
            c40 = a4.fma(b0, c40);
            c41 = a4.fma(b1, c41);
            FloatVector a5 = FloatVector.broadcast(S, pa[ap + 5]);
            c50 = a5.fma(b0, c50);
            c51 = a5.fma(b1, c51);
            FloatVector a6 = FloatVector.broadcast(S, pa[ap + 6]);
            c60 = a6.fma(b0, c60);
            c61 = a6.fma(b1, c61);
            FloatVector a7 = FloatVector.broadcast(S, pa[ap + 7]);
            c70 = a7.fma(b0, c70);
            c71 = a7.fma(b1, c71);
        }
        int r = co;
        c00.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c01.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c10.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c11.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c20.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c21.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c30.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c31.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c40.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c41.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c50.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c51.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c60.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c61.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
        r += ldc;
        c70.add(FloatVector.fromArray(S, c, r)).intoArray(c, r);
        c71.add(FloatVector.fromArray(S, c, r + V)).intoArray(c, r + V);
    }

    /**
     * Packs column panels [p0, p1) of op(B)[k0:k0+kc, :] into NR-wide panels from index 0, each
     * laid out [kc][NR], zero-padded.
     */
    private static void packB(boolean transB, float[] b, int bOff, int ldb, int k0, int kc, int n, int p0, int p1,
                              float[] out) {
        int[] rowStarts = null;
        for (int jp = p0; jp < p1; jp++) {
            int j0 = jp * NR, cols = Math.min(NR, n - j0), base = (jp - p0) * NR * kc;
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
                // op(B)(p, j) = b[j·ldb + p]: a panel row is one value from each of NR stored rows,
                // read as two gathers and written as two vector stores (the scalar loop below wrote
                // one float per cache line, NR floats apart: 12% of a spoken-digit CNN epoch).
                if (rowStarts == null) { // gather offsets of V stored rows, once per call
                    rowStarts = new int[V];
                    for (int q = 0; q < V; q++) rowStarts[q] = q * ldb;
                }
                int src = bOff + j0 * ldb + k0, src2 = src + V * ldb;
                for (int p = 0; p < kc; p++) {
                    int dst = base + p * NR;
                    FloatVector.fromArray(S, b, src + p, rowStarts, 0).intoArray(out, dst);
                    FloatVector.fromArray(S, b, src2 + p, rowStarts, 0).intoArray(out, dst + V);
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
            int rows = Math.min(MR, i1 - i);
            if (transA) {
                // op(A)(row, p) = a[p·lda + row]: the panel's MR values for one p lie side by side.
                for (int p = 0; p < kc; p++) {
                    int src = aOff + (k0 + p) * lda + i, dst = base + p * MR;
                    for (int r = 0; r < rows; r++) out[dst + r] = alpha * a[src + r];
                    for (int r = rows; r < MR; r++) out[dst + r] = 0f;
                }
            } else {
                for (int r = 0; r < MR; r++) {
                    if (r >= rows) {
                        for (int p = 0; p < kc; p++) out[base + p * MR + r] = 0f;
                    } else {
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

    /** c[co + j] += row · B row j for j in [from, to): B transposed, read along its rows. */
    private static void dots(float[] row, int k, float[] b, int bOff, int ldb, float[] c, int co, int from, int to) {
        int kb = S.loopBound(k);
        for (int j = from; j < to; j++) {
            int bo = bOff + j * ldb;
            FloatVector acc = FloatVector.zero(S);
            int p = 0;
            for (; p < kb; p += V) acc = FloatVector.fromArray(S, row, p).fma(FloatVector.fromArray(S, b, bo + p), acc);
            float s = SimdVector.sum(acc);
            for (; p < k; p++) s += row[p] * b[bo + p];
            c[co + j] += s;
        }
    }

    /**
     * 8 rows where the CPU has AVX-512's 32 vector registers, whatever width the kernels use: with
     * {@code backprop.vectorBits=256} on an AVX-512 CPU the 8 × 2 kernel on 8-float vectors ran
     * at 55-61 GFLOP/s against 39-55 for 4 × 2 (one thread, kernel alone, alternated), and on the
     * 1-thread MLP shapes 57-61 against 40-56. On AVX2 (16 registers) 8 × 2 would spill, so 4.
     * {@code backprop.gemm.mr} (4 or 8) overrides the choice, for benchmarks and tests.
     */
    private static int chooseRows() {
        boolean avx512 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        int mr = Integer.getInteger("backprop.gemm.mr", V >= 16 || avx512 ? 8 : 4);
        if (mr != 4 && mr != 8) throw new IllegalArgumentException("backprop.gemm.mr must be 4 or 8, not " + mr);
        return mr;
    }

    /** A per-thread scratch array of at least {@code size} floats, reused across calls. */
    private static float[] buffer(int slot, int size) {
        float[][] bufs = BUFFERS.get();
        if (bufs[slot] == null || bufs[slot].length < size) bufs[slot] = new float[Math.max(size, 64)];
        return bufs[slot];
    }
}

package org.backprop.kernel;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link Gemm}'s vector path: the packed product (K in blocks of at most {@value #KC}; B packed
 * into zero-padded panels {@code NR} wide; A into panels of {@code MR} rows; a register-blocked
 * micro-kernel of MR × NR, {@link GemmKernels}) and the unpacked one for fewer than {@value #SMALL_M} rows.
 * Loaded only when {@link Simd#VECTOR}. C has already been scaled by beta.
 */
final class GemmVector {
    private GemmVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    /** Rows per micro-kernel: 8 where the CPU has AVX-512's 32 registers (see {@link #chooseRows}), else 4. */
    static final int MR = chooseRows();
    /** Fewer rows than this skip packing (see {@link GemmFewRows}). */
    static final int SMALL_M = 4;
    static final int NR = 2 * V;
    static final int KC = 256;
    /**
     * Rows of A packed and swept per pass over B's panels: 128 rows × KC floats = 128 KiB stay
     * in L2 while every B panel of the K block streams past them (a 1024-row A block, 1 MiB,
     * fell out of L2 and the 1024³ product ran at 0.75× OpenBLAS on one thread).
     */
    static final int MC_PANELS = Math.max(1, 128 / MR);
    /** Below this many multiply-adds the product runs on the calling thread alone. */
    private static final long PARALLEL_WORK = 1L << 18;

    /** What the kernel adds its sums to where C is to be overwritten (beta = 0), or for a part-tile: never written. */
    private static final float[] ZEROS = new float[MR * 2 * Simd.LANES];

    private static final ThreadLocal<float[][]> BUFFERS = ThreadLocal.withInitial(() -> new float[4][]);

    /**
     * C += alpha·op(A)·op(B) on the vector kernels, or C := alpha·op(A)·op(B) with
     * {@code overwrite} (beta = 0: C is written without being cleared or read first).
     */
    static void product(boolean transA, boolean transB, int m, int n, int k, float alpha,
                        float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                        float[] c, int cOff, int ldc, boolean overwrite) {
        if (m < SMALL_M) {
            if (overwrite) Gemm.scale(0f, m, n, c, cOff, ldc);
            GemmFewRows.product(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, overwrite);
        }
    }

    // ------------------------------------------------------------------ packed vector path

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean overwrite) {
        long work = (long) m * n * k;
        boolean chosen = work >= PARALLEL_WORK && Parallel.THREADS > 1 && Parallel.mayChoose();
        int slot = chosen ? SPLIT.slot(GemmStats.shapeKey(transA, transB, m, n, k), work) : 0;
        boolean split = chosen && SPLIT.split(slot);
        long start = chosen ? System.nanoTime() : 0;
        packed(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, overwrite, split ? Parallel.THREADS : 1);
        if (chosen) SPLIT.record(slot, split, System.nanoTime() - start, work);
    }
    /**
     * Keyed by shape: products of equal work split differently (by rows or columns, over one K
     * block or several; see {@link #splitRows}), so each shape learns its own choice.
     */
    private static final SplitChoice SPLIT = new SplitChoice("gemm", GemmStats::describeShape);

    /** {@code backprop.gemm.splitBy} = rows or cols forces the direction of a 2-thread split where both are possible (A/B runs). */
    private static final String SPLIT_BY = System.getProperty("backprop.gemm.splitBy");
    /**
     * {@code backprop.gemm.directB=false} packs B even where the kernel could read it as stored; not
     * final, so that a benchmark can switch it in one process (GptStepCpuTime --ab-flag).
     */
    static boolean directB = !"false".equals(System.getProperty("backprop.gemm.directB"));
    /** {@code backprop.gemm.packAt=true} packs a transposed A as any other (A/B runs; see {@link #block}). */
    private static final boolean PACK_AT = Boolean.getBoolean("backprop.gemm.packAt");

    private static void packed(boolean transA, boolean transB, int m, int n, int k, float alpha,
                               float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                               float[] c, int cOff, int ldc, boolean overwrite, int threads) {
        int nPanels = (n + NR - 1) / NR;
        int mPanels = (m + MR - 1) / MR;
        LongAdder[] stats = GemmStats.ON ? GemmStats.of(transA, transB, m, n, k) : null;
        long start = stats != null ? System.nanoTime() : 0;
        if (threads > 1 && splitRows(transB, m, n, k, mPanels, nPanels, threads)) {
            // Each thread its share of C's rows, over B's panels packed once, a share by each thread.
            int kBlocks = (k + KC - 1) / KC, blockSize = nPanels * NR * ((k + kBlocks - 1) / kBlocks);
            // The caller's scratch: while the call holds the workers no other product on it runs.
            // How long the caller waits at the first barrier for a worker that has not come: a quarter of a share's
            // time at ~40 multiply-adds a ns, at least 20 µs (a parked worker takes ~45 µs to wake: worth waiting for).
            long patience = Math.max(20_000, (long) m * n * k / threads / 160);
            SharedB shared = new SharedB(buffer(3, 2 * blockSize), blockSize, threads, mPanels, patience, new AtomicInteger(),
                    new AtomicBoolean(), new AtomicInteger());
            int parts = threads;
            // A worker joins before it touches anything; one that comes after the caller went on alone does nothing.
            if (Parallel.together(parts, t -> {
                if (t > 0) lateForTests();
                if (t == 0 || shared.join()) {
                    part(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc,
                            mPanels * t / parts, mPanels * (t + 1) / parts, 0, nPanels, shared, t, overwrite, stats);
                }
            }, shared::alone)) {
                if (stats != null) {
                    stats[GemmStats.ROWS].increment();
                    stats[GemmStats.CALLS].increment();
                    stats[GemmStats.WALL].add(System.nanoTime() - start);
                }
                return;
            }
        } else if (threads > 1) {
            // Each share a run of C's column panels, over all K blocks, packing its own B panels and
            // all of A; the shares are taken in turn by whichever thread is free, so a worker that
            // comes late (descheduled on a busy host) leaves its share to the caller rather than
            // keeping it waiting. Which thread computes a share does not change its bits.
            Shares shares = new Shares(threads, new AtomicInteger(), new AtomicInteger(), new AtomicReference<>());
            int parts = threads;
            if (Parallel.together(parts, t -> {
                if (t > 0) lateForTests();
                for (int q; (q = shares.next().getAndIncrement()) < parts; ) {
                    try {
                        if (t == 0 && q > 0) TAKEN_OVER.increment();
                        part(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, 0, mPanels,
                                nPanels * q / parts, nPanels * (q + 1) / parts, null, t, overwrite, stats);
                    } catch (Throwable e) {
                        shares.failure().compareAndSet(null, e);
                    } finally {
                        shares.done().incrementAndGet();
                    }
                }
            }, () -> shares.done().get() == parts)) {
                Throwable e = shares.failure().get();
                if (e instanceof RuntimeException r) throw r;
                if (e instanceof Error r) throw r;
                if (e != null) throw new IllegalStateException(e);
                if (stats != null) {
                    stats[GemmStats.CALLS].increment();
                    stats[GemmStats.WALL].add(System.nanoTime() - start);
                }
                return;
            }
        }
        // One thread (or inside another parallel loop: this thread alone)
        part(transA, transB, m, n, k, alpha, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, 0, mPanels, 0, nPanels, null, 0, overwrite, null);
        if (stats != null) {
            stats[GemmStats.SERIAL].increment();
            stats[GemmStats.SERIAL_WALL].add(System.nanoTime() - start);
        }
    }

    /** How many times a caller took over a worker's share (a debug counter, and for the tests). */
    static final LongAdder TAKEN_OVER = new LongAdder();
    /** Tests set this to make the workers come late to a split product. */
    static volatile long workerDelayForTests;

    private static void lateForTests() {
        long delay = workerDelayForTests, end = System.nanoTime() + delay;
        // a loop: park returns at once on a permit left by Parallel's unpark
        for (long left = delay; left > 0; left = end - System.nanoTime()) java.util.concurrent.locks.LockSupport.parkNanos(left);
    }

    /** The column shares of one product: the next to take, how many are done, the first failure. */
    private record Shares(int parts, AtomicInteger next, AtomicInteger done, AtomicReference<Throwable> failure) { }

    /**
     * Whether to give each thread a share of C's rows (else of its columns): the split whose
     * busiest thread has least to do. With rows split the threads pack B's panels a share each;
     * with columns split each packs all of A. The estimate counts a thread's share of the
     * multiply-adds (16 a cycle), including the imbalance when panels do not divide evenly, plus
     * its packing, with a transposed B ~4× slower to pack (gathers).
     */
    private static boolean splitRows(boolean transB, int m, int n, int k, int mPanels, int nPanels, int threads) {
        if (mPanels < threads) return false;
        if (nPanels < threads) return true;
        if (SPLIT_BY != null) return SPLIT_BY.equals("rows");
        double packA = 0.25, packB = transB ? 1 : 0.25; // cycles per element, roughly
        double rows = (double) ((mPanels + threads - 1) / threads) * MR, cols = (double) ((nPanels + threads - 1) / threads) * NR;
        double byRows = rows * n * k / 16 + (double) k * n * packB / threads + rows * k * packA;
        double byCols = m * cols * k / 16 + (double) m * k * packA + k * cols * packB;
        return byRows <= byCols;
    }

    /**
     * B's packed panels shared by the threads of one product: room for two K blocks (the threads
     * read one while they pack the next), a barrier counting the threads' arrivals, and how many
     * workers have joined, or −1 once the caller has gone on alone.
     */
    private record SharedB(float[] panels, int blockSize, int parts, int rowPanels, long patience, AtomicInteger arrived,
                           AtomicBoolean failed, AtomicInteger joined) {
        /**
         * Waits until every thread has packed its share of K block {@code kb}; gives up if one
         * failed. If no worker has joined {@code patience} ns into the first barrier (descheduled
         * on a busy host: the stall that cost most there), the caller closes the product to them
         * and goes on alone. Returns the nanoseconds waited.
         */
        long await(int kb, int t) {
            arrived.incrementAndGet();
            int target = (kb + 1) * parts;
            long start = System.nanoTime();
            while (arrived.get() < target) {
                if (failed.get()) throw new IllegalStateException("sgemm: another thread's share failed");
                if (System.nanoTime() - start < 20_000) Thread.onSpinWait();
                else if (kb == 0 && t == 0 && System.nanoTime() - start >= patience && joined.compareAndSet(0, -1)) break;
                else Thread.yield(); // the other thread was descheduled: give the core up
            }
            return System.nanoTime() - start;
        }

        /** A worker's entry: false (touch nothing) if the caller has gone on alone. */
        boolean join() {
            for (int v; (v = joined.get()) >= 0; ) {
                if (joined.compareAndSet(v, v + 1)) return true;
            }
            return false;
        }

        boolean alone() {
            return joined.get() < 0;
        }
    }

    /**
     * One thread's share: row panels [r0, r1) × column panels [p0, p1) of C, over all K blocks
     * in order. Without {@code shared} the thread packs the B panels it needs itself; with it,
     * thread {@code t} packs its share of all B's panels per K block, into the half of the shared
     * buffer that no thread still reads (every thread has passed the previous block's barrier, so
     * it is done with the block before that). The bits do not depend on the split: every element
     * of C sums the same K blocks in the same order.
     */
    private static void part(boolean transA, boolean transB, int m, int n, int k, float alpha,
                             float[] a, int aOff, int lda, float[] b, int bOff, int ldb,
                             float[] c, int cOff, int ldc, int r0, int r1, int p0, int p1, SharedB shared, int t,
                             boolean overwrite, LongAdder[] stats) {
        long wall = stats != null ? System.nanoTime() : 0, waited = 0;
        int kBlocks = (k + KC - 1) / KC;
        int kcMax = (k + kBlocks - 1) / kBlocks; // balanced blocks: no thin last block
        // B as stored, not packed: its panels' rows already lie side by side (no transpose), every panel
        // is whole, and all of the share's rows are one A block, so a panel is read from memory once either
        // way and packing was only a copy (~5% of a batch-1 GPT step: each dX product's weight).
        boolean direct = shared == null && !transB && n % NR == 0 && r1 - r0 <= MC_PANELS && directB;
        float[] packedB = direct ? b : shared != null ? shared.panels() : buffer(0, (p1 - p0) * NR * kcMax);
        boolean done = false;
        try {
            for (int k0 = 0, kb = 0; k0 < k; k0 += kcMax, kb++) {
                int kc = Math.min(kcMax, k - k0), bStart = 0;
                if (direct) {
                    block(transA, m, n, kc, k0, alpha, a, aOff, lda, b, bOff + k0 * ldb + p0 * NR, NR, ldb, c, cOff, ldc,
                            r0, r1, p0, p1, overwrite && k0 == 0);
                    continue;
                }
                if (shared == null) {
                    GemmPack.packB(transB, b, bOff, ldb, k0, kc, n, p0, p1, packedB, 0);
                } else if (shared.alone()) { // the caller alone, on all rows: all the panels
                    bStart = (kb & 1) * shared.blockSize();
                    GemmPack.packB(transB, b, bOff, ldb, k0, kc, n, p0, p1, packedB, bStart);
                } else {
                    bStart = (kb & 1) * shared.blockSize();
                    int s0 = p1 * t / shared.parts(), s1 = p1 * (t + 1) / shared.parts();
                    GemmPack.packB(transB, b, bOff, ldb, k0, kc, n, s0, s1, packedB, bStart + s0 * NR * kc);
                    waited += shared.await(kb, t);
                    if (shared.alone()) { // no worker came (only the caller, t = 0, closes): their panels and rows too
                        TAKEN_OVER.increment();
                        GemmPack.packB(transB, b, bOff, ldb, k0, kc, n, s1, p1, packedB, bStart + s1 * NR * kc);
                        r1 = shared.rowPanels();
                    }
                }
                block(transA, m, n, kc, k0, alpha, a, aOff, lda, packedB, bStart, NR * kc, NR, c, cOff, ldc, r0, r1, p0, p1,
                        overwrite && k0 == 0);
            }
            done = true;
            if (stats != null) GemmStats.share(stats, t, System.nanoTime() - wall, waited);
        } finally {
            if (!done && shared != null) shared.failed().set(true);
        }
    }

    /**
     * One K block of a share: for each run of {@link #MC_PANELS} row panels in [r0, r1), packs
     * those rows of A, then runs the micro-kernel over them × column panels [p0, p1) (B's panel
     * p0 + j starts at {@code bStart + j·panelStep}, its rows {@code ldb} apart: packed panels, or
     * B as stored). The kernel has
     * exactly one call site: inlined twice, it pushed C2 past its node budget and vectors were
     * boxed on every call.
     */
    private static void block(boolean transA, int m, int n, int kc, int k0, float alpha, float[] a, int aOff, int lda,
                              float[] packedB, int bStart, int panelStep, int ldb, float[] c, int cOff, int ldc, int r0, int r1,
                              int p0, int p1, boolean overwrite) {
        // Aᵀ as stored (a weight gradient's dYᵀ, alpha = 1) is read where it lies: a panel's MR
        // values for one p already lie side by side, lda apart from one p to the next, so packing
        // them was a copy (2.7% of a GPT step; the step -2% thread CPU without it). Only a last
        // panel of fewer than MR rows is packed, zero-padded. The same values in the same order:
        // the same bits. (A as stored read in place, MR rows each along p, made the step 3% slower.)
        boolean direct = transA && alpha == 1f && !PACK_AT;
        float[] packedA = buffer(1, direct ? MR * kc : Math.min(r1 - r0, MC_PANELS) * MR * kc);
        float[] tile = buffer(2, MR * NR);
        for (int q0 = r0; q0 < r1; q0 += MC_PANELS) {
            int q1 = Math.min(r1, q0 + MC_PANELS);
            if (!direct) {
                GemmPack.packA(transA, a, aOff, lda, alpha, q0 * MR, Math.min(m, q1 * MR), k0, kc, packedA);
            } else if (q1 * MR > m) {
                GemmPack.packA(transA, a, aOff, lda, alpha, (q1 - 1) * MR, m, k0, kc, packedA);
            }
            for (int jp = p0; jp < p1; jp++) {
                int j = jp * NR;
                int cols = Math.min(NR, n - j);
                for (int ip = q0; ip < q1; ip++) {
                    int i = ip * MR;
                    int rows = Math.min(MR, m - i);
                    boolean whole = rows == MR && cols == NR, inPlace = direct && rows == MR;
                    int co = whole ? cOff + i * ldc + j : 0, ld = whole ? ldc : NR;
                    kernel(kc, inPlace ? a : packedA, inPlace ? aOff + k0 * lda + i : direct ? 0 : (ip - q0) * MR * kc,
                            inPlace ? lda : MR, packedB, bStart + (jp - p0) * panelStep, ldb,
                            whole ? c : tile, co, ld, whole && !overwrite ? c : ZEROS, whole && !overwrite ? co : 0, whole && !overwrite ? ldc : NR);
                    if (!whole) { // 0 + sum, as in the tile; C's own value added, or overwritten
                        for (int r = 0; r < rows; r++) {
                            int row = cOff + (i + r) * ldc + j;
                            for (int q = 0; q < cols; q++) c[row + q] = overwrite ? tile[r * NR + q] : c[row + q] + tile[r * NR + q];
                        }
                    }
                }
            }
        }
    }

    /**
     * C[MR×NR] := S[MR×NR] + Apanel[kc×MR]ᵀ·Bpanel[kc×NR], S read from {@code s} (C itself, or
     * {@link #ZEROS} where C is to be overwritten); the shape is fixed at start-up, so C2 keeps one.
     * A's panel from {@code pa[ao]}: MR values a p, {@code as} apart (MR packed, lda for Aᵀ as stored).
     */
    private static void kernel(int kc, float[] pa, int ao, int as, float[] pb, int bo, int ldb, float[] c, int co, int ldc,
                               float[] s, int so, int lds) {
        if (MR == 8) {
            GemmKernels.kernel8x2(kc, pa, ao, as, pb, bo, ldb, c, co, ldc, s, so, lds);
        } else {
            GemmKernels.kernel4x2(kc, pa, ao, as, pb, bo, ldb, c, co, ldc, s, so, lds);
        }
    }

    /**
     * 8 rows where the CPU has AVX-512's 32 vector registers, whatever width the kernels use: with
     * {@code backprop.vectorBits=256} on an AVX-512 CPU the 8 × 2 kernel on 8-float vectors ran
     * at 55-61 GFLOP/s against 39-55 for 4 × 2 (one thread, kernel alone, alternated), and on the
     * 1-thread MLP shapes 57-61 against 40-56. On AVX2 (16 registers) 8 × 2 would spill, so 4.
     * A 6 × 4 block (24 accumulators, NR = 4 vectors, KC 128 or 256) was no faster than 8 × 2 on
     * 16-float vectors: 0.69–0.88 of OpenBLAS per CPU-second against 0.78–1.01 on the bench's and
     * the MLP's shapes (one thread, three configurations alternated, four rounds, busy host).
     * {@code backprop.gemm.mr} (4 or 8) overrides the choice, for benchmarks and tests.
     */
    private static int chooseRows() {
        boolean avx512 = FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
        int mr = Integer.getInteger("backprop.gemm.mr", V >= 16 || avx512 ? 8 : 4);
        if (mr != 4 && mr != 8) throw new IllegalArgumentException("backprop.gemm.mr must be 4 or 8, not " + mr);
        return mr;
    }

    /** A per-thread scratch array of at least {@code size} floats, reused across calls. */
    static float[] buffer(int slot, int size) {
        float[][] bufs = BUFFERS.get();
        if (bufs[slot] == null || bufs[slot].length < size) bufs[slot] = new float[Math.max(size, 64)];
        return bufs[slot];
    }
}

package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm#sgemm} (vector, small-m and parallel paths) and {@link Gemm#scalar} against a naive
 * double-precision product, for odd sizes, every transpose combination, offsets, leading
 * dimensions wider than a row, and several alpha/beta values. Padding around each matrix holds
 * NaN (A, B) or a sentinel (C): reading or writing outside the matrix would show.
 */
class GemmTest {
    private static final int[] SIZES = {1, 2, 3, 4, 5, 7, 17, 33, 100, 257, 300};
    private static final int[] SMALL = {1, 2, 3, 4, 5, 7, 17};
    private static final float[][] ALPHA_BETA = {{1, 0}, {0.5f, 1}, {-1.25f, 0}, {2, -0.5f}, {1, 1}, {0.75f, 0.25f}};
    private static final float SENTINEL = 12345f;

    private final Random rng = new Random(42);
    private int caseIndex;

    /** One product; {@code scalarPath} calls Gemm.scalar, whose contract is C += alpha·op(A)·op(B). */
    private void check(boolean ta, boolean tb, int m, int n, int k, float alpha, float beta, boolean scalarPath) {
        int variant = caseIndex++;
        int pad = variant % 3 == 0 ? 0 : 3, off = variant % 2 == 0 ? 0 : 5;
        int aRows = ta ? k : m, aCols = ta ? m : k, bRows = tb ? n : k, bCols = tb ? k : n;
        int lda = Math.max(aCols + pad, 1), ldb = Math.max(bCols + pad + 1, 1), ldc = n + pad;
        float[] a = matrix(aRows, aCols, lda, off, Float.NaN);
        float[] b = matrix(bRows, bCols, ldb, off, Float.NaN);
        float[] c = matrix(m, n, ldc, off, SENTINEL);
        if (beta == 0 && !scalarPath) {
            for (int i = 0; i < m; i++) Arrays.fill(c, off + i * ldc, off + i * ldc + n, Float.NaN); // must be ignored
        }
        float[] c0 = c.clone();

        if (scalarPath) {
            Gemm.scalar(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, c, off, ldc);
        } else {
            Gemm.sgemm(ta, tb, m, n, k, alpha, a, off, lda, b, off, ldb, beta, c, off, ldc);
        }

        double effBeta = scalarPath ? 1 : beta;
        String what = (scalarPath ? "scalar " : "sgemm ") + (ta ? "Aᵀ" : "A") + "·" + (tb ? "Bᵀ" : "B") + " m=" + m
                + " n=" + n + " k=" + k + " alpha=" + alpha + " beta=" + effBeta + " pad=" + pad + " off=" + off;
        // op(A) and op(B) as dense double matrices, so the reference loops run along rows
        double[][] opA = new double[m][k], opB = new double[k][n];
        for (int i = 0; i < m; i++) for (int p = 0; p < k; p++) opA[i][p] = ta ? a[off + p * lda + i] : a[off + i * lda + p];
        for (int p = 0; p < k; p++) for (int j = 0; j < n; j++) opB[p][j] = tb ? b[off + j * ldb + p] : b[off + p * ldb + j];
        boolean[] inside = new boolean[c.length];
        double[] dot = new double[n], mag = new double[n];
        for (int i = 0; i < m; i++) {
            Arrays.fill(dot, 0);
            Arrays.fill(mag, 0);
            for (int p = 0; p < k; p++) {
                double x = opA[i][p];
                double[] row = opB[p];
                for (int j = 0; j < n; j++) {
                    double t = x * row[j];
                    dot[j] += t;
                    mag[j] += Math.abs(t);
                }
            }
            for (int j = 0; j < n; j++) {
                int at = off + i * ldc + j;
                inside[at] = true;
                double prior = effBeta == 0 ? 0 : effBeta * c0[at];
                double expected = alpha * dot[j] + prior;
                // float accumulation over k terms: bounded by k·u·Σ|terms|
                double tol = 1.2e-7 * (k + 4) * (Math.abs(alpha) * mag[j] + Math.abs(prior)) + 1e-30;
                if (!(Math.abs(c[at] - expected) <= tol)) {
                    fail(what + ": C[" + i + "," + j + "] = " + c[at] + ", expected " + expected + " (tolerance " + tol + ")");
                }
            }
        }
        for (int p = 0; p < c.length; p++) {
            if (!inside[p] && c[p] != SENTINEL) fail(what + ": wrote outside C, at array index " + p);
        }
    }

    /** A rows×cols matrix of U(−1, 1) at offset {@code off} with row stride ld; everything else is {@code fill}. */
    private float[] matrix(int rows, int cols, int ld, int off, float fill) {
        float[] x = new float[off + rows * ld + 2];
        Arrays.fill(x, fill);
        for (int i = 0; i < rows; i++) {
            for (int j = 0; j < cols; j++) x[off + i * ld + j] = rng.nextFloat() * 2 - 1;
        }
        return x;
    }

    private void allTransposes(int m, int n, int k, boolean scalarPath) {
        for (int t = 0; t < 4; t++) {
            float[] ab = ALPHA_BETA[(caseIndex + t) % ALPHA_BETA.length];
            check((t & 1) != 0, (t & 2) != 0, m, n, k, ab[0], ab[1], scalarPath);
        }
    }

    /**
     * A batch-1 product against a transposed B (a Linear's forward) forms its dot products four
     * rows of B at a time; each must keep the bits of the row alone (n = 1 runs the one-row
     * loop), tails in k and n included, and add to C when beta = 1.
     */
    @Test
    void batchOneDotsFourRowsAtATimeKeepEachRowsBits() {
        Random r = new Random(11);
        for (int[] nk : new int[][] {{13, 37}, {16, 64}, {258, 784}, {7, 5}}) {
            int n = nk[0], k = nk[1];
            float[] a = new float[k], b = new float[n * k], c = new float[n], one = new float[n];
            for (int i = 0; i < k; i++) a[i] = (float) r.nextGaussian();
            for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
            for (int j = 0; j < n; j++) c[j] = one[j] = (float) r.nextGaussian();
            Gemm.sgemmJava(false, true, 1, n, k, 1f, a, 0, k, b, 0, k, 1f, c, 0, n);
            for (int j = 0; j < n; j++) Gemm.sgemmJava(false, true, 1, 1, k, 1f, a, 0, k, b, j * k, k, 1f, one, j, 1);
            for (int j = 0; j < n; j++) {
                assertEquals(Float.floatToRawIntBits(one[j]), Float.floatToRawIntBits(c[j]), "n=" + n + " k=" + k + " column " + j);
            }
        }
    }

    @Test
    void everyCombinationOfSmallSizes() {
        for (int m : SMALL) for (int n : SMALL) for (int k : SMALL) allTransposes(m, n, k, false);
    }

    @Test
    void scalarPathOnEveryCombinationOfSmallSizes() {
        for (int m : SMALL) for (int n : SMALL) for (int k : SMALL) allTransposes(m, n, k, true);
    }

    /** Each size in each role, against other sizes from the list (including the large ones). */
    @Test
    void everySizeInEveryRole() {
        int s = SIZES.length;
        for (int i = 0; i < s; i++) {
            int x = SIZES[i], y = SIZES[(i + 1) % s], z = SIZES[(i + 3) % s]; // e.g. 33×100×300, 100×257×1
            allTransposes(x, y, z, false);
            allTransposes(z, x, y, false);
            allTransposes(y, z, x, false);
        }
    }

    @Test
    void scalarPathForEverySizeInEveryRole() {
        int s = SIZES.length;
        for (int i = 0; i < s; i++) {
            int x = SIZES[i], y = SIZES[(i + 1) % s], z = SIZES[(i + 3) % s]; // e.g. 33×100×300, 100×257×1
            allTransposes(x, y, z, true);
            allTransposes(z, x, y, true);
            allTransposes(y, z, x, true);
        }
    }

    /**
     * Large enough (≥ 2^18 multiply-adds) for the work to be split over {@link Parallel#THREADS}
     * threads: by rows for a tall product, by column panels for a short wide one; k = 513 spans
     * several K blocks.
     */
    @Test
    void largeProductsUseTheParallelPath() {
        assertTrue((long) 300 * 257 * 513 >= 1L << 18 && (long) 5 * 300 * 257 >= 1L << 18);
        allTransposes(300, 257, 513, false);
        allTransposes(5, 300, 257, false);
        allTransposes(7, 257, 300, false);
    }

    /**
     * B as stored (not transposed, whole panels) is read in place, without packing, where the rows
     * make one A block (a batch-1 step's dX products: 64 rows): right against the reference with
     * padded strides and offsets, over one and over several K blocks, and the same bits as those
     * rows of a taller product, whose B is packed.
     */
    @Test
    void bAsStoredIsReadInPlaceForFewRows() {
        for (int[] s : new int[][] {{64, 128, 384}, {64, 64, 300}, {13, 96, 128}, {128, 512, 64}}) {
            allTransposes(s[0], s[1], s[2], false);
        }
        int m = 64, tall = 200, n = 128, k = 600;
        float[] a = matrix(tall * k, 1, 1, 0, 0f), b = matrix(k * n, 1, 1, 0, 0f);
        float[] few = new float[m * n], many = new float[tall * n];
        Parallel.forEach(2, part -> { // on one thread (a split by rows packs B shared): the taller product packs B
            if (part == 0) {
                Gemm.sgemmJava(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, few, 0, n);
                Gemm.sgemmJava(false, false, tall, n, k, 1f, a, 0, k, b, 0, n, 0f, many, 0, n);
            }
        });
        for (int i = 0; i < few.length; i++) {
            if (Float.floatToRawIntBits(few[i]) != Float.floatToRawIntBits(many[i])) {
                fail("element " + i + ": " + few[i] + " with B read in place, " + many[i] + " with B packed");
            }
        }
    }

    /**
     * The thread split does not change the bits: a product split over the threads (rows with B's
     * panels packed a share by each thread, or columns) equals the same product run inside a
     * part of another parallel loop, where it runs on one thread; beta = 0 over NaN as well.
     */
    @Test
    void theThreadSplitDoesNotChangeTheBits() {
        int[][] shapes = {{128, 256, 784}, {300, 257, 513}, {32, 256, 784}, {256, 784, 32}, {5, 300, 257}};
        for (int[] s : shapes) {
            for (int t = 0; t < 4; t++) {
                boolean ta = (t & 1) != 0, tb = (t & 2) != 0;
                int m = s[0], n = s[1], k = s[2];
                float[] a = matrix(m * k, 1, 1, 0, 0f), b = matrix(k * n, 1, 1, 0, 0f);
                float beta = t == 3 ? 0.5f : 0f;
                float[] split = new float[m * n], alone = new float[m * n];
                if (beta == 0f) Arrays.fill(split, Float.NaN);
                Arrays.fill(alone, split[0]);
                Gemm.sgemmJava(ta, tb, m, n, k, 1.5f, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, split, 0, n);
                Parallel.forEach(2, part -> {
                    if (part == 0) Gemm.sgemmJava(ta, tb, m, n, k, 1.5f, a, 0, ta ? m : k, b, 0, tb ? k : n, beta, alone, 0, n);
                });
                for (int i = 0; i < split.length; i++) {
                    if (Float.floatToRawIntBits(split[i]) != Float.floatToRawIntBits(alone[i])) {
                        fail("m=" + m + " n=" + n + " k=" + k + " ta=" + ta + " tb=" + tb + ": element " + i + " is " + split[i]
                                + " split over the threads, " + alone[i] + " on one");
                    }
                }
            }
        }
    }

    /**
     * With alpha = 1 a transposed A is read where it lies, not packed (GemmVector.block): the same
     * bits as the same values stored untransposed, which are packed. Row counts that leave a last
     * panel of fewer than MR rows (packed), K over one block, beta 0 (over NaN) and 1, on one
     * thread and split.
     */
    @Test
    void aTransposedAReadInPlaceGivesThePackedBits() {
        int[][] shapes = {{384, 128, 768}, {65, 128, 768}, {21, 40, 300}, {128, 512, 768}, {8, 33, 5}};
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            float[] at = matrix(k * m, 1, 1, 0, 0f), b = matrix(k * n, 1, 1, 0, 0f), a = new float[m * k];
            for (int p = 0; p < k; p++) for (int i = 0; i < m; i++) a[i * k + p] = at[p * m + i];
            for (float beta : new float[] {0f, 1f}) {
                float[] c0 = matrix(m * n, 1, 1, 0, 0f);
                if (beta == 0f) Arrays.fill(c0, Float.NaN);
                for (boolean serial : new boolean[] {false, true}) {
                    float[] direct = c0.clone(), packed = c0.clone();
                    Runnable run = () -> {
                        Gemm.sgemmJava(true, false, m, n, k, 1f, at, 0, m, b, 0, n, beta, direct, 0, n);
                        Gemm.sgemmJava(false, false, m, n, k, 1f, a, 0, k, b, 0, n, beta, packed, 0, n);
                    };
                    if (serial) {
                        Parallel.forEach(2, part -> {
                            if (part == 0) run.run();
                        });
                    } else {
                        run.run();
                    }
                    for (int i = 0; i < direct.length; i++) {
                        if (Float.floatToRawIntBits(direct[i]) != Float.floatToRawIntBits(packed[i])) {
                            fail("m=" + m + " n=" + n + " k=" + k + " beta=" + beta + (serial ? " one thread" : "") + ": element " + i
                                    + " is " + direct[i] + " from Aᵀ in place, " + packed[i] + " from A packed");
                        }
                    }
                }
            }
        }
    }

    /**
     * A worker that comes late to a split product (descheduled on a busy host) leaves its share
     * to the caller, which goes on alone rather than wait: rows split (the caller closes the
     * product at the first K-block barrier) and columns split (the caller takes the second share
     * after its own); the same bits as on one thread, and the late worker touches nothing.
     */
    @Test
    void aLateWorkersShareIsTakenOverWithTheSameBits() {
        org.junit.jupiter.api.Assumptions.assumeTrue(Simd.VECTOR && Parallel.THREADS > 1);
        Parallel.Split old = Parallel.setSplit(Parallel.Split.FIXED);
        try {
            int[][] shapes = {{256, 64, 300}, {4, 300, 257}}; // rows split, columns split
            for (int[] s : shapes) {
                int m = s[0], n = s[1], k = s[2];
                float[] a = matrix(m * k, 1, 1, 0, 0f), b = matrix(k * n, 1, 1, 0, 0f);
                float[] late = new float[m * n], alone = new float[m * n];
                Parallel.forEach(2, part -> {
                    if (part == 0) Gemm.sgemmJava(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, alone, 0, n);
                });
                long before = GemmVector.TAKEN_OVER.sum();
                // 200 ms late: on a loaded host the caller itself may be descheduled for tens of
                // milliseconds, and a worker that came within that would leave nothing to take over
                GemmVector.workerDelayForTests = 200_000_000;
                try {
                    Gemm.sgemmJava(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, late, 0, n);
                } finally {
                    GemmVector.workerDelayForTests = 0;
                }
                assertTrue(GemmVector.TAKEN_OVER.sum() > before, m + "x" + k + "x" + n + ": the caller did not take over");
                for (int i = 0; i < late.length; i++) {
                    assertEquals(Float.floatToRawIntBits(alone[i]), Float.floatToRawIntBits(late[i]), m + "x" + k + "x" + n + " element " + i);
                }
                Arrays.fill(late, Float.NaN); // the late worker, when it comes, must not write C
                java.util.concurrent.locks.LockSupport.parkNanos(250_000_000);
                for (float x : late) assertTrue(Float.isNaN(x), m + "x" + k + "x" + n + ": C written after the call returned");
            }
        } finally {
            Parallel.setSplit(old);
        }
    }

    /**
     * k = 1 (a batch-1 weight gradient) takes its own one-pass path, split over the threads when
     * C is large: the same bits as the scalar loop (product, then sum), and with beta = 0 C's old
     * contents (NaN here) are never read.
     */
    @Test
    void rankOneProductsMatchTheScalarLoopBitForBit() {
        Random rng = new Random(3);
        for (int m : new int[] {4, 5, 300}) {
            int n = 257;
            float[] a = new float[m], b = new float[n];
            for (int i = 0; i < m; i++) a[i] = (float) rng.nextGaussian();
            for (int j = 0; j < n; j++) b[j] = (float) rng.nextGaussian();
            float[] init = new float[m * n];
            for (int i = 0; i < init.length; i++) init[i] = (float) rng.nextGaussian();
            for (boolean transA : new boolean[] {false, true}) {
                for (boolean transB : new boolean[] {false, true}) {
                    float[] expected = init.clone(), actual = init.clone();
                    Gemm.scalar(transA, transB, m, n, 1, 0.7f, a, 0, transA ? m : 1, b, 0, transB ? 1 : n, expected, 0, n);
                    Gemm.sgemmJava(transA, transB, m, n, 1, 0.7f, a, 0, transA ? m : 1, b, 0, transB ? 1 : n, 1f, actual, 0, n);
                    for (int i = 0; i < expected.length; i++) {
                        assertEquals(Float.floatToRawIntBits(expected[i]), Float.floatToRawIntBits(actual[i]), "beta 1, m " + m + " [" + i + "]");
                    }
                    float[] zeros = new float[m * n], nan = new float[m * n];
                    Arrays.fill(nan, Float.NaN);
                    Gemm.scalar(transA, transB, m, n, 1, 0.7f, a, 0, transA ? m : 1, b, 0, transB ? 1 : n, zeros, 0, n);
                    Gemm.sgemmJava(transA, transB, m, n, 1, 0.7f, a, 0, transA ? m : 1, b, 0, transB ? 1 : n, 0f, nan, 0, n);
                    for (int i = 0; i < zeros.length; i++) {
                        assertEquals(Float.floatToRawIntBits(zeros[i]), Float.floatToRawIntBits(nan[i]), "beta 0, m " + m + " [" + i + "]");
                    }
                }
            }
        }
    }

    @Test
    void alphaZeroAndEmptyK() {
        float[] a = {1, 2}, b = {3, 4};
        float[] c = {5, 6, 7, 8};
        Gemm.sgemm(false, false, 2, 2, 1, 0f, a, 0, 1, b, 0, 2, 0.5f, c, 0, 2);
        assertEquals(2.5f, c[0]);
        assertEquals(4f, c[3]);
        float[] d = {Float.NaN, Float.NaN};
        Gemm.sgemm(false, false, 1, 2, 0, 1f, new float[0], 0, 1, new float[0], 0, 2, 0f, d, 0, 2);
        assertEquals(0f, d[0], "k = 0, beta = 0: C is cleared");
        assertEquals(0f, d[1]);
        Gemm.sgemm(false, false, 0, 0, 3, 1f, new float[0], 0, 3, new float[0], 0, 1, 0f, new float[0], 0, 1); // no-op
    }

    @Test
    void badArgumentsAreRejected() {
        float[] x = new float[12];
        String ld = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 3, 3, 4, 1f, x, 0, 3, x, 0, 3, 0f, new float[9], 0, 3)).getMessage();
        assertTrue(ld.contains("leading dimension of A"), ld);
        String size = assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, 4, 4, 4, 1f, x, 0, 4, x, 0, 4, 0f, new float[16], 0, 4)).getMessage();
        assertTrue(size.contains("A (4×4") && size.contains("12"), size);
        assertThrows(IllegalArgumentException.class,
                () -> Gemm.sgemm(false, false, -1, 2, 2, 1f, x, 0, 2, x, 0, 2, 0f, x, 0, 2));
    }
}

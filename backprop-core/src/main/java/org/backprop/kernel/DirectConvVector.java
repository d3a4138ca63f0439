package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectConv}'s vector loops; loaded only when {@link Simd#VECTOR}. Eight output rows by
 * three vectors of grid positions stay in registers (24 accumulators; 3 loads and 8 broadcasts
 * per 24 multiply-adds) where the CPU has AVX-512's 32 registers, at 16 or 8 lanes; four rows by two
 * vectors with AVX2's 16 registers, and for the grid's last vectors. The loads are unaligned views of the padded
 * planes; a block's taps read a few rows of each plane, which stay in L1 while the blocks of
 * output rows take turns over the same positions.
 */
final class DirectConvVector {
    private DirectConvVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    private static final int ROWS = DirectConv.ROWS;
    /** Whether the CPU has AVX-512's 32 vector registers (also at 8 lanes, as {@code GemmVector.MR}): room for 8 × 3 accumulators. */
    static final boolean WIDE = V >= 16 || FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;

    /** n: the grid rounded to whole vectors (see {@link DirectConv#correlate}). */
    static void correlate(int m, float[] packed, int[] taps, float[] src, int srcOff, int n,
                          float[] dst, int dstOff, int ldDst) {
        int kk = taps.length, groups = (m + ROWS - 1) / ROWS;
        int q = 0;
        if (WIDE) {
            // grid positions outermost: the source window of a block is read by every group of rows in turn
            for (; q + 3 * V <= n; q += 3 * V) {
                for (int g = 0; g < groups; g++) {
                    block8x3(packed, g * kk * ROWS, taps, src, srcOff + q, dst, dstOff + g * ROWS * ldDst + q, ldDst,
                            Math.min(ROWS, m - g * ROWS));
                }
            }
        }
        if (WIDE) { // the grid's last one or two vectors, still eight rows at a time
            for (; q < n; q += V) {
                boolean two = q + 2 * V <= n;
                for (int g = 0; g < groups; g++) {
                    block8x2(packed, g * kk * ROWS, taps, src, srcOff + q, dst, dstOff + g * ROWS * ldDst + q, ldDst,
                            Math.min(ROWS, m - g * ROWS), two);
                }
                if (two) q += V;
            }
            return;
        }
        // with 16 registers (AVX2): four rows at a time
        for (; q + 2 * V <= n; q += 2 * V) {
            for (int r = 0; r < m; r += 4) {
                block4x2(packed, (r / ROWS) * kk * ROWS + r % ROWS, taps, src, srcOff + q, dst, dstOff + r * ldDst + q, ldDst,
                        Math.min(4, m - r));
            }
        }
        for (; q < n; q += V) {
            for (int r = 0; r < m; r += 4) {
                block4x1(packed, (r / ROWS) * kk * ROWS + r % ROWS, taps, src, srcOff + q, dst, dstOff + r * ldDst + q, ldDst,
                        Math.min(4, m - r));
            }
        }
    }

    /**
     * Eight rows by three vectors: 24 accumulators, 3 loads and 8 broadcasts per 24 multiply-adds
     * (four by four, 16 accumulators, spent as many loads and broadcasts on 16 and ran at ~58% of
     * the FMA peak).
     */
    private static void block8x3(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c62 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S), c72 = FloatVector.zero(S);
        for (int t = 0, wt = w0; t < taps.length; t++, wt += ROWS) {
            int s = s0 + taps[t];
            FloatVector b0 = FloatVector.fromArray(S, src, s), b1 = FloatVector.fromArray(S, src, s + V);
            FloatVector b2 = FloatVector.fromArray(S, src, s + 2 * V);
            FloatVector x = FloatVector.broadcast(S, w[wt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            x = FloatVector.broadcast(S, w[wt + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            x = FloatVector.broadcast(S, w[wt + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            x = FloatVector.broadcast(S, w[wt + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            x = FloatVector.broadcast(S, w[wt + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            c42 = x.fma(b2, c42);
            x = FloatVector.broadcast(S, w[wt + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            c52 = x.fma(b2, c52);
            x = FloatVector.broadcast(S, w[wt + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            c62 = x.fma(b2, c62);
            x = FloatVector.broadcast(S, w[wt + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
            c72 = x.fma(b2, c72);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        c00.intoArray(dst, d);
        c01.intoArray(dst, d + V);
        c02.intoArray(dst, d + 2 * V);
        if (rows < 2) return;
        d += ld;
        c10.intoArray(dst, d);
        c11.intoArray(dst, d + V);
        c12.intoArray(dst, d + 2 * V);
        if (rows < 3) return;
        d += ld;
        c20.intoArray(dst, d);
        c21.intoArray(dst, d + V);
        c22.intoArray(dst, d + 2 * V);
        if (rows < 4) return;
        d += ld;
        c30.intoArray(dst, d);
        c31.intoArray(dst, d + V);
        c32.intoArray(dst, d + 2 * V);
        if (rows < 5) return;
        d += ld;
        c40.intoArray(dst, d);
        c41.intoArray(dst, d + V);
        c42.intoArray(dst, d + 2 * V);
        if (rows < 6) return;
        d += ld;
        c50.intoArray(dst, d);
        c51.intoArray(dst, d + V);
        c52.intoArray(dst, d + 2 * V);
        if (rows < 7) return;
        d += ld;
        c60.intoArray(dst, d);
        c61.intoArray(dst, d + V);
        c62.intoArray(dst, d + 2 * V);
        if (rows < 8) return;
        d += ld;
        c70.intoArray(dst, d);
        c71.intoArray(dst, d + V);
        c72.intoArray(dst, d + 2 * V);
    }

    /** Eight rows by two vectors, or by one when not {@code two} (the second vector's lanes are then computed from the first's and not stored). */
    private static void block8x2(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows,
                                 boolean two) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S), c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        int second = two ? V : 0; // one vector: the second load repeats the first (no read past the grid's last vector)
        for (int t = 0, wt = w0; t < taps.length; t++, wt += ROWS) {
            int s = s0 + taps[t];
            FloatVector b0 = FloatVector.fromArray(S, src, s), b1 = FloatVector.fromArray(S, src, s + second);
            FloatVector x = FloatVector.broadcast(S, w[wt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, w[wt + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, w[wt + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, w[wt + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            x = FloatVector.broadcast(S, w[wt + 4]);
            c40 = x.fma(b0, c40);
            c41 = x.fma(b1, c41);
            x = FloatVector.broadcast(S, w[wt + 5]);
            c50 = x.fma(b0, c50);
            c51 = x.fma(b1, c51);
            x = FloatVector.broadcast(S, w[wt + 6]);
            c60 = x.fma(b0, c60);
            c61 = x.fma(b1, c61);
            x = FloatVector.broadcast(S, w[wt + 7]);
            c70 = x.fma(b0, c70);
            c71 = x.fma(b1, c71);
        }
        c00.intoArray(dst, d);
        if (two) c01.intoArray(dst, d + V);
        if (rows < 2) return;
        d += ld;
        c10.intoArray(dst, d);
        if (two) c11.intoArray(dst, d + V);
        if (rows < 3) return;
        d += ld;
        c20.intoArray(dst, d);
        if (two) c21.intoArray(dst, d + V);
        if (rows < 4) return;
        d += ld;
        c30.intoArray(dst, d);
        if (two) c31.intoArray(dst, d + V);
        if (rows < 5) return;
        d += ld;
        c40.intoArray(dst, d);
        if (two) c41.intoArray(dst, d + V);
        if (rows < 6) return;
        d += ld;
        c50.intoArray(dst, d);
        if (two) c51.intoArray(dst, d + V);
        if (rows < 7) return;
        d += ld;
        c60.intoArray(dst, d);
        if (two) c61.intoArray(dst, d + V);
        if (rows < 8) return;
        d += ld;
        c70.intoArray(dst, d);
        if (two) c71.intoArray(dst, d + V);
    }

    /** Four rows (lanes w0 .. w0+3 of each tap's group of {@link #ROWS}) by two vectors. */
    private static void block4x2(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int t = 0, wt = w0; t < taps.length; t++, wt += ROWS) {
            int s = s0 + taps[t];
            FloatVector b0 = FloatVector.fromArray(S, src, s), b1 = FloatVector.fromArray(S, src, s + V);
            FloatVector x = FloatVector.broadcast(S, w[wt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            x = FloatVector.broadcast(S, w[wt + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            x = FloatVector.broadcast(S, w[wt + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            x = FloatVector.broadcast(S, w[wt + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
        }
        c00.intoArray(dst, d);
        c01.intoArray(dst, d + V);
        if (rows < 2) return;
        c10.intoArray(dst, d + ld);
        c11.intoArray(dst, d + ld + V);
        if (rows < 3) return;
        c20.intoArray(dst, d + 2 * ld);
        c21.intoArray(dst, d + 2 * ld + V);
        if (rows < 4) return;
        c30.intoArray(dst, d + 3 * ld);
        c31.intoArray(dst, d + 3 * ld + V);
    }

    /** Four rows (as {@link #block4x2}) by one vector. */
    private static void block4x1(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
        FloatVector c0 = FloatVector.zero(S), c1 = FloatVector.zero(S), c2 = FloatVector.zero(S), c3 = FloatVector.zero(S);
        for (int t = 0, wt = w0; t < taps.length; t++, wt += ROWS) {
            FloatVector b = FloatVector.fromArray(S, src, s0 + taps[t]);
            c0 = FloatVector.broadcast(S, w[wt]).fma(b, c0);
            c1 = FloatVector.broadcast(S, w[wt + 1]).fma(b, c1);
            c2 = FloatVector.broadcast(S, w[wt + 2]).fma(b, c2);
            c3 = FloatVector.broadcast(S, w[wt + 3]).fma(b, c3);
        }
        c0.intoArray(dst, d);
        if (rows > 1) c1.intoArray(dst, d + ld);
        if (rows > 2) c2.intoArray(dst, d + 2 * ld);
        if (rows > 3) c3.intoArray(dst, d + 3 * ld);
    }

    /**
     * See {@link DirectConv#unpad}. A row's last partial vector is stored whole: its lanes past
     * the row land on the next rows' first cells, written after; only where a whole vector would
     * pass the image's end (the next image may be another thread's) the row finishes with scalars. The grid is read a
     * vector past a row, which its scratch's slack covers.
     */
    static void unpad(float[] grid, int ld, int channels, int rows, int wp, int cols, float[] bias,
                      float[] out, int outOff) {
        int end = outOff + channels * rows * cols;
        for (int c = 0; c < channels; c++) {
            FloatVector b = FloatVector.broadcast(S, bias == null ? 0f : bias[c]);
            boolean add = bias != null;
            for (int y = 0; y < rows; y++) {
                int src = c * ld + y * wp, dst = outOff + (c * rows + y) * cols;
                int x = 0;
                for (; x < cols && dst + x + V <= end; x += V) {
                    FloatVector v = FloatVector.fromArray(S, grid, src + x);
                    (add ? v.add(b) : v).intoArray(out, dst + x);
                }
                float bs = bias == null ? 0f : bias[c];
                for (; x < cols; x++) out[dst + x] = add ? grid[src + x] + bs : grid[src + x];
            }
        }
    }
}

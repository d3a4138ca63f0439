package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectConv}'s vector loops; loaded only when {@link Simd#VECTOR}. Four output rows by
 * four vectors of grid positions stay in registers (16 accumulators; 4 loads and 4 broadcasts
 * per 16 multiply-adds) with AVX-512's 32 registers, four by two with 16 registers, and the
 * grid's last positions one vector at a time. The loads are unaligned views of the padded
 * planes; a block's taps read a few rows of each plane, which stay in L1 while the blocks of
 * output rows take turns over the same positions.
 */
final class DirectConvVector {
    private DirectConvVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    private static final int ROWS = DirectConv.ROWS;

    /** n: the grid rounded to whole vectors (see {@link DirectConv#correlate}). */
    static void correlate(int m, float[] packed, int[] taps, float[] src, int srcOff, int n,
                          float[] dst, int dstOff, int ldDst) {
        int kk = taps.length, groups = (m + ROWS - 1) / ROWS;
        int wide = V >= 16 ? 4 : 2;
        int q = 0;
        // grid positions outermost: the source window of a block is read by every group of rows in turn
        for (; q + wide * V <= n; q += wide * V) {
            for (int g = 0; g < groups; g++) {
                int rows = Math.min(ROWS, m - g * ROWS), d = dstOff + g * ROWS * ldDst + q;
                if (wide == 4) {
                    block4(packed, g * kk * ROWS, taps, src, srcOff + q, dst, d, ldDst, rows);
                } else {
                    block2(packed, g * kk * ROWS, taps, src, srcOff + q, dst, d, ldDst, rows);
                }
            }
        }
        for (; q < n; q += V) {
            for (int g = 0; g < groups; g++) {
                int rows = Math.min(ROWS, m - g * ROWS);
                block1(packed, g * kk * ROWS, taps, src, srcOff + q, dst, dstOff + g * ROWS * ldDst + q, ldDst, rows);
            }
        }
    }

    private static void block4(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        for (int t = 0, wt = w0; t < taps.length; t++, wt += ROWS) {
            int s = s0 + taps[t];
            FloatVector b0 = FloatVector.fromArray(S, src, s), b1 = FloatVector.fromArray(S, src, s + V);
            FloatVector b2 = FloatVector.fromArray(S, src, s + 2 * V), b3 = FloatVector.fromArray(S, src, s + 3 * V);
            FloatVector x = FloatVector.broadcast(S, w[wt]);
            c00 = x.fma(b0, c00);
            c01 = x.fma(b1, c01);
            c02 = x.fma(b2, c02);
            c03 = x.fma(b3, c03);
            x = FloatVector.broadcast(S, w[wt + 1]);
            c10 = x.fma(b0, c10);
            c11 = x.fma(b1, c11);
            c12 = x.fma(b2, c12);
            c13 = x.fma(b3, c13);
            x = FloatVector.broadcast(S, w[wt + 2]);
            c20 = x.fma(b0, c20);
            c21 = x.fma(b1, c21);
            c22 = x.fma(b2, c22);
            c23 = x.fma(b3, c23);
            x = FloatVector.broadcast(S, w[wt + 3]);
            c30 = x.fma(b0, c30);
            c31 = x.fma(b1, c31);
            c32 = x.fma(b2, c32);
            c33 = x.fma(b3, c33);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        c00.intoArray(dst, d);
        c01.intoArray(dst, d + V);
        c02.intoArray(dst, d + 2 * V);
        c03.intoArray(dst, d + 3 * V);
        if (rows < 2) return;
        c10.intoArray(dst, d + ld);
        c11.intoArray(dst, d + ld + V);
        c12.intoArray(dst, d + ld + 2 * V);
        c13.intoArray(dst, d + ld + 3 * V);
        if (rows < 3) return;
        c20.intoArray(dst, d + 2 * ld);
        c21.intoArray(dst, d + 2 * ld + V);
        c22.intoArray(dst, d + 2 * ld + 2 * V);
        c23.intoArray(dst, d + 2 * ld + 3 * V);
        if (rows < 4) return;
        c30.intoArray(dst, d + 3 * ld);
        c31.intoArray(dst, d + 3 * ld + V);
        c32.intoArray(dst, d + 3 * ld + 2 * V);
        c33.intoArray(dst, d + 3 * ld + 3 * V);
    }

    private static void block2(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
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

    private static void block1(float[] w, int w0, int[] taps, float[] src, int s0, float[] dst, int d, int ld, int rows) {
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

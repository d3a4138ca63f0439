package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectConv#correlateRows}'s vector loops; loaded only when {@link Simd#VECTOR} and the CPU
 * has 32 vector registers ({@link DirectConvVector#WIDE}). Where the padded grid of
 * {@link DirectConvVector} would be mostly zero padding (LeNet-5's second-layer input gradient,
 * its first-layer forward pass), each output row gets whole vectors of its own and only the kernel
 * rows that land on real input rows: the same multiply-adds in the same order as the grid's, less
 * the ones over zeros, so the same bits.
 */
final class DirectConvRowsVector {
    private DirectConvRowsVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    /** Vectors of output positions a block of {@link #correlateRows} holds (by {@link DirectConv#ROW_GROUP} channels: 24 accumulators). */
    static final int ROW_VECTORS = 4;

    /** Each thread's room for one block's sums ({@link #rows6x4} to {@link #storeRows}): no allocation a call. */
    private static final ThreadLocal<float[]> ACC = ThreadLocal.withInitial(() -> new float[DirectConv.ROW_GROUP * ROW_VECTORS * V]);

    /** The bias of a {@link #correlateRows} without one. */
    private static final float[] ZEROS = new float[64];

    /**
     * See {@link DirectConv#correlateRows}. Output row by output row, the row's vectors of all the
     * images (one per image on LeNet's 14-wide input gradient at 16 lanes, two at 8) go four at a
     * time to {@link #rows6x4} with the row's kernel rows; a last block of fewer repeats its last
     * vector and stores nothing for the repeats.
     */
    static void correlateRows(int m, float[] packed, int[] taps, int channels, int kh, int kw,
                              float[] src, int srcOff, int srcImage, int images, int padTop, int rows, int wp,
                              int oh, int ow, float[] bias, float[] out, int outOff, int outImage) {
        int nv = (ow + V - 1) / V, vectors = images * nv, kk = channels * kh * kw, plane = oh * ow;
        int g = DirectConv.ROW_GROUP, groups = (m + g - 1) / g;
        // no bias: zeros, added all the same (a sum is never −0, so +0 leaves its bits): one path for both uses
        float[] b = bias != null ? bias : m <= ZEROS.length ? ZEROS : new float[m];
        float[] acc = ACC.get();
        for (int y = 0; y < oh; y++) {
            int lo = Math.max(0, padTop - y), hi = Math.min(kh, padTop + rows - y);
            for (int v0 = 0; v0 < vectors; v0 += ROW_VECTORS) {
                // vector u of the block: image (v0 + u) / nv, lanes from ((v0 + u) % nv)·V of row y
                int u = Math.min(v0, vectors - 1), s0 = srcOff + (u / nv) * srcImage + y * wp + (u % nv) * V;
                int d0 = outOff + (u / nv) * outImage + y * ow + (u % nv) * V, n0 = Math.min(V, ow - (u % nv) * V);
                u = Math.min(v0 + 1, vectors - 1);
                int s1 = srcOff + (u / nv) * srcImage + y * wp + (u % nv) * V;
                int d1 = outOff + (u / nv) * outImage + y * ow + (u % nv) * V, n1 = v0 + 1 < vectors ? Math.min(V, ow - (u % nv) * V) : 0;
                u = Math.min(v0 + 2, vectors - 1);
                int s2 = srcOff + (u / nv) * srcImage + y * wp + (u % nv) * V;
                int d2 = outOff + (u / nv) * outImage + y * ow + (u % nv) * V, n2 = v0 + 2 < vectors ? Math.min(V, ow - (u % nv) * V) : 0;
                u = Math.min(v0 + 3, vectors - 1);
                int s3 = srcOff + (u / nv) * srcImage + y * wp + (u % nv) * V;
                int d3 = outOff + (u / nv) * outImage + y * ow + (u % nv) * V, n3 = v0 + 3 < vectors ? Math.min(V, ow - (u % nv) * V) : 0;
                for (int gi = 0; gi < groups; gi++) {
                    int r0 = gi * g;
                    rows6x4(packed, gi * kk * g, taps, channels, kh, kw, lo, hi, src, s0, s1, s2, s3, acc);
                    storeRows(acc, out, d0 + r0 * plane, d1 + r0 * plane, d2 + r0 * plane, d3 + r0 * plane, n0, n1, n2, n3,
                            plane, Math.min(g, m - r0), b, r0);
                }
            }
        }
    }

    /**
     * Six output channels by four vectors of positions (24 accumulators; 4 loads and 6 broadcasts
     * per 24 multiply-adds), over the taps of kernel rows [lo, hi) of every source channel, in
     * {@link DirectConv#correlate}'s order, stored whole into acc[(r·4 + u)·V] for {@link #storeRows}.
     */
    private static void rows6x4(float[] w, int w0, int[] taps, int channels, int kh, int kw, int lo, int hi,
                                float[] src, int s0, int s1, int s2, int s3, float[] acc) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S), c02 = FloatVector.zero(S), c03 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S), c12 = FloatVector.zero(S), c13 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S), c22 = FloatVector.zero(S), c23 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S), c32 = FloatVector.zero(S), c33 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S), c42 = FloatVector.zero(S), c43 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S), c52 = FloatVector.zero(S), c53 = FloatVector.zero(S);
        int g = DirectConv.ROW_GROUP;
        for (int c = 0; c < channels; c++) {
            for (int t = (c * kh + lo) * kw, end = (c * kh + hi) * kw, wt = w0 + t * g; t < end; t++, wt += g) {
                int s = taps[t];
                FloatVector b0 = FloatVector.fromArray(S, src, s0 + s), b1 = FloatVector.fromArray(S, src, s1 + s);
                FloatVector b2 = FloatVector.fromArray(S, src, s2 + s), b3 = FloatVector.fromArray(S, src, s3 + s);
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
                x = FloatVector.broadcast(S, w[wt + 4]);
                c40 = x.fma(b0, c40);
                c41 = x.fma(b1, c41);
                c42 = x.fma(b2, c42);
                c43 = x.fma(b3, c43);
                x = FloatVector.broadcast(S, w[wt + 5]);
                c50 = x.fma(b0, c50);
                c51 = x.fma(b1, c51);
                c52 = x.fma(b2, c52);
                c53 = x.fma(b3, c53);
            }
        }
        // whole vectors into acc, the masks and the bias in storeRows: with them this method was more than C1
        // can compile ("out of virtual registers"), and a process whose tiered compilation stalled at C1's
        // tiers ran it with boxed vectors, 40x slower
        c00.intoArray(acc, 0* V);
        c01.intoArray(acc, 1* V);
        c02.intoArray(acc, 2* V);
        c03.intoArray(acc, 3* V);
        c10.intoArray(acc, 4* V);
        c11.intoArray(acc, 5* V);
        c12.intoArray(acc, 6* V);
        c13.intoArray(acc, 7* V);
        c20.intoArray(acc, 8* V);
        c21.intoArray(acc, 9* V);
        c22.intoArray(acc, 10* V);
        c23.intoArray(acc, 11* V);
        c30.intoArray(acc, 12* V);
        c31.intoArray(acc, 13* V);
        c32.intoArray(acc, 14* V);
        c33.intoArray(acc, 15* V);
        c40.intoArray(acc, 16* V);
        c41.intoArray(acc, 17* V);
        c42.intoArray(acc, 18* V);
        c43.intoArray(acc, 19* V);
        c50.intoArray(acc, 20* V);
        c51.intoArray(acc, 21* V);
        c52.intoArray(acc, 22* V);
        c53.intoArray(acc, 23* V);
    }

    /** {@link #rows6x4}'s sums out: vector u's first {@code nu} lanes (masked) at du + r·plane for channel r &lt; rows, plus bias[r0 + r]. */
    private static void storeRows(float[] acc, float[] dst, int d0, int d1, int d2, int d3, int n0, int n1, int n2, int n3,
                                  int plane, int rows, float[] bias, int r0) {
        VectorMask<Float> m0 = S.indexInRange(0, n0), m1 = S.indexInRange(0, n1);
        VectorMask<Float> m2 = S.indexInRange(0, n2), m3 = S.indexInRange(0, n3);
        for (int r = 0, a = 0, o = 0; r < rows; r++, a += ROW_VECTORS * V, o += plane) {
            FloatVector b = FloatVector.broadcast(S, bias[r0 + r]);
            FloatVector.fromArray(S, acc, a).add(b).intoArray(dst, d0 + o, m0);
            FloatVector.fromArray(S, acc, a + V).add(b).intoArray(dst, d1 + o, m1);
            FloatVector.fromArray(S, acc, a + 2 * V).add(b).intoArray(dst, d2 + o, m2);
            FloatVector.fromArray(S, acc, a + 3 * V).add(b).intoArray(dst, d3 + o, m3);
        }
    }
}

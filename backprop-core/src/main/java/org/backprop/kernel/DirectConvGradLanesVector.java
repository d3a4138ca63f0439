package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectConvGradLanes}'s vector loops; loaded only when {@link Simd#VECTOR}. A block is
 * channels × taps of lane sums: 4 × 6 = 24 accumulators with AVX-512's 32 registers (and 4 + 1
 * for the loads), 2 × 6 below 16 lanes; the remainders take 2 or 1 channels and 3 taps. Per V
 * positions of the padded grid: one dY load per channel and one input load per tap, all streams
 * of stride 1, one loop over the image. No masks: with masked loads in the loop C1 ran out of
 * virtual registers on the 4-channel blocks and C2 never took them over.
 * Generated code (unrolled: an array of vectors would be boxed).
 */
final class DirectConvGradLanesVector {
    private DirectConvGradLanesVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    /**
     * The kernel of {@link DirectConvGradLanes#accumulate}: {@code grid} positions (a multiple of
     * V) of padded-grid coordinates, dY channels {@code grid} apart.
     */
    static void accumulate(float[] src, int srcOff, int[] taps, int grid, float[] dy, int out, float[] acc) {
        int ldT = out * V, wide = V >= 16 ? 4 : 2;
        for (int t0 = 0; t0 < taps.length; ) {
            boolean six = taps.length - t0 >= 6;
            int o = 0;
            for (; o + wide <= out; o += wide) {
                int d0 = o * grid, a0 = t0 * ldT + o * V;
                if (wide == 4) {
                    if (six) k4x6(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                    else k4x3(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                } else {
                    if (six) k2x6(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                    else k2x3(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                }
            }
            for (; o + 2 <= out; o += 2) {
                int d0 = o * grid, a0 = t0 * ldT + o * V;
                if (six) k2x6(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                else k2x3(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
            }
            for (; o < out; o++) {
                int d0 = o * grid, a0 = t0 * ldT + o * V;
                if (six) k1x6(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
                else k1x3(src, srcOff, taps, t0, grid, dy, d0, acc, a0, ldT);
            }
            t0 += six ? 6 : 3;
        }
    }

    private static void k4x6(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a42 = FloatVector.zero(S), a43 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a52 = FloatVector.zero(S), a53 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector y1 = FloatVector.fromArray(S, dy, d0 + grid + q);
            FloatVector y2 = FloatVector.fromArray(S, dy, d0 + 2 * grid + q);
            FloatVector y3 = FloatVector.fromArray(S, dy, d0 + 3 * grid + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00); a01 = b.fma(y1, a01); a02 = b.fma(y2, a02); a03 = b.fma(y3, a03);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10); a11 = b.fma(y1, a11); a12 = b.fma(y2, a12); a13 = b.fma(y3, a13);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20); a21 = b.fma(y1, a21); a22 = b.fma(y2, a22); a23 = b.fma(y3, a23);
            b = FloatVector.fromArray(S, src, p3 + q);
            a30 = b.fma(y0, a30); a31 = b.fma(y1, a31); a32 = b.fma(y2, a32); a33 = b.fma(y3, a33);
            b = FloatVector.fromArray(S, src, p4 + q);
            a40 = b.fma(y0, a40); a41 = b.fma(y1, a41); a42 = b.fma(y2, a42); a43 = b.fma(y3, a43);
            b = FloatVector.fromArray(S, src, p5 + q);
            a50 = b.fma(y0, a50); a51 = b.fma(y1, a51); a52 = b.fma(y2, a52); a53 = b.fma(y3, a53);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 1 * V).add(a01).intoArray(acc, a0 + 0 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 2 * V).add(a02).intoArray(acc, a0 + 0 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 3 * V).add(a03).intoArray(acc, a0 + 0 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 1 * V).add(a11).intoArray(acc, a0 + 1 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 2 * V).add(a12).intoArray(acc, a0 + 1 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 3 * V).add(a13).intoArray(acc, a0 + 1 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 1 * V).add(a21).intoArray(acc, a0 + 2 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 2 * V).add(a22).intoArray(acc, a0 + 2 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 3 * V).add(a23).intoArray(acc, a0 + 2 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 0 * V).add(a30).intoArray(acc, a0 + 3 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 1 * V).add(a31).intoArray(acc, a0 + 3 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 2 * V).add(a32).intoArray(acc, a0 + 3 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 3 * V).add(a33).intoArray(acc, a0 + 3 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 0 * V).add(a40).intoArray(acc, a0 + 4 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 1 * V).add(a41).intoArray(acc, a0 + 4 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 2 * V).add(a42).intoArray(acc, a0 + 4 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 3 * V).add(a43).intoArray(acc, a0 + 4 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 0 * V).add(a50).intoArray(acc, a0 + 5 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 1 * V).add(a51).intoArray(acc, a0 + 5 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 2 * V).add(a52).intoArray(acc, a0 + 5 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 3 * V).add(a53).intoArray(acc, a0 + 5 * ldT + 3 * V);
    }

    private static void k4x3(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector y1 = FloatVector.fromArray(S, dy, d0 + grid + q);
            FloatVector y2 = FloatVector.fromArray(S, dy, d0 + 2 * grid + q);
            FloatVector y3 = FloatVector.fromArray(S, dy, d0 + 3 * grid + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00); a01 = b.fma(y1, a01); a02 = b.fma(y2, a02); a03 = b.fma(y3, a03);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10); a11 = b.fma(y1, a11); a12 = b.fma(y2, a12); a13 = b.fma(y3, a13);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20); a21 = b.fma(y1, a21); a22 = b.fma(y2, a22); a23 = b.fma(y3, a23);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 1 * V).add(a01).intoArray(acc, a0 + 0 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 2 * V).add(a02).intoArray(acc, a0 + 0 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 3 * V).add(a03).intoArray(acc, a0 + 0 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 1 * V).add(a11).intoArray(acc, a0 + 1 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 2 * V).add(a12).intoArray(acc, a0 + 1 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 3 * V).add(a13).intoArray(acc, a0 + 1 * ldT + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 1 * V).add(a21).intoArray(acc, a0 + 2 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 2 * V).add(a22).intoArray(acc, a0 + 2 * ldT + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 3 * V).add(a23).intoArray(acc, a0 + 2 * ldT + 3 * V);
    }

    private static void k2x6(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector y1 = FloatVector.fromArray(S, dy, d0 + grid + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00); a01 = b.fma(y1, a01);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10); a11 = b.fma(y1, a11);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20); a21 = b.fma(y1, a21);
            b = FloatVector.fromArray(S, src, p3 + q);
            a30 = b.fma(y0, a30); a31 = b.fma(y1, a31);
            b = FloatVector.fromArray(S, src, p4 + q);
            a40 = b.fma(y0, a40); a41 = b.fma(y1, a41);
            b = FloatVector.fromArray(S, src, p5 + q);
            a50 = b.fma(y0, a50); a51 = b.fma(y1, a51);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 1 * V).add(a01).intoArray(acc, a0 + 0 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 1 * V).add(a11).intoArray(acc, a0 + 1 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 1 * V).add(a21).intoArray(acc, a0 + 2 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 0 * V).add(a30).intoArray(acc, a0 + 3 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 1 * V).add(a31).intoArray(acc, a0 + 3 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 0 * V).add(a40).intoArray(acc, a0 + 4 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 1 * V).add(a41).intoArray(acc, a0 + 4 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 0 * V).add(a50).intoArray(acc, a0 + 5 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 1 * V).add(a51).intoArray(acc, a0 + 5 * ldT + 1 * V);
    }

    private static void k2x3(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector y1 = FloatVector.fromArray(S, dy, d0 + grid + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00); a01 = b.fma(y1, a01);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10); a11 = b.fma(y1, a11);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20); a21 = b.fma(y1, a21);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 1 * V).add(a01).intoArray(acc, a0 + 0 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 1 * V).add(a11).intoArray(acc, a0 + 1 * ldT + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 1 * V).add(a21).intoArray(acc, a0 + 2 * ldT + 1 * V);
    }

    private static void k1x6(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20);
            b = FloatVector.fromArray(S, src, p3 + q);
            a30 = b.fma(y0, a30);
            b = FloatVector.fromArray(S, src, p4 + q);
            a40 = b.fma(y0, a40);
            b = FloatVector.fromArray(S, src, p5 + q);
            a50 = b.fma(y0, a50);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ldT + 0 * V).add(a30).intoArray(acc, a0 + 3 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ldT + 0 * V).add(a40).intoArray(acc, a0 + 4 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ldT + 0 * V).add(a50).intoArray(acc, a0 + 5 * ldT + 0 * V);
    }

    private static void k1x3(float[] src, int s0, int[] taps, int t0, int grid,
                             float[] dy, int d0, float[] acc, int a0, int ldT) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        for (int q = 0; q < grid; q += V) {
            FloatVector y0 = FloatVector.fromArray(S, dy, d0 + q);
            FloatVector b;
            b = FloatVector.fromArray(S, src, p0 + q);
            a00 = b.fma(y0, a00);
            b = FloatVector.fromArray(S, src, p1 + q);
            a10 = b.fma(y0, a10);
            b = FloatVector.fromArray(S, src, p2 + q);
            a20 = b.fma(y0, a20);
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ldT + 0 * V).add(a00).intoArray(acc, a0 + 0 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ldT + 0 * V).add(a10).intoArray(acc, a0 + 1 * ldT + 0 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ldT + 0 * V).add(a20).intoArray(acc, a0 + 2 * ldT + 0 * V);
    }
}

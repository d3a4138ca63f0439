package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link DirectConvGrad}'s vector loops; loaded only when {@link Simd#VECTOR}. A block keeps
 * taps × channel vectors of dW in registers (4 × 6 or 2 × 12 = 24 accumulators with AVX-512's 32
 * registers, 2 × 6 or 1 × 12 with 16) and per output position loads its channel vectors of dY and
 * broadcasts one padded-input value per tap: 10 or 14 loads per 24 multiply-adds, all from L1
 * (a pass's dY rows, and a few rows of the tap planes). The transposed dY is in panels of V
 * channels, dyT[(panel·positions + q)·V + lane], so each stream has a constant stride.
 * Generated code (unrolled: an array of vectors would be boxed).
 */
final class DirectConvGradVector {
    private DirectConvGradVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    /** See {@link DirectConvGrad#accumulate}; output rows [y0, y1) only. */
    static void accumulate(float[] src, int srcOff, int[] taps, int wp, int y0, int y1, int ow,
                           float[] dyT, int positions, int panels, float[] acc, int ld) {
        for (int t0 = 0; t0 < taps.length; t0 += DirectConvGrad.TAP_BLOCK) {
            int j = 0;
            if (V >= 16) {
                for (; j + 4 <= panels; j += 4) {
                    k4x6(src, srcOff, taps, t0, wp, y0, y1, ow, dyT, j * positions, positions, acc, t0 * ld + j * V, ld);
                    k4x6(src, srcOff, taps, t0 + 6, wp, y0, y1, ow, dyT, j * positions, positions, acc,
                            (t0 + 6) * ld + j * V, ld);
                }
                for (; j + 2 <= panels; j += 2) {
                    k2x12(src, srcOff, taps, t0, wp, y0, y1, ow, dyT, j * positions, positions, acc, t0 * ld + j * V, ld);
                }
            } else {
                for (; j + 2 <= panels; j += 2) {
                    k2x6(src, srcOff, taps, t0, wp, y0, y1, ow, dyT, j * positions, positions, acc, t0 * ld + j * V, ld);
                    k2x6(src, srcOff, taps, t0 + 6, wp, y0, y1, ow, dyT, j * positions, positions, acc,
                            (t0 + 6) * ld + j * V, ld);
                }
            }
            for (; j < panels; j++) {
                k1x12(src, srcOff, taps, t0, wp, y0, y1, ow, dyT, j * positions, positions, acc, t0 * ld + j * V, ld);
            }
        }
    }

    private static void k4x6(float[] src, int s0, int[] taps, int t0, int wp, int y0, int y1, int ow,
                             float[] dyT, int panel, int positions, float[] acc, int a0, int ld) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S), a02 = FloatVector.zero(S), a03 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S), a12 = FloatVector.zero(S), a13 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S), a22 = FloatVector.zero(S), a23 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S), a32 = FloatVector.zero(S), a33 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S), a42 = FloatVector.zero(S), a43 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S), a52 = FloatVector.zero(S), a53 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        int pv = positions * V;
        for (int y = y0; y < y1; y++) {
            int r = y * wp, d = (panel + y * ow) * V;
            for (int x = 0; x < ow; x++) {
                int dx = d + x * V, sx = r + x;
                FloatVector d0 = FloatVector.fromArray(S, dyT, dx);
                FloatVector d1 = FloatVector.fromArray(S, dyT, dx + pv);
                FloatVector d2 = FloatVector.fromArray(S, dyT, dx + 2 * pv);
                FloatVector d3 = FloatVector.fromArray(S, dyT, dx + 3 * pv);
                FloatVector b;
                b = FloatVector.broadcast(S, src[p0 + sx]);
                a00 = b.fma(d0, a00); a01 = b.fma(d1, a01); a02 = b.fma(d2, a02); a03 = b.fma(d3, a03);
                b = FloatVector.broadcast(S, src[p1 + sx]);
                a10 = b.fma(d0, a10); a11 = b.fma(d1, a11); a12 = b.fma(d2, a12); a13 = b.fma(d3, a13);
                b = FloatVector.broadcast(S, src[p2 + sx]);
                a20 = b.fma(d0, a20); a21 = b.fma(d1, a21); a22 = b.fma(d2, a22); a23 = b.fma(d3, a23);
                b = FloatVector.broadcast(S, src[p3 + sx]);
                a30 = b.fma(d0, a30); a31 = b.fma(d1, a31); a32 = b.fma(d2, a32); a33 = b.fma(d3, a33);
                b = FloatVector.broadcast(S, src[p4 + sx]);
                a40 = b.fma(d0, a40); a41 = b.fma(d1, a41); a42 = b.fma(d2, a42); a43 = b.fma(d3, a43);
                b = FloatVector.broadcast(S, src[p5 + sx]);
                a50 = b.fma(d0, a50); a51 = b.fma(d1, a51); a52 = b.fma(d2, a52); a53 = b.fma(d3, a53);
            }
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ld).add(a00).intoArray(acc, a0 + 0 * ld);
        FloatVector.fromArray(S, acc, a0 + 0 * ld + 1 * V).add(a01).intoArray(acc, a0 + 0 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ld + 2 * V).add(a02).intoArray(acc, a0 + 0 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 0 * ld + 3 * V).add(a03).intoArray(acc, a0 + 0 * ld + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ld).add(a10).intoArray(acc, a0 + 1 * ld);
        FloatVector.fromArray(S, acc, a0 + 1 * ld + 1 * V).add(a11).intoArray(acc, a0 + 1 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ld + 2 * V).add(a12).intoArray(acc, a0 + 1 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ld + 3 * V).add(a13).intoArray(acc, a0 + 1 * ld + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ld).add(a20).intoArray(acc, a0 + 2 * ld);
        FloatVector.fromArray(S, acc, a0 + 2 * ld + 1 * V).add(a21).intoArray(acc, a0 + 2 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ld + 2 * V).add(a22).intoArray(acc, a0 + 2 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ld + 3 * V).add(a23).intoArray(acc, a0 + 2 * ld + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ld).add(a30).intoArray(acc, a0 + 3 * ld);
        FloatVector.fromArray(S, acc, a0 + 3 * ld + 1 * V).add(a31).intoArray(acc, a0 + 3 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ld + 2 * V).add(a32).intoArray(acc, a0 + 3 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ld + 3 * V).add(a33).intoArray(acc, a0 + 3 * ld + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ld).add(a40).intoArray(acc, a0 + 4 * ld);
        FloatVector.fromArray(S, acc, a0 + 4 * ld + 1 * V).add(a41).intoArray(acc, a0 + 4 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ld + 2 * V).add(a42).intoArray(acc, a0 + 4 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ld + 3 * V).add(a43).intoArray(acc, a0 + 4 * ld + 3 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ld).add(a50).intoArray(acc, a0 + 5 * ld);
        FloatVector.fromArray(S, acc, a0 + 5 * ld + 1 * V).add(a51).intoArray(acc, a0 + 5 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ld + 2 * V).add(a52).intoArray(acc, a0 + 5 * ld + 2 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ld + 3 * V).add(a53).intoArray(acc, a0 + 5 * ld + 3 * V);
    }

    private static void k2x12(float[] src, int s0, int[] taps, int t0, int wp, int y0, int y1, int ow,
                             float[] dyT, int panel, int positions, float[] acc, int a0, int ld) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S);
        FloatVector a60 = FloatVector.zero(S), a61 = FloatVector.zero(S);
        FloatVector a70 = FloatVector.zero(S), a71 = FloatVector.zero(S);
        FloatVector a80 = FloatVector.zero(S), a81 = FloatVector.zero(S);
        FloatVector a90 = FloatVector.zero(S), a91 = FloatVector.zero(S);
        FloatVector a100 = FloatVector.zero(S), a101 = FloatVector.zero(S);
        FloatVector a110 = FloatVector.zero(S), a111 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        int p6 = s0 + taps[t0 + 6], p7 = s0 + taps[t0 + 7], p8 = s0 + taps[t0 + 8];
        int p9 = s0 + taps[t0 + 9], p10 = s0 + taps[t0 + 10], p11 = s0 + taps[t0 + 11];
        int pv = positions * V;
        for (int y = y0; y < y1; y++) {
            int r = y * wp, d = (panel + y * ow) * V;
            for (int x = 0; x < ow; x++) {
                int dx = d + x * V, sx = r + x;
                FloatVector d0 = FloatVector.fromArray(S, dyT, dx);
                FloatVector d1 = FloatVector.fromArray(S, dyT, dx + pv);
                FloatVector b;
                b = FloatVector.broadcast(S, src[p0 + sx]);
                a00 = b.fma(d0, a00); a01 = b.fma(d1, a01);
                b = FloatVector.broadcast(S, src[p1 + sx]);
                a10 = b.fma(d0, a10); a11 = b.fma(d1, a11);
                b = FloatVector.broadcast(S, src[p2 + sx]);
                a20 = b.fma(d0, a20); a21 = b.fma(d1, a21);
                b = FloatVector.broadcast(S, src[p3 + sx]);
                a30 = b.fma(d0, a30); a31 = b.fma(d1, a31);
                b = FloatVector.broadcast(S, src[p4 + sx]);
                a40 = b.fma(d0, a40); a41 = b.fma(d1, a41);
                b = FloatVector.broadcast(S, src[p5 + sx]);
                a50 = b.fma(d0, a50); a51 = b.fma(d1, a51);
                b = FloatVector.broadcast(S, src[p6 + sx]);
                a60 = b.fma(d0, a60); a61 = b.fma(d1, a61);
                b = FloatVector.broadcast(S, src[p7 + sx]);
                a70 = b.fma(d0, a70); a71 = b.fma(d1, a71);
                b = FloatVector.broadcast(S, src[p8 + sx]);
                a80 = b.fma(d0, a80); a81 = b.fma(d1, a81);
                b = FloatVector.broadcast(S, src[p9 + sx]);
                a90 = b.fma(d0, a90); a91 = b.fma(d1, a91);
                b = FloatVector.broadcast(S, src[p10 + sx]);
                a100 = b.fma(d0, a100); a101 = b.fma(d1, a101);
                b = FloatVector.broadcast(S, src[p11 + sx]);
                a110 = b.fma(d0, a110); a111 = b.fma(d1, a111);
            }
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ld).add(a00).intoArray(acc, a0 + 0 * ld);
        FloatVector.fromArray(S, acc, a0 + 0 * ld + 1 * V).add(a01).intoArray(acc, a0 + 0 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ld).add(a10).intoArray(acc, a0 + 1 * ld);
        FloatVector.fromArray(S, acc, a0 + 1 * ld + 1 * V).add(a11).intoArray(acc, a0 + 1 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ld).add(a20).intoArray(acc, a0 + 2 * ld);
        FloatVector.fromArray(S, acc, a0 + 2 * ld + 1 * V).add(a21).intoArray(acc, a0 + 2 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ld).add(a30).intoArray(acc, a0 + 3 * ld);
        FloatVector.fromArray(S, acc, a0 + 3 * ld + 1 * V).add(a31).intoArray(acc, a0 + 3 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ld).add(a40).intoArray(acc, a0 + 4 * ld);
        FloatVector.fromArray(S, acc, a0 + 4 * ld + 1 * V).add(a41).intoArray(acc, a0 + 4 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ld).add(a50).intoArray(acc, a0 + 5 * ld);
        FloatVector.fromArray(S, acc, a0 + 5 * ld + 1 * V).add(a51).intoArray(acc, a0 + 5 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 6 * ld).add(a60).intoArray(acc, a0 + 6 * ld);
        FloatVector.fromArray(S, acc, a0 + 6 * ld + 1 * V).add(a61).intoArray(acc, a0 + 6 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 7 * ld).add(a70).intoArray(acc, a0 + 7 * ld);
        FloatVector.fromArray(S, acc, a0 + 7 * ld + 1 * V).add(a71).intoArray(acc, a0 + 7 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 8 * ld).add(a80).intoArray(acc, a0 + 8 * ld);
        FloatVector.fromArray(S, acc, a0 + 8 * ld + 1 * V).add(a81).intoArray(acc, a0 + 8 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 9 * ld).add(a90).intoArray(acc, a0 + 9 * ld);
        FloatVector.fromArray(S, acc, a0 + 9 * ld + 1 * V).add(a91).intoArray(acc, a0 + 9 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 10 * ld).add(a100).intoArray(acc, a0 + 10 * ld);
        FloatVector.fromArray(S, acc, a0 + 10 * ld + 1 * V).add(a101).intoArray(acc, a0 + 10 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 11 * ld).add(a110).intoArray(acc, a0 + 11 * ld);
        FloatVector.fromArray(S, acc, a0 + 11 * ld + 1 * V).add(a111).intoArray(acc, a0 + 11 * ld + 1 * V);
    }

    private static void k2x6(float[] src, int s0, int[] taps, int t0, int wp, int y0, int y1, int ow,
                             float[] dyT, int panel, int positions, float[] acc, int a0, int ld) {
        FloatVector a00 = FloatVector.zero(S), a01 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S), a11 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S), a21 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S), a31 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S), a41 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S), a51 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        int pv = positions * V;
        for (int y = y0; y < y1; y++) {
            int r = y * wp, d = (panel + y * ow) * V;
            for (int x = 0; x < ow; x++) {
                int dx = d + x * V, sx = r + x;
                FloatVector d0 = FloatVector.fromArray(S, dyT, dx);
                FloatVector d1 = FloatVector.fromArray(S, dyT, dx + pv);
                FloatVector b;
                b = FloatVector.broadcast(S, src[p0 + sx]);
                a00 = b.fma(d0, a00); a01 = b.fma(d1, a01);
                b = FloatVector.broadcast(S, src[p1 + sx]);
                a10 = b.fma(d0, a10); a11 = b.fma(d1, a11);
                b = FloatVector.broadcast(S, src[p2 + sx]);
                a20 = b.fma(d0, a20); a21 = b.fma(d1, a21);
                b = FloatVector.broadcast(S, src[p3 + sx]);
                a30 = b.fma(d0, a30); a31 = b.fma(d1, a31);
                b = FloatVector.broadcast(S, src[p4 + sx]);
                a40 = b.fma(d0, a40); a41 = b.fma(d1, a41);
                b = FloatVector.broadcast(S, src[p5 + sx]);
                a50 = b.fma(d0, a50); a51 = b.fma(d1, a51);
            }
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ld).add(a00).intoArray(acc, a0 + 0 * ld);
        FloatVector.fromArray(S, acc, a0 + 0 * ld + 1 * V).add(a01).intoArray(acc, a0 + 0 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 1 * ld).add(a10).intoArray(acc, a0 + 1 * ld);
        FloatVector.fromArray(S, acc, a0 + 1 * ld + 1 * V).add(a11).intoArray(acc, a0 + 1 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 2 * ld).add(a20).intoArray(acc, a0 + 2 * ld);
        FloatVector.fromArray(S, acc, a0 + 2 * ld + 1 * V).add(a21).intoArray(acc, a0 + 2 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 3 * ld).add(a30).intoArray(acc, a0 + 3 * ld);
        FloatVector.fromArray(S, acc, a0 + 3 * ld + 1 * V).add(a31).intoArray(acc, a0 + 3 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 4 * ld).add(a40).intoArray(acc, a0 + 4 * ld);
        FloatVector.fromArray(S, acc, a0 + 4 * ld + 1 * V).add(a41).intoArray(acc, a0 + 4 * ld + 1 * V);
        FloatVector.fromArray(S, acc, a0 + 5 * ld).add(a50).intoArray(acc, a0 + 5 * ld);
        FloatVector.fromArray(S, acc, a0 + 5 * ld + 1 * V).add(a51).intoArray(acc, a0 + 5 * ld + 1 * V);
    }

    private static void k1x12(float[] src, int s0, int[] taps, int t0, int wp, int y0, int y1, int ow,
                             float[] dyT, int panel, int positions, float[] acc, int a0, int ld) {
        FloatVector a00 = FloatVector.zero(S);
        FloatVector a10 = FloatVector.zero(S);
        FloatVector a20 = FloatVector.zero(S);
        FloatVector a30 = FloatVector.zero(S);
        FloatVector a40 = FloatVector.zero(S);
        FloatVector a50 = FloatVector.zero(S);
        FloatVector a60 = FloatVector.zero(S);
        FloatVector a70 = FloatVector.zero(S);
        FloatVector a80 = FloatVector.zero(S);
        FloatVector a90 = FloatVector.zero(S);
        FloatVector a100 = FloatVector.zero(S);
        FloatVector a110 = FloatVector.zero(S);
        int p0 = s0 + taps[t0 + 0], p1 = s0 + taps[t0 + 1], p2 = s0 + taps[t0 + 2];
        int p3 = s0 + taps[t0 + 3], p4 = s0 + taps[t0 + 4], p5 = s0 + taps[t0 + 5];
        int p6 = s0 + taps[t0 + 6], p7 = s0 + taps[t0 + 7], p8 = s0 + taps[t0 + 8];
        int p9 = s0 + taps[t0 + 9], p10 = s0 + taps[t0 + 10], p11 = s0 + taps[t0 + 11];
        int pv = positions * V;
        for (int y = y0; y < y1; y++) {
            int r = y * wp, d = (panel + y * ow) * V;
            for (int x = 0; x < ow; x++) {
                int dx = d + x * V, sx = r + x;
                FloatVector d0 = FloatVector.fromArray(S, dyT, dx);
                FloatVector b;
                b = FloatVector.broadcast(S, src[p0 + sx]);
                a00 = b.fma(d0, a00);
                b = FloatVector.broadcast(S, src[p1 + sx]);
                a10 = b.fma(d0, a10);
                b = FloatVector.broadcast(S, src[p2 + sx]);
                a20 = b.fma(d0, a20);
                b = FloatVector.broadcast(S, src[p3 + sx]);
                a30 = b.fma(d0, a30);
                b = FloatVector.broadcast(S, src[p4 + sx]);
                a40 = b.fma(d0, a40);
                b = FloatVector.broadcast(S, src[p5 + sx]);
                a50 = b.fma(d0, a50);
                b = FloatVector.broadcast(S, src[p6 + sx]);
                a60 = b.fma(d0, a60);
                b = FloatVector.broadcast(S, src[p7 + sx]);
                a70 = b.fma(d0, a70);
                b = FloatVector.broadcast(S, src[p8 + sx]);
                a80 = b.fma(d0, a80);
                b = FloatVector.broadcast(S, src[p9 + sx]);
                a90 = b.fma(d0, a90);
                b = FloatVector.broadcast(S, src[p10 + sx]);
                a100 = b.fma(d0, a100);
                b = FloatVector.broadcast(S, src[p11 + sx]);
                a110 = b.fma(d0, a110);
            }
        }
        // written out, not through a helper: vectors passed to a call that is not inlined are boxed
        FloatVector.fromArray(S, acc, a0 + 0 * ld).add(a00).intoArray(acc, a0 + 0 * ld);
        FloatVector.fromArray(S, acc, a0 + 1 * ld).add(a10).intoArray(acc, a0 + 1 * ld);
        FloatVector.fromArray(S, acc, a0 + 2 * ld).add(a20).intoArray(acc, a0 + 2 * ld);
        FloatVector.fromArray(S, acc, a0 + 3 * ld).add(a30).intoArray(acc, a0 + 3 * ld);
        FloatVector.fromArray(S, acc, a0 + 4 * ld).add(a40).intoArray(acc, a0 + 4 * ld);
        FloatVector.fromArray(S, acc, a0 + 5 * ld).add(a50).intoArray(acc, a0 + 5 * ld);
        FloatVector.fromArray(S, acc, a0 + 6 * ld).add(a60).intoArray(acc, a0 + 6 * ld);
        FloatVector.fromArray(S, acc, a0 + 7 * ld).add(a70).intoArray(acc, a0 + 7 * ld);
        FloatVector.fromArray(S, acc, a0 + 8 * ld).add(a80).intoArray(acc, a0 + 8 * ld);
        FloatVector.fromArray(S, acc, a0 + 9 * ld).add(a90).intoArray(acc, a0 + 9 * ld);
        FloatVector.fromArray(S, acc, a0 + 10 * ld).add(a100).intoArray(acc, a0 + 10 * ld);
        FloatVector.fromArray(S, acc, a0 + 11 * ld).add(a110).intoArray(acc, a0 + 11 * ld);
    }
}

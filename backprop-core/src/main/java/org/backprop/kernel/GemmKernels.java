package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmVector}'s micro-kernels, one per register-block shape (MR rows × 2 vectors):
 * C[MR×NR] := S[MR×NR] + Apanel[kc×MR]ᵀ·Bpanel[kc×NR], S read from {@code s} (C itself, or zeros
 * where C is to be overwritten). A's MR values for one p lie side by side, successive p {@code as}
 * apart: MR in a packed panel, the row stride where a transposed A is read as stored. B's rows lie
 * {@code ldb} floats apart: NR in a packed panel, the stored row length where GemmVector reads B as
 * stored. Every element of C is one FMA chain over p in order whatever
 * the shape, so the shape never changes the bits. The accumulators are written out by name, and
 * the stores too: a vector passed to a call C2 does not inline is boxed.
 * Loaded only when {@link Simd#VECTOR}.
 */
final class GemmKernels {
    private GemmKernels() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;

    /** 4 rows × 2 vectors = 8 accumulators: fits AVX2's 16 registers without spilling. */
    static void kernel4x2(int kc, float[] pa, int ao, int as, float[] pb, int bo, int ldb, float[] c, int co, int ldc,
                        float[] s, int so, int lds) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * ldb, ap = ao + p * as;
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
        int r = co, q = so;
        c00.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c01.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c10.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c11.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c20.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c21.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c30.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c31.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
    }

    /** 8 rows × 2 vectors = 16 accumulators, where the CPU has AVX-512's 32 registers; each B load feeds 8 FMAs. */
    static void kernel8x2(int kc, float[] pa, int ao, int as, float[] pb, int bo, int ldb, float[] c, int co, int ldc,
                        float[] s, int so, int lds) {
        FloatVector c00 = FloatVector.zero(S), c01 = FloatVector.zero(S);
        FloatVector c10 = FloatVector.zero(S), c11 = FloatVector.zero(S);
        FloatVector c20 = FloatVector.zero(S), c21 = FloatVector.zero(S);
        FloatVector c30 = FloatVector.zero(S), c31 = FloatVector.zero(S);
        FloatVector c40 = FloatVector.zero(S), c41 = FloatVector.zero(S);
        FloatVector c50 = FloatVector.zero(S), c51 = FloatVector.zero(S);
        FloatVector c60 = FloatVector.zero(S), c61 = FloatVector.zero(S);
        FloatVector c70 = FloatVector.zero(S), c71 = FloatVector.zero(S);
        for (int p = 0; p < kc; p++) {
            int bp = bo + p * ldb, ap = ao + p * as;
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
        int r = co, q = so;
        c00.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c01.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c10.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c11.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c20.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c21.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c30.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c31.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c40.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c41.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c50.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c51.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c60.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c61.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
        r += ldc;
        q += lds;
        c70.add(FloatVector.fromArray(S, s, q)).intoArray(c, r);
        c71.add(FloatVector.fromArray(S, s, q + V)).intoArray(c, r + V);
    }
}

package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * In-register transposes of V×V blocks (V = {@link Simd#LANES}, 8 or 16), for {@link GemmPack}:
 * a panel row of a transposed B is one value from each of V stored rows. Gathered, it cost 7% of a
 * batch-1 GPT step (packing a layer's weight for its forward product); here V row loads, log2(V)
 * rounds of V two-vector permutes (each swaps the off-diagonal halves of row pairs) and V stores
 * move V² values. (A as stored, packed [kc][MR], has its own MR × V transposes in {@link PackAVector}.)
 * Pure data movement: the products' bits do not change. Generated code: unrolled, because an array
 * of vectors would be boxed. Loaded only when {@link Simd#VECTOR}.
 */
final class TransposeVector {
    private TransposeVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    /** Whether this width has a transpose here; else callers keep their other loops. */
    static final boolean WORKS = V == 8 || V == 16;
    /** Round s (distance d = V/2^(s+1)) of the permutes, as selectFrom indexes into (row i, row i + d). */
    private static final float[] SWAP_LO = swaps(true), SWAP_HI = swaps(false);

    private static float[] swaps(boolean lo) {
        int rounds = Integer.numberOfTrailingZeros(Math.max(V, 1));
        float[] x = new float[Math.max(rounds, 1) * V];
        for (int s = 0, d = V / 2; d >= 1; s++, d /= 2) {
            for (int l = 0; l < V; l++) {
                boolean first = (l & d) == 0;
                x[s * V + l] = lo ? (first ? l : V + l - d) : (first ? l + d : V + l);
            }
        }
        return x;
    }

    /** out[dst + p·ldo + q] = a[src + q·lda + p] for p, q in [0, V). */
    static void whole(float[] a, int src, int lda, float[] out, int dst, int ldo) {
        if (V == 16) whole16(a, src, lda, out, dst, ldo);
        else whole8(a, src, lda, out, dst, ldo);
    }

    private static void whole16(float[] a, int src, int lda, float[] out, int dst, int ldo) {
        FloatVector r0 = FloatVector.fromArray(S, a, src);
        FloatVector r1 = FloatVector.fromArray(S, a, src + 1 * lda);
        FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda);
        FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda);
        FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * lda);
        FloatVector r5 = FloatVector.fromArray(S, a, src + 5 * lda);
        FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * lda);
        FloatVector r7 = FloatVector.fromArray(S, a, src + 7 * lda);
        FloatVector r8 = FloatVector.fromArray(S, a, src + 8 * lda);
        FloatVector r9 = FloatVector.fromArray(S, a, src + 9 * lda);
        FloatVector r10 = FloatVector.fromArray(S, a, src + 10 * lda);
        FloatVector r11 = FloatVector.fromArray(S, a, src + 11 * lda);
        FloatVector r12 = FloatVector.fromArray(S, a, src + 12 * lda);
        FloatVector r13 = FloatVector.fromArray(S, a, src + 13 * lda);
        FloatVector r14 = FloatVector.fromArray(S, a, src + 14 * lda);
        FloatVector r15 = FloatVector.fromArray(S, a, src + 15 * lda);
        FloatVector t, lo, hi;
        lo = FloatVector.fromArray(S, SWAP_LO, 0);
        hi = FloatVector.fromArray(S, SWAP_HI, 0);
        t = lo.selectFrom(r0, r8); r8 = hi.selectFrom(r0, r8); r0 = t;
        t = lo.selectFrom(r1, r9); r9 = hi.selectFrom(r1, r9); r1 = t;
        t = lo.selectFrom(r2, r10); r10 = hi.selectFrom(r2, r10); r2 = t;
        t = lo.selectFrom(r3, r11); r11 = hi.selectFrom(r3, r11); r3 = t;
        t = lo.selectFrom(r4, r12); r12 = hi.selectFrom(r4, r12); r4 = t;
        t = lo.selectFrom(r5, r13); r13 = hi.selectFrom(r5, r13); r5 = t;
        t = lo.selectFrom(r6, r14); r14 = hi.selectFrom(r6, r14); r6 = t;
        t = lo.selectFrom(r7, r15); r15 = hi.selectFrom(r7, r15); r7 = t;
        lo = FloatVector.fromArray(S, SWAP_LO, 16);
        hi = FloatVector.fromArray(S, SWAP_HI, 16);
        t = lo.selectFrom(r0, r4); r4 = hi.selectFrom(r0, r4); r0 = t;
        t = lo.selectFrom(r1, r5); r5 = hi.selectFrom(r1, r5); r1 = t;
        t = lo.selectFrom(r2, r6); r6 = hi.selectFrom(r2, r6); r2 = t;
        t = lo.selectFrom(r3, r7); r7 = hi.selectFrom(r3, r7); r3 = t;
        t = lo.selectFrom(r8, r12); r12 = hi.selectFrom(r8, r12); r8 = t;
        t = lo.selectFrom(r9, r13); r13 = hi.selectFrom(r9, r13); r9 = t;
        t = lo.selectFrom(r10, r14); r14 = hi.selectFrom(r10, r14); r10 = t;
        t = lo.selectFrom(r11, r15); r15 = hi.selectFrom(r11, r15); r11 = t;
        lo = FloatVector.fromArray(S, SWAP_LO, 32);
        hi = FloatVector.fromArray(S, SWAP_HI, 32);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        t = lo.selectFrom(r4, r6); r6 = hi.selectFrom(r4, r6); r4 = t;
        t = lo.selectFrom(r5, r7); r7 = hi.selectFrom(r5, r7); r5 = t;
        t = lo.selectFrom(r8, r10); r10 = hi.selectFrom(r8, r10); r8 = t;
        t = lo.selectFrom(r9, r11); r11 = hi.selectFrom(r9, r11); r9 = t;
        t = lo.selectFrom(r12, r14); r14 = hi.selectFrom(r12, r14); r12 = t;
        t = lo.selectFrom(r13, r15); r15 = hi.selectFrom(r13, r15); r13 = t;
        lo = FloatVector.fromArray(S, SWAP_LO, 48);
        hi = FloatVector.fromArray(S, SWAP_HI, 48);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        t = lo.selectFrom(r4, r5); r5 = hi.selectFrom(r4, r5); r4 = t;
        t = lo.selectFrom(r6, r7); r7 = hi.selectFrom(r6, r7); r6 = t;
        t = lo.selectFrom(r8, r9); r9 = hi.selectFrom(r8, r9); r8 = t;
        t = lo.selectFrom(r10, r11); r11 = hi.selectFrom(r10, r11); r10 = t;
        t = lo.selectFrom(r12, r13); r13 = hi.selectFrom(r12, r13); r12 = t;
        t = lo.selectFrom(r14, r15); r15 = hi.selectFrom(r14, r15); r14 = t;
        r0.intoArray(out, dst + 0 * ldo);
        r1.intoArray(out, dst + 1 * ldo);
        r2.intoArray(out, dst + 2 * ldo);
        r3.intoArray(out, dst + 3 * ldo);
        r4.intoArray(out, dst + 4 * ldo);
        r5.intoArray(out, dst + 5 * ldo);
        r6.intoArray(out, dst + 6 * ldo);
        r7.intoArray(out, dst + 7 * ldo);
        r8.intoArray(out, dst + 8 * ldo);
        r9.intoArray(out, dst + 9 * ldo);
        r10.intoArray(out, dst + 10 * ldo);
        r11.intoArray(out, dst + 11 * ldo);
        r12.intoArray(out, dst + 12 * ldo);
        r13.intoArray(out, dst + 13 * ldo);
        r14.intoArray(out, dst + 14 * ldo);
        r15.intoArray(out, dst + 15 * ldo);
    }

    private static void whole8(float[] a, int src, int lda, float[] out, int dst, int ldo) {
        FloatVector r0 = FloatVector.fromArray(S, a, src);
        FloatVector r1 = FloatVector.fromArray(S, a, src + 1 * lda);
        FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda);
        FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda);
        FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * lda);
        FloatVector r5 = FloatVector.fromArray(S, a, src + 5 * lda);
        FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * lda);
        FloatVector r7 = FloatVector.fromArray(S, a, src + 7 * lda);
        FloatVector t, lo, hi;
        lo = FloatVector.fromArray(S, SWAP_LO, 0);
        hi = FloatVector.fromArray(S, SWAP_HI, 0);
        t = lo.selectFrom(r0, r4); r4 = hi.selectFrom(r0, r4); r0 = t;
        t = lo.selectFrom(r1, r5); r5 = hi.selectFrom(r1, r5); r1 = t;
        t = lo.selectFrom(r2, r6); r6 = hi.selectFrom(r2, r6); r2 = t;
        t = lo.selectFrom(r3, r7); r7 = hi.selectFrom(r3, r7); r3 = t;
        lo = FloatVector.fromArray(S, SWAP_LO, 8);
        hi = FloatVector.fromArray(S, SWAP_HI, 8);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        t = lo.selectFrom(r4, r6); r6 = hi.selectFrom(r4, r6); r4 = t;
        t = lo.selectFrom(r5, r7); r7 = hi.selectFrom(r5, r7); r5 = t;
        lo = FloatVector.fromArray(S, SWAP_LO, 16);
        hi = FloatVector.fromArray(S, SWAP_HI, 16);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        t = lo.selectFrom(r4, r5); r5 = hi.selectFrom(r4, r5); r4 = t;
        t = lo.selectFrom(r6, r7); r7 = hi.selectFrom(r6, r7); r6 = t;
        r0.intoArray(out, dst + 0 * ldo);
        r1.intoArray(out, dst + 1 * ldo);
        r2.intoArray(out, dst + 2 * ldo);
        r3.intoArray(out, dst + 3 * ldo);
        r4.intoArray(out, dst + 4 * ldo);
        r5.intoArray(out, dst + 5 * ldo);
        r6.intoArray(out, dst + 6 * ldo);
        r7.intoArray(out, dst + 7 * ldo);
    }
}

package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link GemmPack}'s A as stored into a panel [kc][MR]: MR rows × V values of k in, V·MR floats
 * out in order. The scalar loop wrote one float at a time, MR floats apart (about 6% of a batch-1
 * GPT step). Here MR row loads, log2(MR) rounds of MR two-vector permutes and MR stores: round t
 * swaps register bit (log2(MR) − 1 − t) with lane bit (log2(V) − 1 − t), which leaves register j
 * holding k values j·V/MR.. of every row, lane = row·(V/MR) + k mod (V/MR); the last round's
 * indexes also rotate the lanes to k mod (V/MR)·MR + row, the panel's order. Pure data movement
 * (alpha multiplies each value once, as the scalar loop does): the products' bits do not change.
 * Generated-style code: unrolled, because an array of vectors would be boxed. Loaded only when
 * {@link Simd#VECTOR}.
 */
final class PackAVector {
    private PackAVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    private static final int MR = GemmVector.MR;
    /**
     * Whether this width and MR have a transpose here; else GemmPack keeps its scalar loop
     * ({@code -Dbackprop.packA.scalar=true} keeps it too, for A/B runs).
     */
    static final boolean WORKS = (V == 8 || V == 16) && (MR == 4 || MR == 8) && MR <= V
            && !Boolean.getBoolean("backprop.packA.scalar");
    private static final int ROUNDS = Integer.numberOfTrailingZeros(MR);
    /** Round t's selectFrom indexes into (register i, register i + MR/2^(t+1)), low and high halves. */
    private static final float[] LO = indexes(true), HI = indexes(false);

    private static float[] indexes(boolean lo) {
        float[] x = new float[ROUNDS * V];
        int rest = V / MR; // k values of one row per register at the end
        for (int t = 0; t < ROUNDS; t++) {
            int d = V >> (t + 1); // the lane bit this round swaps
            for (int l = 0; l < V; l++) {
                // the last round writes lane l from the lane that holds (row, k mod rest) before the rotation
                int from = t < ROUNDS - 1 ? l : (l % MR) * rest + l / MR;
                boolean first = (from & d) == 0;
                x[t * V + l] = lo ? (first ? from : V + from - d) : (first ? from + d : V + from);
            }
        }
        return x;
    }

    /** out[dst + p·MR + r] = alpha·a[src + r·lda + p] for r in [0, MR), p in [0, V). */
    static void panel(float[] a, int src, int lda, float alpha, float[] out, int dst) {
        if (MR == 8) panel8(a, src, lda, alpha, out, dst);
        else panel4(a, src, lda, alpha, out, dst);
    }

    private static void panel8(float[] a, int src, int lda, float alpha, float[] out, int dst) {
        FloatVector r0 = FloatVector.fromArray(S, a, src);
        FloatVector r1 = FloatVector.fromArray(S, a, src + 1 * lda);
        FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda);
        FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda);
        FloatVector r4 = FloatVector.fromArray(S, a, src + 4 * lda);
        FloatVector r5 = FloatVector.fromArray(S, a, src + 5 * lda);
        FloatVector r6 = FloatVector.fromArray(S, a, src + 6 * lda);
        FloatVector r7 = FloatVector.fromArray(S, a, src + 7 * lda);
        if (alpha != 1f) {
            r0 = r0.mul(alpha); r1 = r1.mul(alpha); r2 = r2.mul(alpha); r3 = r3.mul(alpha);
            r4 = r4.mul(alpha); r5 = r5.mul(alpha); r6 = r6.mul(alpha); r7 = r7.mul(alpha);
        }
        FloatVector t, lo, hi;
        lo = FloatVector.fromArray(S, LO, 0);
        hi = FloatVector.fromArray(S, HI, 0);
        t = lo.selectFrom(r0, r4); r4 = hi.selectFrom(r0, r4); r0 = t;
        t = lo.selectFrom(r1, r5); r5 = hi.selectFrom(r1, r5); r1 = t;
        t = lo.selectFrom(r2, r6); r6 = hi.selectFrom(r2, r6); r2 = t;
        t = lo.selectFrom(r3, r7); r7 = hi.selectFrom(r3, r7); r3 = t;
        lo = FloatVector.fromArray(S, LO, V);
        hi = FloatVector.fromArray(S, HI, V);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        t = lo.selectFrom(r4, r6); r6 = hi.selectFrom(r4, r6); r4 = t;
        t = lo.selectFrom(r5, r7); r7 = hi.selectFrom(r5, r7); r5 = t;
        lo = FloatVector.fromArray(S, LO, 2 * V);
        hi = FloatVector.fromArray(S, HI, 2 * V);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        t = lo.selectFrom(r4, r5); r5 = hi.selectFrom(r4, r5); r4 = t;
        t = lo.selectFrom(r6, r7); r7 = hi.selectFrom(r6, r7); r6 = t;
        r0.intoArray(out, dst);
        r1.intoArray(out, dst + 1 * V);
        r2.intoArray(out, dst + 2 * V);
        r3.intoArray(out, dst + 3 * V);
        r4.intoArray(out, dst + 4 * V);
        r5.intoArray(out, dst + 5 * V);
        r6.intoArray(out, dst + 6 * V);
        r7.intoArray(out, dst + 7 * V);
    }

    private static void panel4(float[] a, int src, int lda, float alpha, float[] out, int dst) {
        FloatVector r0 = FloatVector.fromArray(S, a, src);
        FloatVector r1 = FloatVector.fromArray(S, a, src + 1 * lda);
        FloatVector r2 = FloatVector.fromArray(S, a, src + 2 * lda);
        FloatVector r3 = FloatVector.fromArray(S, a, src + 3 * lda);
        if (alpha != 1f) {
            r0 = r0.mul(alpha); r1 = r1.mul(alpha); r2 = r2.mul(alpha); r3 = r3.mul(alpha);
        }
        FloatVector t, lo, hi;
        lo = FloatVector.fromArray(S, LO, 0);
        hi = FloatVector.fromArray(S, HI, 0);
        t = lo.selectFrom(r0, r2); r2 = hi.selectFrom(r0, r2); r0 = t;
        t = lo.selectFrom(r1, r3); r3 = hi.selectFrom(r1, r3); r1 = t;
        lo = FloatVector.fromArray(S, LO, V);
        hi = FloatVector.fromArray(S, HI, V);
        t = lo.selectFrom(r0, r1); r1 = hi.selectFrom(r0, r1); r0 = t;
        t = lo.selectFrom(r2, r3); r3 = hi.selectFrom(r2, r3); r2 = t;
        r0.intoArray(out, dst);
        r1.intoArray(out, dst + 1 * V);
        r2.intoArray(out, dst + 2 * V);
        r3.intoArray(out, dst + 3 * V);
    }
}

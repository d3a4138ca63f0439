package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link AdamLoop}'s vector loops; loaded only when {@link Simd#VECTOR}. */
final class AdamVector {
    private AdamVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    static int apply(AdamLoop.Constants k, float[] w, float[] g, int gShift, float[] m, float[] v, float[] vMax, int from, int to) {
        int end = from + S.loopBound(to - from);
        FloatVector zero = FloatVector.zero(S);
        // The sum of the weights written: finite unless one of them is not, or (rarely) the sum
        // overflows, which the exact check after the loop tells apart. One add a vector, where
        // adding w − w (0 for a finite w, NaN otherwise) took two.
        FloatVector check = zero;
        for (int i = from; i < end; i += S.length()) {
            check = check.add(update(k, FloatVector.fromArray(S, g, i - gShift), w, m, v, vMax, i));
        }
        return finite(check, w, from, end) ? end : -1 - end;
    }

    /**
     * The update of rows [fromRow, toRow) of w ([rows, cols], cols ≥ one vector) from the rank-1
     * gradient a·bᵀ, each element formed in the register as 0 + aᵢ·bⱼ, the bits
     * {@link OuterProductVector#row} stores, and never written: the row buffer's store and load
     * per element are gone. Updates each row's whole vectors; returns their end within a row (the
     * caller finishes each row's tail), as {@code -1 - end} when a weight it wrote is not finite.
     */
    static int applyOuter(AdamLoop.Constants k, float[] w, float[] a, float[] b, float[] m, float[] v, float[] vMax,
            int fromRow, int toRow) {
        int cols = b.length, bound = S.loopBound(cols);
        FloatVector zero = FloatVector.zero(S);
        FloatVector check = zero;
        boolean finite = true;
        for (int r = fromRow; r < toRow; r++) {
            FloatVector ar = FloatVector.broadcast(S, a[r]);
            int base = r * cols;
            for (int j = 0; j < bound; j += S.length()) {
                check = check.add(update(k, ar.mul(FloatVector.fromArray(S, b, j)).add(zero), w, m, v, vMax, base + j));
            }
        }
        if (!check.test(VectorOperators.IS_FINITE).allTrue()) {
            for (int r = fromRow; r < toRow && finite; r++) finite = VecVector.allFinite(w, r * cols, bound);
        }
        return finite ? bound : -1 - bound;
    }

    /**
     * One vector of the rule for elements [i, i + lanes) with gradient gi as read: the scalar
     * loop's float operations in its order (multiply and add, never fused), so the same bits.
     */
    private static FloatVector update(AdamLoop.Constants k, FloatVector gi, float[] w, float[] m, float[] v, float[] vMax, int i) {
        FloatVector zero = FloatVector.zero(S);
        FloatVector wi = FloatVector.fromArray(S, w, i);
        if (k.scaled()) gi = gi.mul(k.gradScale());
        if (k.hasL2()) gi = gi.add(wi.mul(k.decay()));
        if (k.hasDecoupled()) wi = wi.mul(k.shrink());
        FloatVector mi = FloatVector.fromArray(S, m, i).mul(k.b1()).add(gi.mul(k.c1()));
        FloatVector vi = FloatVector.fromArray(S, v, i).mul(k.b2()).add(gi.mul(gi).mul(k.c2()));
        if (k.eps() > 0) { // with ε = 0 a flushed v could divide by 0 (see optim.Subnormals)
            mi = mi.blend(zero, mi.abs().lt(Float.MIN_NORMAL));
            // v ≥ 0 (a sum of squares times positive constants): no |v| needed (optim.Subnormals#flushNonNegative)
            vi = vi.blend(zero, vi.lt(Float.MIN_NORMAL));
        }
        mi.intoArray(m, i);
        vi.intoArray(v, i);
        if (k.amsgrad()) {
            vi = FloatVector.fromArray(S, vMax, i).max(vi);
            vi.intoArray(vMax, i);
        }
        FloatVector out = wi.sub(mi.div(vi.sqrt().add(k.eps())).mul(k.stepSize()));
        out.intoArray(w, i);
        return out;
    }

    /** Whether w[from, to) is finite, given the lane sums of those values: exact, the sum's overflow told apart. */
    private static boolean finite(FloatVector sum, float[] w, int from, int to) {
        return sum.test(VectorOperators.IS_FINITE).allTrue() || VecVector.allFinite(w, from, to - from);
    }
}

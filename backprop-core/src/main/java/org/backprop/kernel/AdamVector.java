package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link AdamLoop}'s vector loop; loaded only when {@link Simd#VECTOR}. */
final class AdamVector {
    private AdamVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    static int apply(AdamLoop.Constants k, float[] w, float[] g, int gShift, float[] m, float[] v, float[] vMax, int from, int to) {
        int end = from + S.loopBound(to - from);
        boolean flush = k.eps() > 0; // with ε = 0 a flushed v could divide by 0 (see optim.Subnormals)
        float decay = k.decay(), shrink = k.shrink(), b1 = k.b1(), b2 = k.b2(), c1 = k.c1(), c2 = k.c2();
        float eps = k.eps(), stepSize = k.stepSize();
        boolean hasL2 = k.hasL2(), hasDecoupled = k.hasDecoupled(), amsgrad = k.amsgrad(), scaled = k.scaled();
        float scale = k.gradScale();
        FloatVector zero = FloatVector.zero(S);
        // w − w is 0 for a finite w and NaN otherwise: summed off the loop's critical path.
        FloatVector check = zero;
        for (int i = from; i < end; i += S.length()) {
            FloatVector wi = FloatVector.fromArray(S, w, i);
            FloatVector gi = FloatVector.fromArray(S, g, i - gShift);
            if (scaled) gi = gi.mul(scale);
            if (hasL2) gi = gi.add(wi.mul(decay));
            if (hasDecoupled) wi = wi.mul(shrink);
            FloatVector mi = FloatVector.fromArray(S, m, i).mul(b1).add(gi.mul(c1));
            FloatVector vi = FloatVector.fromArray(S, v, i).mul(b2).add(gi.mul(gi).mul(c2));
            if (flush) {
                mi = mi.blend(zero, mi.abs().lt(Float.MIN_NORMAL));
                vi = vi.blend(zero, vi.abs().lt(Float.MIN_NORMAL));
            }
            mi.intoArray(m, i);
            vi.intoArray(v, i);
            if (amsgrad) {
                vi = FloatVector.fromArray(S, vMax, i).max(vi);
                vi.intoArray(vMax, i);
            }
            FloatVector denom = vi.sqrt().add(eps);
            FloatVector out = wi.sub(mi.div(denom).mul(stepSize));
            out.intoArray(w, i);
            check = check.add(out.sub(out));
        }
        return check.test(VectorOperators.IS_NAN).anyTrue() ? -1 - end : end;
    }
}

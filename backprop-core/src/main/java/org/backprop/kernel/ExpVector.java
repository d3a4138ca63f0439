package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;

/** {@link Exp#exp} on every lane of a vector, with the same operations in the same order; loaded only when {@link Simd#VECTOR}. */
public final class ExpVector {
    private ExpVector() {}

    private static final jdk.incubator.vector.VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final FloatVector MIN_X = FloatVector.broadcast(S, Exp.MIN_X), MAX_X = FloatVector.broadcast(S, Exp.MAX_X),
            LOG2E = FloatVector.broadcast(S, Exp.LOG2E), ROUND = FloatVector.broadcast(S, Exp.ROUND),
            LN2_HI = FloatVector.broadcast(S, -Exp.LN2_HI), LN2_LO = FloatVector.broadcast(S, -Exp.LN2_LO),
            P0 = FloatVector.broadcast(S, Exp.P0), P1 = FloatVector.broadcast(S, Exp.P1), P2 = FloatVector.broadcast(S, Exp.P2),
            P3 = FloatVector.broadcast(S, Exp.P3), P4 = FloatVector.broadcast(S, Exp.P4), P5 = FloatVector.broadcast(S, Exp.P5),
            ONE = FloatVector.broadcast(S, 1f), ZERO = FloatVector.zero(S), INF = FloatVector.broadcast(S, Float.POSITIVE_INFINITY);

    /** e^x lane by lane (x of the kernels' species), each lane bit for bit {@link Exp#exp} of it. */
    public static FloatVector exp(FloatVector x) {
        FloatVector c = x.max(MIN_X).min(MAX_X); // in range for the integer part; NaN stays NaN
        FloatVector t = c.fma(LOG2E, ROUND);
        FloatVector n = t.sub(ROUND);
        FloatVector r = n.fma(LN2_HI, c);
        r = n.fma(LN2_LO, r);
        FloatVector p = P0.fma(r, P1);
        p = p.fma(r, P2);
        p = p.fma(r, P3);
        p = p.fma(r, P4);
        p = p.fma(r, P5);
        FloatVector y = p.fma(r.mul(r), r).add(ONE);
        IntVector ni = t.reinterpretAsInts().sub(Exp.ROUND_BITS);
        IntVector half = ni.lanewise(VectorOperators.ASHR, 1);
        FloatVector s1 = half.add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector s2 = ni.sub(half).add(127).lanewise(VectorOperators.LSHL, 23).reinterpretAsFloats();
        FloatVector e = y.mul(s1).mul(s2);
        e = e.blend(ZERO, x.lt(MIN_X));
        return e.blend(INF, x.compare(VectorOperators.GT, MAX_X));
    }
}

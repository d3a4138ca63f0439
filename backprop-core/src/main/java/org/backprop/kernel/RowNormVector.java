package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link RowNorm}'s vector loops: each covers the whole vectors of a row and returns where it
 * stopped, for the caller's scalar loop to finish; the sums' partial results go into the
 * caller's two-float array (a ThreadLocal cost 2% of a GPT step). Loaded only when
 * {@link Simd#VECTOR}.
 */
final class RowNormVector {
    private RowNormVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    static int sum(float[] x, int base, int d, float[] sums) {
        int bound = S.loopBound(d), j = 0;
        FloatVector s = FloatVector.zero(S);
        for (; j < bound; j += V) s = s.add(FloatVector.fromArray(S, x, base + j));
        sums[0] = SimdVector.sum(s);
        return j;
    }

    static int squares(float[] x, int base, int d, float mu, float[] sums) {
        int bound = S.loopBound(d), j = 0;
        FloatVector s = FloatVector.zero(S);
        for (; j < bound; j += V) {
            FloatVector c = FloatVector.fromArray(S, x, base + j).sub(mu);
            s = c.fma(c, s);
        }
        sums[0] = SimdVector.sum(s);
        return j;
    }

    static int output(float[] x, int base, int d, float mu, float is, float[] gamma, float[] beta, float[] y, int yo) {
        int bound = S.loopBound(d), j = 0;
        for (; j < bound; j += V) {
            FloatVector h = FloatVector.fromArray(S, x, base + j).sub(mu).mul(is);
            if (gamma != null) h = h.mul(FloatVector.fromArray(S, gamma, j));
            if (beta != null) h = h.add(FloatVector.fromArray(S, beta, j));
            h.intoArray(y, yo + j);
        }
        return j;
    }

    static int gradSums(float[] x, int base, int d, float mu, float is, float[] gamma, float[] g, int gb, float[] sums) {
        int bound = S.loopBound(d), j = 0;
        FloatVector sd = FloatVector.zero(S), sdx = FloatVector.zero(S);
        for (; j < bound; j += V) {
            FloatVector xhat = FloatVector.fromArray(S, x, base + j).sub(mu).mul(is);
            FloatVector dxhat = FloatVector.fromArray(S, g, gb + j);
            if (gamma != null) dxhat = dxhat.mul(FloatVector.fromArray(S, gamma, j));
            sd = sd.add(dxhat);
            sdx = dxhat.fma(xhat, sdx);
        }
        sums[0] = SimdVector.sum(sd);
        sums[1] = SimdVector.sum(sdx);
        return j;
    }

    static int dx(float[] x, int base, int d, float mu, float is, float[] gamma, float[] g, int gb, float a, float b,
                  float[] dx, int dxo) {
        int bound = S.loopBound(d), j = 0;
        for (; j < bound; j += V) {
            FloatVector xhat = FloatVector.fromArray(S, x, base + j).sub(mu).mul(is);
            FloatVector dxhat = FloatVector.fromArray(S, g, gb + j);
            if (gamma != null) dxhat = dxhat.mul(FloatVector.fromArray(S, gamma, j));
            dxhat.sub(a).sub(xhat.mul(b)).mul(is).intoArray(dx, dxo + j);
        }
        return j;
    }

    static int paramGrads(float[] x, int base, int d, float mu, float is, float[] g, int gb, float[] dGamma, float[] dBeta) {
        int bound = S.loopBound(d), j = 0;
        for (; j < bound; j += V) {
            FloatVector gv = FloatVector.fromArray(S, g, gb + j);
            if (dGamma != null) {
                FloatVector xhat = FloatVector.fromArray(S, x, base + j).sub(mu).mul(is);
                gv.fma(xhat, FloatVector.fromArray(S, dGamma, j)).intoArray(dGamma, j);
            }
            if (dBeta != null) gv.add(FloatVector.fromArray(S, dBeta, j)).intoArray(dBeta, j);
        }
        return j;
    }
}

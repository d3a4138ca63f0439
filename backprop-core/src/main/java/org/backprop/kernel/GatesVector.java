package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gates}' loops in Vector API form (whole vectors over the hidden units, then the scalar tail); loaded only when {@link Simd#VECTOR}. */
final class GatesVector {
    private GatesVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

    private static FloatVector tanhV(FloatVector x) {
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        return one.sub(one.mul(2f).div(ExpVector.exp(x.mul(2f)).add(1f)));
    }

    private static FloatVector sig(FloatVector x) {
        FloatVector one = FloatVector.broadcast(x.species(), 1f);
        return one.div(ExpVector.exp(x.neg()).add(1f));
    }

    private static int bound(int h) {
        return S.loopBound(h);
    }

    // ------------------------------------------------------------------ LSTM

    /**
     * One LSTM step on {@code rows} rows. {@code g} holds the pre-activations [i|f|g|o] (input and
     * hidden products plus both biases) and is overwritten with the activated gates, which the
     * backward reads; then c = f⊙c_prev + i⊙g, tc = tanh(c), h = o⊙tc.
     */
    static void lstmForward(int rows, int h, float[] g, int gOff, float[] cPrev, int cpOff,
                                   float[] c, int cOff, float[] tc, int tcOff, float[] hOut, int hOff) {
        int bound = bound(h), w = 4 * h;
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * w, gf = gi + h, gg = gf + h, go = gg + h;
            int cp = cpOff + r * h, co = cOff + r * h, to = tcOff + r * h, ho = hOff + r * h;
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector i = sig(FloatVector.fromArray(S, g, gi + j));
                FloatVector f = sig(FloatVector.fromArray(S, g, gf + j));
                FloatVector gv = tanhV(FloatVector.fromArray(S, g, gg + j));
                FloatVector o = sig(FloatVector.fromArray(S, g, go + j));
                FloatVector cn = f.mul(FloatVector.fromArray(S, cPrev, cp + j)).add(i.mul(gv));
                FloatVector t = tanhV(cn);
                i.intoArray(g, gi + j);
                f.intoArray(g, gf + j);
                gv.intoArray(g, gg + j);
                o.intoArray(g, go + j);
                cn.intoArray(c, co + j);
                t.intoArray(tc, to + j);
                o.mul(t).intoArray(hOut, ho + j);
            }
            for (; j < h; j++) {
                float i = Gates.sigmoid(g[gi + j]), f = Gates.sigmoid(g[gf + j]), gv = Gates.tanh(g[gg + j]), o = Gates.sigmoid(g[go + j]);
                float cn = f * cPrev[cp + j] + i * gv, t = Gates.tanh(cn);
                g[gi + j] = i;
                g[gf + j] = f;
                g[gg + j] = gv;
                g[go + j] = o;
                c[co + j] = cn;
                tc[to + j] = t;
                hOut[ho + j] = o * t;
            }
        }
    }

    /**
     * The backward of {@link Gates#lstmForward}: from dh (dL/dh_t) and dc (dL/dc_t, from the next step)
     * writes the pre-activation gradients dG [di|df|dg|do] and replaces dc with dL/dc_prev.
     */
    static void lstmBackward(int rows, int h, float[] g, int gOff, float[] cPrev, int cpOff, float[] tc, int tcOff,
                                    float[] dh, int dhOff, float[] dc, int dcOff, float[] dg, int dgOff) {
        int bound = bound(h), w = 4 * h;
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * w, gf = gi + h, gg = gf + h, go = gg + h;
            int di = dgOff + r * w, df = di + h, dgg = df + h, dgo = dgg + h;
            int cp = cpOff + r * h, to = tcOff + r * h, dho = dhOff + r * h, dco = dcOff + r * h;
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector i = FloatVector.fromArray(S, g, gi + j), f = FloatVector.fromArray(S, g, gf + j);
                FloatVector gv = FloatVector.fromArray(S, g, gg + j), o = FloatVector.fromArray(S, g, go + j);
                FloatVector t = FloatVector.fromArray(S, tc, to + j), dhv = FloatVector.fromArray(S, dh, dho + j);
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector dct = FloatVector.fromArray(S, dc, dco + j).add(dhv.mul(o).mul(one.sub(t.mul(t))));
                dhv.mul(t).mul(o).mul(one.sub(o)).intoArray(dg, dgo + j);
                dct.mul(gv).mul(i).mul(one.sub(i)).intoArray(dg, di + j);
                dct.mul(FloatVector.fromArray(S, cPrev, cp + j)).mul(f).mul(one.sub(f)).intoArray(dg, df + j);
                dct.mul(i).mul(one.sub(gv.mul(gv))).intoArray(dg, dgg + j);
                dct.mul(f).intoArray(dc, dco + j);
            }
            for (; j < h; j++) {
                float i = g[gi + j], f = g[gf + j], gv = g[gg + j], o = g[go + j], t = tc[to + j], dhv = dh[dho + j];
                float dct = dc[dco + j] + dhv * o * (1f - t * t);
                dg[dgo + j] = dhv * t * o * (1f - o);
                dg[di + j] = dct * gv * i * (1f - i);
                dg[df + j] = dct * cPrev[cp + j] * f * (1f - f);
                dg[dgg + j] = dct * i * (1f - gv * gv);
                dc[dco + j] = dct * f;
            }
        }
    }

    // ------------------------------------------------------------------ GRU

    /**
     * One GRU step. {@code gi} holds x·W_ihᵀ + b_ih [r|z|n] and is overwritten with the activated
     * r, z, n; {@code gh} holds h_prev·W_hhᵀ + b_hh [r|z|n]. r = σ(gi_r + gh_r), z = σ(gi_z + gh_z),
     * n = tanh(gi_n + r⊙gh_n), h = (1 − z)⊙n + z⊙h_prev. gh_n is kept in {@code hn} for the backward.
     */
    static void gruForward(int rows, int h, float[] gi, int giOff, float[] gh, int ghOff, float[] hPrev, int hpOff,
                                  float[] hn, int hnOff, float[] hOut, int hOff) {
        int bound = bound(h), w = 3 * h;
        for (int row = 0; row < rows; row++) {
            int ir = giOff + row * w, iz = ir + h, in = iz + h, hr = ghOff + row * w, hz = hr + h, hnn = hz + h;
            int hp = hpOff + row * h, so = hnOff + row * h, ho = hOff + row * h;
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector r = sig(FloatVector.fromArray(S, gi, ir + j).add(FloatVector.fromArray(S, gh, hr + j)));
                FloatVector z = sig(FloatVector.fromArray(S, gi, iz + j).add(FloatVector.fromArray(S, gh, hz + j)));
                FloatVector ghn = FloatVector.fromArray(S, gh, hnn + j);
                FloatVector n = tanhV(FloatVector.fromArray(S, gi, in + j).add(r.mul(ghn)));
                FloatVector prev = FloatVector.fromArray(S, hPrev, hp + j);
                r.intoArray(gi, ir + j);
                z.intoArray(gi, iz + j);
                n.intoArray(gi, in + j);
                ghn.intoArray(hn, so + j);
                n.add(z.mul(prev.sub(n))).intoArray(hOut, ho + j);
            }
            for (; j < h; j++) {
                float r = Gates.sigmoid(gi[ir + j] + gh[hr + j]), z = Gates.sigmoid(gi[iz + j] + gh[hz + j]), ghn = gh[hnn + j];
                float n = Gates.tanh(gi[in + j] + r * ghn);
                gi[ir + j] = r;
                gi[iz + j] = z;
                gi[in + j] = n;
                hn[so + j] = ghn;
                hOut[ho + j] = n + z * (hPrev[hp + j] - n);
            }
        }
    }

    /**
     * The backward of {@link Gates#gruForward}: from dh writes the input-side pre-activation gradients
     * dgi [dr|dz|dn], the hidden-side ones dgh [dr|dz|dn⊙r], and the direct part of dL/dh_prev
     * (z⊙dh) into {@code dhPrev}; the caller adds dgh·W_hh to it.
     */
    static void gruBackward(int rows, int h, float[] gi, int giOff, float[] hn, int hnOff, float[] hPrev, int hpOff,
                                   float[] dh, int dhOff, float[] dgi, int dgiOff, float[] dgh, int dghOff,
                                   float[] dhPrev, int dpOff) {
        int bound = bound(h), w = 3 * h;
        for (int row = 0; row < rows; row++) {
            int ir = giOff + row * w, iz = ir + h, in = iz + h;
            int dir = dgiOff + row * w, diz = dir + h, din = diz + h, dhr = dghOff + row * w, dhz = dhr + h, dhn = dhz + h;
            int so = hnOff + row * h, hp = hpOff + row * h, dho = dhOff + row * h, dpo = dpOff + row * h;
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector one = FloatVector.broadcast(S, 1f);
                FloatVector r = FloatVector.fromArray(S, gi, ir + j), z = FloatVector.fromArray(S, gi, iz + j);
                FloatVector n = FloatVector.fromArray(S, gi, in + j), d = FloatVector.fromArray(S, dh, dho + j);
                FloatVector dnPre = d.mul(one.sub(z)).mul(one.sub(n.mul(n)));
                FloatVector dzPre = d.mul(FloatVector.fromArray(S, hPrev, hp + j).sub(n)).mul(z).mul(one.sub(z));
                FloatVector drPre = dnPre.mul(FloatVector.fromArray(S, hn, so + j)).mul(r).mul(one.sub(r));
                drPre.intoArray(dgi, dir + j);
                drPre.intoArray(dgh, dhr + j);
                dzPre.intoArray(dgi, diz + j);
                dzPre.intoArray(dgh, dhz + j);
                dnPre.intoArray(dgi, din + j);
                dnPre.mul(r).intoArray(dgh, dhn + j);
                d.mul(z).intoArray(dhPrev, dpo + j);
            }
            for (; j < h; j++) {
                float r = gi[ir + j], z = gi[iz + j], n = gi[in + j], d = dh[dho + j];
                float dnPre = d * (1f - z) * (1f - n * n);
                float dzPre = d * (hPrev[hp + j] - n) * z * (1f - z);
                float drPre = dnPre * hn[so + j] * r * (1f - r);
                dgi[dir + j] = drPre;
                dgh[dhr + j] = drPre;
                dgi[diz + j] = dzPre;
                dgh[dhz + j] = dzPre;
                dgi[din + j] = dnPre;
                dgh[dhn + j] = dnPre * r;
                dhPrev[dpo + j] = d * z;
            }
        }
    }

    // ------------------------------------------------------------------ plain RNN

    /** h = tanh(pre) or relu(pre), elementwise over n values; {@code pre} is left as it was. */
    static void rnnForward(boolean relu, int n, float[] pre, int pOff, float[] hOut, int hOff) {
        int j = 0, bound = bound(n);
        for (; j < bound; j += S.length()) {
            FloatVector p = FloatVector.fromArray(S, pre, pOff + j);
            (relu ? p.max(0f) : tanhV(p)).intoArray(hOut, hOff + j);
        }
        for (; j < n; j++) {
            float p = pre[pOff + j];
            hOut[hOff + j] = relu ? (p > 0 ? p : 0f) : Gates.tanh(p);
        }
    }

    /** dpre = dh·(1 − h²) for tanh, dh·[h &gt; 0] for ReLU, from the layer's output h. */
    static void rnnBackward(boolean relu, int n, float[] hOut, int hOff, float[] dh, int dhOff, float[] dpre, int dpOff) {
        int j = 0, bound = bound(n);
        for (; j < bound; j += S.length()) {
            FloatVector y = FloatVector.fromArray(S, hOut, hOff + j), d = FloatVector.fromArray(S, dh, dhOff + j);
            FloatVector r = relu
                    ? FloatVector.zero(S).blend(d, y.compare(VectorOperators.GT, 0f))
                    : d.mul(FloatVector.broadcast(S, 1f).sub(y.mul(y)));
            r.intoArray(dpre, dpOff + j);
        }
        for (; j < n; j++) {
            float y = hOut[hOff + j], d = dh[dhOff + j];
            dpre[dpOff + j] = relu ? (y > 0 ? d : 0f) : d * (1f - y * y);
        }
    }
}

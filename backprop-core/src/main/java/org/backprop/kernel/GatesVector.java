package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** {@link Gates}' loops in Vector API form (whole vectors over the hidden units, then the scalar tail); loaded only when {@link Simd#VECTOR}. */
final class GatesVector {
    private GatesVector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;

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
            // σ on i|f, tanh on g, σ on o, then tanh(c) once c is known: one activate call site (see gruForward)
            for (int part = 0; part < 4; part++) {
                if (part == 3) {
                    int j = 0;
                    for (; j < bound; j += S.length()) {
                        FloatVector cn = FloatVector.fromArray(S, g, gf + j).mul(FloatVector.fromArray(S, cPrev, cp + j))
                                .add(FloatVector.fromArray(S, g, gi + j).mul(FloatVector.fromArray(S, g, gg + j)));
                        cn.intoArray(c, co + j);
                        cn.intoArray(tc, to + j);
                    }
                    for (; j < h; j++) tc[to + j] = c[co + j] = g[gf + j] * cPrev[cp + j] + g[gi + j] * g[gg + j];
                }
                boolean sig = part == 0 || part == 2;
                activate(part == 3 ? tc : g, part == 0 ? gi : part == 1 ? gg : part == 2 ? go : to, part == 0 ? 2 * h : h,
                        sig ? 0f : 1f, sig ? -1f : 2f, sig ? -1f : 2f);
            }
            int j = 0;
            for (; j < bound; j += S.length()) {
                FloatVector.fromArray(S, g, go + j).mul(FloatVector.fromArray(S, tc, to + j)).intoArray(hOut, ho + j);
            }
            for (; j < h; j++) hOut[ho + j] = g[go + j] * tc[to + j];
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
     *
     * <p>In passes over a row, with the activations in one {@link #activate} call site: when the
     * three gates' exps were inlined here, C2's inlining budget ran out at the third and the
     * vectors crossed a real call boxed (48 KB allocated per 64×64 step, ~1.5× the time).
     */
    static void gruForward(int rows, int h, float[] gi, int giOff, float[] gh, int ghOff, float[] hPrev, int hpOff,
                                  float[] hn, int hnOff, float[] hOut, int hOff) {
        int bound = bound(h), w = 3 * h;
        for (int pass = 0; pass < 2; pass++) {
            for (int row = 0; row < rows; row++) {
                int ir = giOff + row * w, iz = ir + h, in = iz + h, hr = ghOff + row * w, hnn = hr + 2 * h;
                int hp = hpOff + row * h, so = hnOff + row * h, ho = hOff + row * h;
                if (pass == 0) { // r|z pre-activations, 2h values side by side
                    int j = 0, bound2 = bound(2 * h);
                    for (; j < bound2; j += S.length()) {
                        FloatVector.fromArray(S, gi, ir + j).add(FloatVector.fromArray(S, gh, hr + j)).intoArray(gi, ir + j);
                    }
                    for (; j < 2 * h; j++) gi[ir + j] += gh[hr + j];
                } else { // n's pre-activation from the activated r; gh_n kept for the backward
                    int j = 0;
                    for (; j < bound; j += S.length()) {
                        FloatVector ghn = FloatVector.fromArray(S, gh, hnn + j);
                        FloatVector.fromArray(S, gi, in + j).add(FloatVector.fromArray(S, gi, ir + j).mul(ghn)).intoArray(gi, in + j);
                        ghn.intoArray(hn, so + j);
                    }
                    for (; j < h; j++) {
                        hn[so + j] = gh[hnn + j];
                        gi[in + j] = gi[in + j] + gi[ir + j] * gh[hnn + j];
                    }
                }
                boolean sig = pass == 0;
                activate(gi, sig ? ir : in, sig ? 2 * h : h, sig ? 0f : 1f, sig ? -1f : 2f, sig ? -1f : 2f);
                if (sig) continue;
                int j = 0;
                for (; j < bound; j += S.length()) {
                    FloatVector n = FloatVector.fromArray(S, gi, in + j), z = FloatVector.fromArray(S, gi, iz + j);
                    n.add(z.mul(FloatVector.fromArray(S, hPrev, hp + j).sub(n))).intoArray(hOut, ho + j);
                }
                for (; j < h; j++) hOut[ho + j] = gi[in + j] + gi[iz + j] * (hPrev[hp + j] - gi[in + j]);
            }
        }
    }

    /**
     * v = a − b/(1 + e^(c·v)) in place over {@code len} values: σ with (a, b, c) = (0, −1, −1) and
     * tanh with (1, 2, 2), bit for bit {@link Gates#sigmoid} and {@link Gates#tanh} ((−1)·x = −x,
     * (−1)/d = −(1/d) and 0 − (−q) = q are exact). It takes arrays, not vectors: where C2 leaves
     * a call to it un-inlined, nothing is boxed.
     */
    private static void activate(float[] v, int off, int len, float a, float b, float c) {
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        int j = 0, bound = bound(len);
        for (; j < bound; j += S.length()) {
            FloatVector x = FloatVector.fromArray(S, v, off + j);
            av.sub(bv.div(ExpVector.exp(x.mul(cv)).add(1f))).intoArray(v, off + j);
        }
        for (; j < len; j++) v[off + j] = a - b / (1f + Exp.exp(c * v[off + j]));
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
        if (!relu) {
            System.arraycopy(pre, pOff, hOut, hOff, n);
            activate(hOut, hOff, n, 1f, 2f, 2f);
            return;
        }
        int j = 0, bound = bound(n);
        for (; j < bound; j += S.length()) FloatVector.fromArray(S, pre, pOff + j).max(0f).intoArray(hOut, hOff + j);
        for (; j < n; j++) hOut[hOff + j] = pre[pOff + j] > 0 ? pre[pOff + j] : 0f;
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

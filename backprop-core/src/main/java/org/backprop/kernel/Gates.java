package org.backprop.kernel;

/**
 * The gate arithmetic of one time step of the recurrent layers (LSTM, GRU, tanh/ReLU RNN),
 * forward and backward, on a block of rows (batch entries) laid out row-major. The matrix
 * products around it (input and hidden projections) are {@link Gemm} calls made by the layer;
 * these loops do everything elementwise in one pass per row, vectorised over the hidden units.
 *
 * <p>σ(x) = 1/(1 + e^(−x)) and tanh(x) = 1 − 2/(1 + e^(2x)) on {@link Exp}, the same bits in every lane and tail (both
 * saturate correctly at ±∞), in {@link GatesVector}; the scalar tail and the scalar path here
 * ({@code backprop.vectorBits=0}, or no Vector API) use the same formulas in float. Gate layouts are PyTorch's: LSTM [i | f | g | o], GRU [r | z | n],
 * each block {@code h} wide.
 */
public final class Gates {
    private Gates() {}

    static float sigmoid(float x) {
        return 1f / (1f + Exp.exp(-x));
    }

    static float tanh(float x) {
        return 1f - 2f / (1f + Exp.exp(2f * x));
    }

    // ------------------------------------------------------------------ LSTM

    /**
     * One LSTM step on {@code rows} rows. {@code g} holds the pre-activations [i|f|g|o] (input and
     * hidden products plus both biases) and is overwritten with the activated gates, which the
     * backward reads; then c = f⊙c_prev + i⊙g, tc = tanh(c), h = o⊙tc.
     */
    public static void lstmForward(int rows, int h, float[] g, int gOff, float[] cPrev, int cpOff,
                                   float[] c, int cOff, float[] tc, int tcOff, float[] hOut, int hOff) {
        if (Simd.VECTOR) {
            GatesVector.lstmForward(rows, h, g, gOff, cPrev, cpOff, c, cOff, tc, tcOff, hOut, hOff);
            return;
        }
        int w = 4 * h;
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * w, gf = gi + h, gg = gf + h, go = gg + h;
            int cp = cpOff + r * h, co = cOff + r * h, to = tcOff + r * h, ho = hOff + r * h;
            int j = 0;
            for (; j < h; j++) {
                float i = sigmoid(g[gi + j]), f = sigmoid(g[gf + j]), gv = tanh(g[gg + j]), o = sigmoid(g[go + j]);
                float cn = f * cPrev[cp + j] + i * gv, t = tanh(cn);
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
     * The backward of {@link #lstmForward}: from dh (dL/dh_t) and dc (dL/dc_t, from the next step)
     * writes the pre-activation gradients dG [di|df|dg|do] and replaces dc with dL/dc_prev.
     */
    public static void lstmBackward(int rows, int h, float[] g, int gOff, float[] cPrev, int cpOff, float[] tc, int tcOff,
                                    float[] dh, int dhOff, float[] dc, int dcOff, float[] dg, int dgOff) {
        if (Simd.VECTOR) {
            GatesVector.lstmBackward(rows, h, g, gOff, cPrev, cpOff, tc, tcOff, dh, dhOff, dc, dcOff, dg, dgOff);
            return;
        }
        int w = 4 * h;
        for (int r = 0; r < rows; r++) {
            int gi = gOff + r * w, gf = gi + h, gg = gf + h, go = gg + h;
            int di = dgOff + r * w, df = di + h, dgg = df + h, dgo = dgg + h;
            int cp = cpOff + r * h, to = tcOff + r * h, dho = dhOff + r * h, dco = dcOff + r * h;
            int j = 0;
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
    public static void gruForward(int rows, int h, float[] gi, int giOff, float[] gh, int ghOff, float[] hPrev, int hpOff,
                                  float[] hn, int hnOff, float[] hOut, int hOff) {
        if (Simd.VECTOR) {
            GatesVector.gruForward(rows, h, gi, giOff, gh, ghOff, hPrev, hpOff, hn, hnOff, hOut, hOff);
            return;
        }
        int w = 3 * h;
        for (int row = 0; row < rows; row++) {
            int ir = giOff + row * w, iz = ir + h, in = iz + h, hr = ghOff + row * w, hz = hr + h, hnn = hz + h;
            int hp = hpOff + row * h, so = hnOff + row * h, ho = hOff + row * h;
            int j = 0;
            for (; j < h; j++) {
                float r = sigmoid(gi[ir + j] + gh[hr + j]), z = sigmoid(gi[iz + j] + gh[hz + j]), ghn = gh[hnn + j];
                float n = tanh(gi[in + j] + r * ghn);
                gi[ir + j] = r;
                gi[iz + j] = z;
                gi[in + j] = n;
                hn[so + j] = ghn;
                hOut[ho + j] = n + z * (hPrev[hp + j] - n);
            }
        }
    }

    /**
     * The backward of {@link #gruForward}: from dh writes the input-side pre-activation gradients
     * dgi [dr|dz|dn], the hidden-side ones dgh [dr|dz|dn⊙r], and the direct part of dL/dh_prev
     * (z⊙dh) into {@code dhPrev}; the caller adds dgh·W_hh to it.
     */
    public static void gruBackward(int rows, int h, float[] gi, int giOff, float[] hn, int hnOff, float[] hPrev, int hpOff,
                                   float[] dh, int dhOff, float[] dgi, int dgiOff, float[] dgh, int dghOff,
                                   float[] dhPrev, int dpOff) {
        if (Simd.VECTOR) {
            GatesVector.gruBackward(rows, h, gi, giOff, hn, hnOff, hPrev, hpOff, dh, dhOff, dgi, dgiOff, dgh, dghOff, dhPrev, dpOff);
            return;
        }
        int w = 3 * h;
        for (int row = 0; row < rows; row++) {
            int ir = giOff + row * w, iz = ir + h, in = iz + h;
            int dir = dgiOff + row * w, diz = dir + h, din = diz + h, dhr = dghOff + row * w, dhz = dhr + h, dhn = dhz + h;
            int so = hnOff + row * h, hp = hpOff + row * h, dho = dhOff + row * h, dpo = dpOff + row * h;
            int j = 0;
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
    public static void rnnForward(boolean relu, int n, float[] pre, int pOff, float[] hOut, int hOff) {
        if (Simd.VECTOR) {
            GatesVector.rnnForward(relu, n, pre, pOff, hOut, hOff);
            return;
        }
        int j = 0;
        for (; j < n; j++) {
            float p = pre[pOff + j];
            hOut[hOff + j] = relu ? (p > 0 ? p : 0f) : tanh(p);
        }
    }

    /** dpre = dh·(1 − h²) for tanh, dh·[h &gt; 0] for ReLU, from the layer's output h. */
    public static void rnnBackward(boolean relu, int n, float[] hOut, int hOff, float[] dh, int dhOff, float[] dpre, int dpOff) {
        if (Simd.VECTOR) {
            GatesVector.rnnBackward(relu, n, hOut, hOff, dh, dhOff, dpre, dpOff);
            return;
        }
        int j = 0;
        for (; j < n; j++) {
            float y = hOut[hOff + j], d = dh[dhOff + j];
            dpre[dpOff + j] = relu ? (y > 0 ? d : 0f) : d * (1f - y * y);
        }
    }
}

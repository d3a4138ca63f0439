package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * {@link Gates}' forward steps on every path (whole vectors, the scalar tail, {@code backprop.vectorBits=0})
 * give bit for bit the plain formulas on {@link Gates#sigmoid} and {@link Gates#tanh}, for widths
 * with and without a tail and for pre-activations far into saturation.
 */
class GatesTest {
    @Test
    void gruForwardIsTheScalarFormulaBitForBit() {
        SplittableRandom rng = new SplittableRandom(3);
        for (int h : new int[] {64, 21, 5, 1}) {
            int rows = 3, w = 3 * h;
            float[] gi = new float[rows * w], gh = new float[rows * w], hPrev = new float[rows * h];
            for (int i = 0; i < gi.length; i++) {
                double scale = i % 7 == 0 ? 100 : 4; // some far into saturation, where exp under- or overflows
                gi[i] = (float) (rng.nextDouble(-1, 1) * scale);
                gh[i] = (float) (rng.nextDouble(-1, 1) * scale);
            }
            for (int i = 0; i < hPrev.length; i++) hPrev[i] = (float) rng.nextDouble(-1, 1);
            float[] g = gi.clone(), hn = new float[rows * h], hOut = new float[rows * h];
            Gates.gruForward(rows, h, g, 0, gh, 0, hPrev, 0, hn, 0, hOut, 0);
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < h; j++) {
                    int r = row * w + j, z = r + h, n = z + h, o = row * h + j;
                    float rv = Gates.sigmoid(gi[r] + gh[r]), zv = Gates.sigmoid(gi[z] + gh[z]);
                    float nv = Gates.tanh(gi[n] + rv * gh[n]);
                    String at = "h " + h + ", row " + row + ", unit " + j;
                    assertEquals(Float.floatToIntBits(rv), Float.floatToIntBits(g[r]), "r at " + at);
                    assertEquals(Float.floatToIntBits(zv), Float.floatToIntBits(g[z]), "z at " + at);
                    assertEquals(Float.floatToIntBits(nv), Float.floatToIntBits(g[n]), "n at " + at);
                    assertEquals(Float.floatToIntBits(gh[n]), Float.floatToIntBits(hn[o]), "kept gh_n at " + at);
                    assertEquals(Float.floatToIntBits(nv + zv * (hPrev[o] - nv)), Float.floatToIntBits(hOut[o]), "h at " + at);
                }
            }
        }
    }

    @Test
    void lstmAndRnnForwardAreTheScalarFormulasBitForBit() {
        SplittableRandom rng = new SplittableRandom(5);
        for (int h : new int[] {64, 21, 5, 1}) {
            int rows = 3, w = 4 * h;
            float[] pre = new float[rows * w], cPrev = new float[rows * h];
            for (int i = 0; i < pre.length; i++) pre[i] = (float) (rng.nextDouble(-1, 1) * (i % 7 == 0 ? 100 : 4));
            for (int i = 0; i < cPrev.length; i++) cPrev[i] = (float) rng.nextDouble(-3, 3);
            float[] g = pre.clone(), c = new float[rows * h], tc = new float[rows * h], hOut = new float[rows * h];
            Gates.lstmForward(rows, h, g, 0, cPrev, 0, c, 0, tc, 0, hOut, 0);
            float[] rnn = new float[pre.length];
            Gates.rnnForward(false, pre.length, pre, 0, rnn, 0);
            for (int row = 0; row < rows; row++) {
                for (int j = 0; j < h; j++) {
                    int i = row * w + j, f = i + h, gg = f + h, o = gg + h, u = row * h + j;
                    float iv = Gates.sigmoid(pre[i]), fv = Gates.sigmoid(pre[f]), gv = Gates.tanh(pre[gg]), ov = Gates.sigmoid(pre[o]);
                    float cv = fv * cPrev[u] + iv * gv, tv = Gates.tanh(cv);
                    String at = "h " + h + ", row " + row + ", unit " + j;
                    assertEquals(Float.floatToIntBits(iv), Float.floatToIntBits(g[i]), "i at " + at);
                    assertEquals(Float.floatToIntBits(fv), Float.floatToIntBits(g[f]), "f at " + at);
                    assertEquals(Float.floatToIntBits(gv), Float.floatToIntBits(g[gg]), "g at " + at);
                    assertEquals(Float.floatToIntBits(ov), Float.floatToIntBits(g[o]), "o at " + at);
                    assertEquals(Float.floatToIntBits(cv), Float.floatToIntBits(c[u]), "c at " + at);
                    assertEquals(Float.floatToIntBits(tv), Float.floatToIntBits(tc[u]), "tanh c at " + at);
                    assertEquals(Float.floatToIntBits(ov * tv), Float.floatToIntBits(hOut[u]), "h at " + at);
                }
            }
            for (int i = 0; i < pre.length; i++) {
                assertEquals(Float.floatToIntBits(Gates.tanh(pre[i])), Float.floatToIntBits(rnn[i]), "rnn tanh at " + i);
            }
        }
    }
}

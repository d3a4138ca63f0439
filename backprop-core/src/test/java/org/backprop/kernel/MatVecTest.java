package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class MatVecTest {

    private static float[] random(Random rng, int n) {
        float[] v = new float[n];
        for (int i = 0; i < v.length; i++) v[i] = rng.nextFloat() * 2 - 1;
        return v;
    }

    /** The promised order: (old y) + b, then one fused multiply-add per input in order. */
    private static float inOrder(float start, float[] x, int xo, float[] w, int wo, int stride, int k) {
        float s = start;
        for (int i = 0; i < k; i++) s = Math.fma(x[xo + i], w[wo + i * stride], s);
        return s;
    }

    /** Sizes around the panel width (4 vectors) and its tail, at every vector width the build runs with. */
    private static final int[][] SHAPES = {{384, 128}, {128, 512}, {65, 128}, {1, 1}, {17, 3}, {48, 16}, {11, 16}, {130, 7}};

    @Test
    void productsHaveTheBitsOfTheInOrderSumWithBiasOffsetsAndAccumulation() {
        Random rng = new Random(1);
        for (int[] sh : SHAPES) {
            int out = sh[0], in = sh[1];
            float[] w = random(rng, 5 + out * in), x = random(rng, 2 + in), b = random(rng, 3 + out);
            MatVec.Packed p = MatVec.pack(w, 5, out, in);
            for (boolean acc : new boolean[] {false, true}) {
                for (boolean bias : new boolean[] {false, true}) {
                    float[] y = random(rng, 4 + out + 2), y0 = y.clone();
                    MatVec.multiply(p, x, 2, bias ? b : null, 3, y, 4, acc);
                    for (int j = 0; j < out; j++) {
                        float start = (acc ? y0[4 + j] : 0f) + (bias ? b[3 + j] : 0f);
                        // W[j, i] sits at 5 + j·in + i
                        assertEquals(inOrder(start, x, 2, w, 5 + j * in, 1, in), y[4 + j], 0f, out + "x" + in + " output " + j);
                    }
                    for (int j : new int[] {0, 1, 2, 3, 4 + out, 5 + out}) assertEquals(y0[j], y[j], 0f, "outside y untouched");
                }
            }
        }
    }

    @Test
    void manyRowsGiveEachRowTheBitsOfItsOwnProduct() {
        Random rng = new Random(2);
        for (int[] sh : SHAPES) {
            int out = sh[0], in = sh[1], rows = 5, ldx = in + 3, ldy = out + 2;
            MatVec.Packed p = MatVec.pack(random(rng, out * in), 0, out, in);
            float[] x = random(rng, 1 + rows * ldx), b = random(rng, out), y = random(rng, rows * ldy), y0 = y.clone();
            MatVec.multiplyRows(p, rows, x, 1, ldx, b, 0, y, 0, ldy, true);
            for (int r = 0; r < rows; r++) {
                float[] one = java.util.Arrays.copyOfRange(y0, r * ldy, r * ldy + out);
                MatVec.multiply(p, x, 1 + r * ldx, b, 0, one, 0, true);
                for (int j = 0; j < out; j++) assertEquals(one[j], y[r * ldy + j], 0f, "row " + r + ", output " + j);
            }
        }
    }

    @Test
    void combineRowsHasTheBitsOfTheInOrderSum() {
        Random rng = new Random(3);
        int[][] shapes = {{32, 64}, {32, 1}, {32, 47}, {64, 32}, {1, 32}, {7, 5}, {0, 9}};
        for (int[] sh : shapes) {
            int k = sh[0], n = sh[1], lda = n + 6;
            float[] x = random(rng, 3 + k), a = random(rng, 2 + k * lda), y = random(rng, 1 + n + 1), y0 = y.clone();
            MatVec.combineRows(x, 3, k, a, 2, lda, n, y, 1);
            for (int j = 0; j < n; j++) assertEquals(inOrder(0f, x, 3, a, 2 + j, lda, k), y[1 + j], 0f, k + "x" + n + " column " + j);
            assertEquals(y0[0], y[0], 0f);
            assertEquals(y0[n + 1], y[n + 1], 0f);
        }
    }

    @Test
    void shortArraysAreRefused() {
        MatVec.Packed p = MatVec.pack(new float[12], 0, 3, 4);
        assertThrows(IllegalArgumentException.class, () -> MatVec.pack(new float[11], 0, 3, 4));
        assertThrows(IllegalArgumentException.class, () -> MatVec.multiply(p, new float[3], 0, null, 0, new float[3], 0, false));
        assertThrows(IllegalArgumentException.class, () -> MatVec.multiply(p, new float[4], 0, null, 0, new float[2], 0, false));
        assertThrows(IllegalArgumentException.class, () -> MatVec.multiply(p, new float[4], 0, new float[2], 0, new float[3], 0, false));
        assertThrows(IllegalArgumentException.class, () -> MatVec.combineRows(new float[2], 0, 2, new float[5], 0, 3, 3, new float[3], 0));
    }
}

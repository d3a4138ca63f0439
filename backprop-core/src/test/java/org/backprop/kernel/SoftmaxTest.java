package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class SoftmaxTest {
    @Test
    void rowsOfEveryLengthMatchTheFormula() {
        Random rng = new Random(3);
        for (int n = 1; n <= 70; n++) { // every tail length of 8 and 16 lanes
            float[] s = new float[n + 2];
            for (int j = 0; j < s.length; j++) s[j] = (float) rng.nextGaussian() * 4;
            float[] before = s.clone();
            Softmax.row(s, 1, n);
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 1; j <= n; j++) max = Math.max(max, before[j]);
            double sum = 0;
            for (int j = 1; j <= n; j++) sum += Math.exp(before[j] - max);
            for (int j = 1; j <= n; j++) {
                assertEquals(Math.exp(before[j] - max) / sum, s[j], 1e-6, "n=" + n + " j=" + j);
            }
            assertEquals(before[0], s[0], 0f, "untouched before the row");
            assertEquals(before[n + 1], s[n + 1], 0f, "untouched after the row");
        }
    }

    @Test
    void backwardRowIsTheSoftmaxJacobianTimesTheGradient() {
        Random rng = new Random(4);
        for (int n = 1; n <= 70; n++) {
            float[] p = new float[n + 1], ds = new float[n + 3];
            for (int j = 0; j < ds.length; j++) ds[j] = (float) rng.nextGaussian();
            float[] logits = new float[n];
            for (int j = 0; j < n; j++) logits[j] = (float) rng.nextGaussian();
            System.arraycopy(logits, 0, p, 1, n);
            Softmax.row(p, 1, n);
            float[] g = ds.clone();
            float scale = 0.25f;
            Softmax.backwardRow(p, 1, ds, 2, n, scale);
            double dot = 0;
            for (int j = 0; j < n; j++) dot += (double) g[2 + j] * p[1 + j];
            for (int j = 0; j < n; j++) {
                assertEquals(p[1 + j] * (g[2 + j] - dot) * scale, ds[2 + j], 1e-6, "n=" + n + " j=" + j);
            }
            assertEquals(g[0], ds[0], 0f);
            assertEquals(g[1], ds[1], 0f);
            assertEquals(g[n + 2], ds[n + 2], 0f);
        }
    }

    @Test
    void transposeCopiesEveryElementScaledWithTilesAndEdges() {
        Random rng = new Random(5);
        for (int[] rc : new int[][] {{64, 32}, {17, 33}, {5, 3}, {32, 16}, {40, 24}}) {
            int rows = rc[0], cols = rc[1], lda = cols + 7, ldo = rows + 3;
            float[] a = new float[2 + rows * lda];
            for (int i = 0; i < a.length; i++) a[i] = (float) rng.nextGaussian();
            float[] out = new float[1 + cols * ldo];
            float scale = 0.17677669f;
            Transpose.scaled(a, 2, lda, rows, cols, scale, out, 1, ldo);
            for (int r = 0; r < rows; r++) {
                for (int c = 0; c < cols; c++) {
                    assertEquals(a[2 + r * lda + c] * scale, out[1 + c * ldo + r], 0f, rows + "x" + cols + " (" + r + ", " + c + ")");
                }
            }
        }
    }
}

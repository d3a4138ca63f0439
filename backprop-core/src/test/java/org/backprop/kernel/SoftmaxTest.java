package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
            // with scratch room past the row: the same bits in the row, nothing written past the room
            float[] roomy = new float[n + 40];
            System.arraycopy(before, 0, roomy, 0, n + 1);
            for (int j = n + 1; j < roomy.length; j++) roomy[j] = 90f + j; // scores whose exps overflow: must not leak in
            int room = n + 17;
            Softmax.row(roomy, 1, n, room);
            for (int j = 1; j <= n; j++) assertEquals(s[j], roomy[j], 0f, "n=" + n + " j=" + j + " with room");
            for (int j = 1 + room; j < roomy.length; j++) assertEquals(90f + j, roomy[j], 0f, "past the room");
        }
        assertThrows(IllegalArgumentException.class, () -> Softmax.row(new float[8], 0, 5, 4));
    }

    @Test
    void backwardRowIsTheSoftmaxJacobianTimesTheGradient() {
        Random rng = new Random(4);
        for (int n = 1; n <= 70; n++) {
            int room = n + 9; // past n: p = 0 and ds finite, as attention's masked keys
            float[] p = new float[room + 1], ds = new float[room + 3];
            for (int j = 0; j < ds.length; j++) ds[j] = (float) rng.nextGaussian();
            float[] logits = new float[n];
            for (int j = 0; j < n; j++) logits[j] = (float) rng.nextGaussian();
            System.arraycopy(logits, 0, p, 1, n);
            Softmax.row(p, 1, n);
            float[] g = ds.clone();
            float scale = 0.25f;
            Softmax.backwardRow(p, 1, ds, 2, n, room, scale);
            double dot = 0;
            for (int j = 0; j < n; j++) dot += (double) g[2 + j] * p[1 + j];
            for (int j = 0; j < n; j++) {
                assertEquals(p[1 + j] * (g[2 + j] - dot) * scale, ds[2 + j], 1e-6, "n=" + n + " j=" + j);
            }
            assertEquals(g[0], ds[0], 0f);
            assertEquals(g[1], ds[1], 0f);
            for (int j = n; j < room; j++) {
                assertTrue(ds[2 + j] == 0f || ds[2 + j] == g[2 + j], "past the row: zero (p = 0) or untouched, " + ds[2 + j]);
            }
            assertEquals(g[room + 2], ds[room + 2], 0f, "past the room: untouched");
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

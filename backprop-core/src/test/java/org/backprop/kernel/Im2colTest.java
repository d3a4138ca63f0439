package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.shape.Window2d;
import org.junit.jupiter.api.Test;

class Im2colTest {

    /** Column entry (row, oy, ox) by the definition: the input pixel the window reads, 0 in the padding. */
    private static float[] naiveIm2col(float[] x, int c, int h, int w, Window2d win) {
        int oh = win.outHeight(h), ow = win.outWidth(w), l = oh * ow;
        float[] cols = new float[c * win.kh() * win.kw() * l];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < win.kh(); i++)
                for (int j = 0; j < win.kw(); j++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++) {
                            int iy = oy * win.sh() - win.ph() + i * win.dh(), ix = ox * win.sw() - win.pw() + j * win.dw();
                            int row = (ch * win.kh() + i) * win.kw() + j;
                            cols[row * l + oy * ow + ox] = iy < 0 || iy >= h || ix < 0 || ix >= w ? 0f : x[(ch * h + iy) * w + ix];
                        }
        return cols;
    }

    /** The adjoint by the definition, in double. */
    private static double[] naiveCol2im(float[] cols, int c, int h, int w, Window2d win) {
        int oh = win.outHeight(h), ow = win.outWidth(w), l = oh * ow;
        double[] dx = new double[c * h * w];
        for (int ch = 0; ch < c; ch++)
            for (int i = 0; i < win.kh(); i++)
                for (int j = 0; j < win.kw(); j++)
                    for (int oy = 0; oy < oh; oy++)
                        for (int ox = 0; ox < ow; ox++) {
                            int iy = oy * win.sh() - win.ph() + i * win.dh(), ix = ox * win.sw() - win.pw() + j * win.dw();
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            dx[(ch * h + iy) * w + ix] += cols[((ch * win.kh() + i) * win.kw() + j) * l + oy * ow + ox];
                        }
        return dx;
    }

    @Test
    void bothDirectionsMatchTheDefinitionIncludingSizeKeepingWindows() {
        Random rng = new Random(3);
        Window2d[] windows = {
            Window2d.of(3, 1, 1), Window2d.of(5, 1, 2), new Window2d(3, 1, 1, 1, 1, 0, 1, 1), // keep the size
            Window2d.of(3), Window2d.of(3, 2, 1), Window2d.of(3, 1, 2, 2), Window2d.of(5, 1, 1),
            Window2d.of(5)}; // LeNet's second layer: rows of 10 of 14 pixels, copied as whole vectors
        int[][] sizes = {{14, 14}, {7, 7}, {1, 1}, {2, 5}, {6, 1}, {9, 4}};
        for (Window2d win : windows) {
            for (int[] hw : sizes) {
                int c = 3, h = hw[0], w = hw[1];
                if (win.outHeight(h) < 1 || win.outWidth(w) < 1) continue;
                float[] x = new float[c * h * w + 4];
                for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat() - 0.5f;
                float[] img = java.util.Arrays.copyOfRange(x, 2, 2 + c * h * w);
                float[] expected = naiveIm2col(img, c, h, w, win);
                int l = win.outHeight(h) * win.outWidth(w), ld = l + 3;
                // offsets and a wider leading dimension, as a chunk of several images uses
                float[] cols = new float[5 + expected.length / l * ld];
                java.util.Arrays.fill(cols, Float.NaN);
                Im2col.im2col(x, 2, c, h, w, win, cols, 5, ld);
                for (int r = 0; r < expected.length / l; r++) {
                    for (int q = 0; q < l; q++) {
                        assertEquals(expected[r * l + q], cols[5 + r * ld + q], win + " " + h + "×" + w + " row " + r);
                    }
                    for (int q = l; q < ld && 5 + r * ld + q < cols.length; q++) { // another image's cells: untouched
                        assertTrue(Float.isNaN(cols[5 + r * ld + q]), win + " " + h + "×" + w + " wrote past row " + r);
                    }
                }
                for (int q = 0; q < 5; q++) assertTrue(Float.isNaN(cols[q]), "wrote before the column matrix");

                float[] g = new float[cols.length];
                for (int i = 0; i < g.length; i++) g[i] = rng.nextFloat() - 0.5f;
                float[] gDense = new float[expected.length];
                for (int r = 0; r < expected.length / l; r++) System.arraycopy(g, 5 + r * ld, gDense, r * l, l);
                double[] want = naiveCol2im(gDense, c, h, w, win);
                float[] dx = new float[c * h * w + 1];
                dx[0] = 7f; // untouched before the image
                Im2col.col2im(g, 5, ld, c, h, w, win, dx, 1);
                assertEquals(7f, dx[0]);
                for (int i = 0; i < want.length; i++) assertEquals(want[i], dx[1 + i], 1e-5, win + " " + h + "×" + w + " pixel " + i);
            }
        }
    }

    @Test
    void col2imAddsOntoWhatIsThere() {
        Window2d win = Window2d.of(3, 1, 1);
        float[] cols = new float[9 * 16];
        java.util.Arrays.fill(cols, 1f);
        float[] dx = new float[16];
        java.util.Arrays.fill(dx, 100f);
        Im2col.col2im(cols, 0, 16, 1, 4, 4, win, dx, 0);
        // a corner pixel is read by 4 windows, an edge pixel by 6, an inner one by 9
        assertArrayEquals(new float[] {104, 106, 106, 104, 106, 109, 109, 106, 106, 109, 109, 106, 104, 106, 106, 104}, dx);
    }
}

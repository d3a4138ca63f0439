package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The vector 2×2 pooling against the scalar rule (first cell in row-major order that strictly
 * beats those before it; a NaN beats any number), on odd sizes, offsets, ties and NaNs. Skipped
 * where the vector form does not run (then callers take their scalar loop).
 */
class MaxPool2x2Test {
    private static final int[][] SIZES = {{2, 2}, {2, 18}, {5, 7}, {7, 33}, {14, 14}, {28, 28}, {9, 65}, {4, 100}, {3, 38}};

    /** The scalar rule: winning cell per window. */
    private static void reference(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo) {
        int oh = h / 2, ow = w / 2;
        for (int oy = 0; oy < oh; oy++) {
            for (int ox = 0; ox < ow; ox++) {
                int top = xo + 2 * oy * w + 2 * ox;
                float[] v = {x[top], x[top + 1], x[top + w], x[top + w + 1]};
                int best = 0;
                for (int k = 1; k < 4; k++) {
                    boolean beats = !Float.isNaN(v[best]) && (Float.isNaN(v[k]) || v[k] > v[best]);
                    if (beats) best = k;
                }
                out[oo + oy * ow + ox] = v[best];
                cell[oo + oy * ow + ox] = (byte) best;
            }
        }
    }

    @Test
    void forwardAndBackwardMatchTheScalarRule() {
        assumeTrue(MaxPool2x2.available(), "no vector form on this machine or with backprop.vectorBits");
        Random rng = new Random(5);
        for (int[] size : SIZES) {
            int h = size[0], w = size[1], outs = (h / 2) * (w / 2);
            for (int xo : new int[] {0, 3}) {
                int oo = xo == 0 ? 0 : 2;
                float[] x = new float[xo + h * w];
                for (int i = 0; i < x.length; i++) {
                    int r = rng.nextInt(20);
                    x[i] = r == 0 ? Float.NaN : r < 5 ? 1f : (float) rng.nextGaussian(); // NaNs and ties
                }
                float[] out = new float[oo + outs], expected = new float[oo + outs];
                byte[] cell = new byte[oo + outs], expectedCell = new byte[oo + outs];
                MaxPool2x2.forward(x, xo, h, w, out, cell, oo);
                reference(x, xo, h, w, expected, expectedCell, oo);
                String at = h + "×" + w + " at " + xo;
                assertArrayEquals(expectedCell, cell, at);
                assertArrayEquals(expected, out, at); // NaN equals NaN here

                float[] g = new float[oo + outs];
                for (int i = 0; i < g.length; i++) g[i] = (float) rng.nextGaussian();
                float[] dx = new float[xo + h * w + 2], expectedDx = new float[dx.length];
                Arrays.fill(dx, 7f);
                Arrays.fill(expectedDx, 7f); // cells outside every window (odd edges) are left alone
                for (int oy = 0; oy < h / 2; oy++) {
                    for (int ox = 0; ox < w / 2; ox++) {
                        int top = xo + 2 * oy * w + 2 * ox, o = oo + oy * (w / 2) + ox;
                        int[] cells = {top, top + 1, top + w, top + w + 1};
                        for (int k = 0; k < 4; k++) expectedDx[cells[k]] = k == expectedCell[o] ? g[o] : 0f;
                    }
                }
                MaxPool2x2.backward(g, oo, cell, oo, h, w, dx, xo);
                assertArrayEquals(expectedDx, dx, "backward " + at);
            }
        }
    }
}

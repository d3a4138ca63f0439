package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Batch norm's per-plane loops against plain scalar loops, on odd lengths and offsets (vector tails and misalignment). */
class PlaneOpsTest {
    private static final int[] LENGTHS = {1, 3, 7, 8, 17, 33, 100, 257};
    private static final int[] OFFSETS = {0, 1, 5};

    private static float[] random(Random rng, int n, float center) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = center + (float) rng.nextGaussian();
        return a;
    }

    @Test
    void sumsMatchTheScalarLoops() {
        Random rng = new Random(3);
        for (int len : LENGTHS) {
            for (int off : OFFSETS) {
                float[] x = random(rng, off + len + 3, 4f), g = random(rng, off + len + 3, 0f);
                float mean = 4.25f;
                double sum = 0, sq = 0, sg = 0, sgx = 0;
                for (int i = off; i < off + len; i++) {
                    sum += x[i];
                    sq += (double) (x[i] - mean) * (x[i] - mean);
                    sg += g[i];
                    sgx += (double) g[i] * (x[i] - mean);
                }
                String at = "len " + len + " off " + off;
                assertEquals(sum, PlaneOps.sum(x, off, len), 1e-5 * (1 + Math.abs(sum)), at);
                assertEquals(sq, PlaneOps.sumSquaredDeviations(x, off, len, mean), 1e-5 * (1 + sq), at);
                double[] sums = {0.5, -0.25}; // added into, not overwritten
                PlaneOps.gradientSums(g, off, x, off, len, mean, sums);
                assertEquals(0.5 + sg, sums[0], 1e-5 * (1 + Math.abs(sg)), at);
                assertEquals(-0.25 + sgx, sums[1], 1e-5 * (1 + Math.abs(sgx)), at);
            }
        }
    }

    @Test
    void affineFormsMatchTheScalarLoopsAndTouchOnlyTheirRange() {
        Random rng = new Random(4);
        for (int len : LENGTHS) {
            for (int off : OFFSETS) {
                int n = off + len + 3;
                float[] x = random(rng, n, 2f), g = random(rng, n, 0f);
                float center = 1.5f, a = 0.75f, b = -0.5f, c = 0.125f;
                float[] y = new float[n], z = new float[n];
                java.util.Arrays.fill(y, 99f);
                java.util.Arrays.fill(z, 99f);
                PlaneOps.affine(x, off, y, off, len, center, a, b);
                PlaneOps.affine2(g, off, x, off, z, off, len, center, a, b, c);
                for (int i = 0; i < n; i++) {
                    boolean in = i >= off && i < off + len;
                    float ey = in ? (x[i] - center) * a + b : 99f;
                    float ez = in ? g[i] * a + ((x[i] - center) * b + c) : 99f;
                    assertEquals(ey, y[i], 1e-6f * (1 + Math.abs(ey)), "affine len " + len + " off " + off + " i " + i);
                    assertEquals(ez, z[i], 1e-6f * (1 + Math.abs(ez)), "affine2 len " + len + " off " + off + " i " + i);
                }
            }
        }
    }

    @Test
    void reluFormsKeepTheBitsOfTheTensorRelu() {
        Random rng = new Random(5);
        for (int len : LENGTHS) {
            for (int off : OFFSETS) {
                int n = off + len + 3;
                float[] x = random(rng, n, 0f), g = random(rng, n, 0f);
                x[off] = -0f;
                if (len > 1) x[off + 1] = Float.NaN;
                if (len > 2) g[off + 2] = Float.NaN;
                float[] y = x.clone(), masked = new float[n];
                java.util.Arrays.fill(masked, 99f);
                PlaneOps.relu(y, off, len);
                PlaneOps.reluMask(g, off, y, off, masked, off, len);
                for (int i = 0; i < n; i++) {
                    boolean in = i >= off && i < off + len;
                    float ey = in ? (x[i] > 0 ? x[i] : 0f) : x[i];
                    float em = in ? g[i] * (ey > 0 ? 1f : 0f) : 99f;
                    assertEquals(Float.floatToRawIntBits(ey), Float.floatToRawIntBits(y[i]), "relu len " + len + " off " + off + " i " + i);
                    assertEquals(Float.floatToRawIntBits(em), Float.floatToRawIntBits(masked[i]), "reluMask len " + len + " off " + off + " i " + i);
                }
            }
        }
    }
}

package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RowNorm against the formulas in double, at widths with and without a scalar tail (this class
 * runs again at 256 bits and with the scalar paths, as every kernel test does), and independent
 * of how rows are split over threads.
 */
class RowNormTest {
    private static final int ROWS = 5;
    private static final float EPS = 1e-5f;

    @ParameterizedTest
    @ValueSource(ints = {1, 7, 37, 128})
    void forwardBackwardAndParameterGradientsMatchTheFormulas(int d) {
        Random rng = new Random(d);
        float[] x = randoms(rng, ROWS * d + 3, 2f), g = randoms(rng, ROWS * d + 1, 1f);
        float[] gamma = randoms(rng, d, 1f), beta = randoms(rng, d, 1f);
        int xo = 3, go = 1; // offsets, as views into larger arrays pass them
        float[] y = new float[ROWS * d], mean = new float[ROWS], invStd = new float[ROWS], dx = new float[ROWS * d];
        float[] dGamma = new float[d], dBeta = new float[d];
        RowNorm.forward(0, ROWS, d, EPS, x, xo, gamma, beta, y, mean, invStd);
        RowNorm.backward(0, ROWS, d, x, xo, gamma, g, go, mean, invStd, dx);
        RowNorm.paramGrads(ROWS, d, x, xo, g, go, mean, invStd, dGamma, dBeta);

        double[] refDGamma = new double[d], refDBeta = new double[d];
        for (int r = 0; r < ROWS; r++) {
            double mu = 0, var = 0;
            for (int j = 0; j < d; j++) mu += x[xo + r * d + j];
            mu /= d;
            for (int j = 0; j < d; j++) var += Math.pow(x[xo + r * d + j] - mu, 2);
            double is = 1 / Math.sqrt(var / d + EPS), sumD = 0, sumDX = 0;
            double[] xhat = new double[d], dxhat = new double[d];
            for (int j = 0; j < d; j++) {
                xhat[j] = (x[xo + r * d + j] - mu) * is;
                dxhat[j] = g[go + r * d + j] * gamma[j];
                sumD += dxhat[j];
                sumDX += dxhat[j] * xhat[j];
                assertEquals(xhat[j] * gamma[j] + beta[j], y[r * d + j], 1e-5, "y[" + r + "," + j + "]");
                refDGamma[j] += g[go + r * d + j] * xhat[j];
                refDBeta[j] += g[go + r * d + j];
            }
            assertEquals(mu, mean[r], 1e-6, "mean of row " + r);
            for (int j = 0; j < d; j++) {
                double expected = is * (dxhat[j] - sumD / d - xhat[j] * sumDX / d);
                assertEquals(expected, dx[r * d + j], 1e-4 * Math.max(1, Math.abs(expected)), "dx[" + r + "," + j + "]");
            }
        }
        for (int j = 0; j < d; j++) {
            assertEquals(refDGamma[j], dGamma[j], 1e-5 * Math.max(1, Math.abs(refDGamma[j])), "dγ[" + j + "]");
            assertEquals(refDBeta[j], dBeta[j], 1e-5 * Math.max(1, Math.abs(refDBeta[j])), "dβ[" + j + "]");
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {37, 128})
    void rowsSplitOverThreadsGiveTheSameBits(int d) {
        Random rng = new Random(7);
        float[] x = randoms(rng, ROWS * d, 3f), g = randoms(rng, ROWS * d, 1f), gamma = randoms(rng, d, 1f);
        float[] whole = new float[ROWS * d], parts = new float[ROWS * d];
        float[] mean = new float[ROWS], invStd = new float[ROWS], mean2 = new float[ROWS], invStd2 = new float[ROWS];
        RowNorm.forward(0, ROWS, d, EPS, x, 0, gamma, null, whole, mean, invStd);
        RowNorm.forward(0, 2, d, EPS, x, 0, gamma, null, parts, mean2, invStd2);
        RowNorm.forward(2, ROWS, d, EPS, x, 0, gamma, null, parts, mean2, invStd2);
        assertArrayEquals(whole, parts);
        float[] dxWhole = new float[ROWS * d], dxParts = new float[ROWS * d];
        RowNorm.backward(0, ROWS, d, x, 0, gamma, g, 0, mean, invStd, dxWhole);
        RowNorm.backward(0, 3, d, x, 0, gamma, g, 0, mean2, invStd2, dxParts);
        RowNorm.backward(3, ROWS, d, x, 0, gamma, g, 0, mean2, invStd2, dxParts);
        assertArrayEquals(dxWhole, dxParts);
    }

    private static float[] randoms(Random rng, int n, float scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) a[i] = (float) rng.nextGaussian() * scale + 0.5f;
        return a;
    }
}

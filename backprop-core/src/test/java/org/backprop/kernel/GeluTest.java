package org.backprop.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GeluTest {
    /** Φ in double from erf's Taylor series (converges fast for the |x| ≤ 9 used here, in double). */
    private static double cdf(double x) {
        double z = x / Math.sqrt(2), term = z, sum = z;
        for (int n = 1; n < 200; n++) {
            term *= -z * z / n;
            sum += term / (2 * n + 1);
        }
        return 0.5 * (1 + 2 / Math.sqrt(Math.PI) * sum);
    }

    @Test
    void valuesAndDerivativesMatchTheExactFormulaOnVectorAndScalarLanes() {
        int n = 1001; // not a multiple of any vector width: the scalar tail runs too
        float[] x = new float[n], y = new float[n], g = new float[n], dx = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = -6f + 12f * i / (n - 1);
            g[i] = 1f;
        }
        Gelu.forward(x, 0, y, 0, n);
        Gelu.backward(x, 0, g, 0, dx, n);
        for (int i = 0; i < n; i++) {
            double phi = Math.exp(-0.5 * x[i] * x[i]) / Math.sqrt(2 * Math.PI);
            assertEquals(x[i] * cdf(x[i]), y[i], 1e-6 * Math.max(1, Math.abs(x[i])), "gelu(" + x[i] + ")");
            assertEquals(cdf(x[i]) + x[i] * phi, dx[i], 1e-6 * Math.max(1, Math.abs(x[i])), "gelu'(" + x[i] + ")");
        }
        float[] big = {-100f, 100f, Float.NaN};
        float[] out = new float[3];
        Gelu.forward(big, 0, out, 0, 3);
        assertEquals(-0f, out[0], 0f);
        assertEquals(100f, out[1]);
        assertEquals(Float.NaN, out[2]);
    }

    @Test
    void forwardWithSlopeGivesTheBitsOfForwardAndBackward() {
        int n = 1003;
        float[] x = new float[n], ones = new float[n], y = new float[n], dx = new float[n], y2 = new float[n + 1], slope = new float[n + 2];
        java.util.Random r = new java.util.Random(3);
        for (int i = 0; i < n; i++) {
            x[i] = (float) (r.nextGaussian() * 3);
            ones[i] = 1f;
        }
        Gelu.forward(x, 0, y, 0, n);
        Gelu.backward(x, 0, ones, 0, dx, n);
        Gelu.forwardWithSlope(x, 0, y2, 1, slope, 2, n);
        for (int i = 0; i < n; i++) {
            assertEquals(Float.floatToRawIntBits(y[i]), Float.floatToRawIntBits(y2[i + 1]), "gelu(" + x[i] + ")");
            assertEquals(Float.floatToRawIntBits(dx[i]), Float.floatToRawIntBits(slope[i + 2]), "gelu'(" + x[i] + ")");
        }
    }
}

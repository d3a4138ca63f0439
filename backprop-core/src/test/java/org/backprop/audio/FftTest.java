package org.backprop.audio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class FftTest {
    /** Radix-2 sizes and Bluestein sizes (odd, prime, even non-powers of two) against the O(n²) sum. */
    @ParameterizedTest
    @ValueSource(ints = {1, 2, 4, 8, 256, 1024, 3, 5, 7, 15, 97, 100, 255, 257, 1000})
    void matchesDirectDft(int n) {
        Random rng = new Random(n);
        double[] re = new double[n], im = new double[n];
        for (int i = 0; i < n; i++) {
            re[i] = rng.nextGaussian();
            im[i] = rng.nextGaussian();
        }
        double[] wantRe = new double[n], wantIm = new double[n];
        for (int k = 0; k < n; k++) {
            for (int t = 0; t < n; t++) {
                double a = -2 * Math.PI * ((long) k * t % n) / n;
                wantRe[k] += re[t] * Math.cos(a) - im[t] * Math.sin(a);
                wantIm[k] += re[t] * Math.sin(a) + im[t] * Math.cos(a);
            }
        }
        new Fft(n).transform(re, im);
        double tol = 1e-9 * Math.sqrt(n) * Math.log(n + 1) + 1e-12;
        for (int k = 0; k < n; k++) {
            assertEquals(wantRe[k], re[k], tol, "re[" + k + "] of n=" + n);
            assertEquals(wantIm[k], im[k], tol, "im[" + k + "] of n=" + n);
        }
    }

    @Test
    void pureToneLandsInItsBin() {
        int n = 64;
        double[] re = new double[n], im = new double[n];
        for (int t = 0; t < n; t++) re[t] = Math.cos(2 * Math.PI * 5 * t / n);
        new Fft(n).transform(re, im);
        for (int k = 0; k < n; k++) {
            double mag = Math.hypot(re[k], im[k]);
            assertEquals(k == 5 || k == n - 5 ? n / 2.0 : 0, mag, 1e-9, "bin " + k);
        }
    }

    @Test
    void refusesBadSizes() {
        assertThrows(IllegalArgumentException.class, () -> new Fft(0));
        assertThrows(IllegalArgumentException.class, () -> new Fft(8).transform(new double[4], new double[8]));
    }
}

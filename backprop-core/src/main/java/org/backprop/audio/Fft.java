package org.backprop.audio;

/**
 * The discrete Fourier transform X[k] = Σ x[t]·e^(−2πi·kt/n), in double precision, for any n ≥ 1.
 *
 * <p>A power of two runs the iterative radix-2 algorithm on twiddles computed once per plan; any
 * other size goes through Bluestein's chirp-z identity (kt = (k² + t² − (k−t)²)/2), which turns the
 * transform into a convolution carried out by power-of-two transforms of size ≥ 2n − 1. Our own
 * rather than a library's: the log-mel features need one 256-point transform a frame, and the
 * Maven Central FFT libraries (JTransforms and the like) bring far more than that.
 *
 * <p>A plan holds scratch space, so one plan must not be used by two threads at once.
 */
public final class Fft {
    private final int n;
    private final double[] cos, sin;  // radix-2: e^(−2πi·j/n) for j < n/2
    private final int[] reverse;      // radix-2: bit-reversal permutation
    private final Fft inner;          // Bluestein: the power-of-two transform of the convolution
    private final double[] chirpRe, chirpIm, filterRe, filterIm, workRe, workIm;

    /** A plan for transforms of {@code n} points. */
    public Fft(int n) {
        if (n < 1) throw new IllegalArgumentException("FFT size must be at least 1, got " + n);
        this.n = n;
        if (Integer.bitCount(n) == 1) {
            cos = new double[n / 2];
            sin = new double[n / 2];
            for (int j = 0; j < n / 2; j++) {
                double a = -2 * Math.PI * j / n;
                cos[j] = Math.cos(a);
                sin[j] = Math.sin(a);
            }
            reverse = new int[n];
            int bits = Integer.numberOfTrailingZeros(n);
            for (int i = 0; i < n; i++) reverse[i] = bits == 0 ? 0 : Integer.reverse(i) >>> (32 - bits);
            inner = null;
            chirpRe = chirpIm = filterRe = filterIm = workRe = workIm = null;
        } else {
            cos = sin = null;
            reverse = null;
            int m = Integer.highestOneBit(2 * n - 1) << 1;
            inner = new Fft(m);
            chirpRe = new double[n];
            chirpIm = new double[n];
            for (int t = 0; t < n; t++) {
                // e^(−πi·t²/n); t² mod 2n keeps the angle exact for large t
                double a = -Math.PI * (double) ((long) t * t % (2L * n)) / n;
                chirpRe[t] = Math.cos(a);
                chirpIm[t] = Math.sin(a);
            }
            filterRe = new double[m];
            filterIm = new double[m];
            filterRe[0] = 1;
            for (int t = 1; t < n; t++) { // conj(chirp) at ±t, wrapped around
                filterRe[t] = filterRe[m - t] = chirpRe[t];
                filterIm[t] = filterIm[m - t] = -chirpIm[t];
            }
            inner.transform(filterRe, filterIm);
            workRe = new double[m];
            workIm = new double[m];
        }
    }

    /** The transform's size. */
    public int size() {
        return n;
    }

    /** Transforms {@code re + i·im} (each of length {@link #size()}) in place. */
    public void transform(double[] re, double[] im) {
        if (re.length != n || im.length != n) {
            throw new IllegalArgumentException("FFT of size " + n + " given arrays of " + re.length + " and " + im.length);
        }
        if (inner == null) radix2(re, im);
        else bluestein(re, im);
    }

    private void radix2(double[] re, double[] im) {
        for (int i = 0; i < n; i++) {
            int j = reverse[i];
            if (j > i) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1, step = n / len;
            for (int start = 0; start < n; start += len) {
                for (int k = 0; k < half; k++) {
                    double wr = cos[k * step], wi = sin[k * step];
                    int a = start + k, b = a + half;
                    double xr = re[b] * wr - im[b] * wi, xi = re[b] * wi + im[b] * wr;
                    re[b] = re[a] - xr;
                    im[b] = im[a] - xi;
                    re[a] += xr;
                    im[a] += xi;
                }
            }
        }
    }

    private void bluestein(double[] re, double[] im) {
        int m = workRe.length;
        java.util.Arrays.fill(workRe, 0);
        java.util.Arrays.fill(workIm, 0);
        for (int t = 0; t < n; t++) { // x·chirp
            workRe[t] = re[t] * chirpRe[t] - im[t] * chirpIm[t];
            workIm[t] = re[t] * chirpIm[t] + im[t] * chirpRe[t];
        }
        inner.transform(workRe, workIm);
        for (int i = 0; i < m; i++) { // multiply by the filter's transform, then invert by conjugation
            double r = workRe[i] * filterRe[i] - workIm[i] * filterIm[i];
            double s = workRe[i] * filterIm[i] + workIm[i] * filterRe[i];
            workRe[i] = r;
            workIm[i] = -s;
        }
        inner.transform(workRe, workIm);
        for (int k = 0; k < n; k++) { // conj(...)/m, then ·chirp
            double r = workRe[k] / m, s = -workIm[k] / m;
            re[k] = r * chirpRe[k] - s * chirpIm[k];
            im[k] = r * chirpIm[k] + s * chirpRe[k];
        }
    }
}

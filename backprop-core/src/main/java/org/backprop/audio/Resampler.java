package org.backprop.audio;

/**
 * Band-limited resampling by a windowed sinc: each output sample is the input's convolution with
 * a low-pass kernel centred on the output instant, so a recording at 44.1 or 48 kHz can meet a
 * model trained at 8 kHz. The cut-off is the lower of the two Nyquist frequencies (anything the
 * output cannot represent is removed rather than folded back as aliasing), the kernel spans
 * {@value #ZERO_CROSSINGS} zero crossings of the sinc on each side, tapered by a Blackman window.
 */
public final class Resampler {
    static final int ZERO_CROSSINGS = 16;

    private Resampler() {}

    /** {@code x} at {@code fromRate} samples a second, resampled to {@code toRate}: floor(n·to/from) samples. */
    public static float[] resample(float[] x, int fromRate, int toRate) {
        if (fromRate <= 0 || toRate <= 0) throw new IllegalArgumentException("sample rates must be positive: " + fromRate + " -> " + toRate);
        if (fromRate == toRate) return x.clone();
        int n = (int) ((long) x.length * toRate / fromRate);
        float[] out = new float[n];
        double cutoff = Math.min(1.0, (double) toRate / fromRate); // in units of the input's Nyquist frequency
        double half = ZERO_CROSSINGS / cutoff;                     // kernel half-width in input samples
        for (int j = 0; j < n; j++) {
            double t = (double) j * fromRate / toRate;
            int lo = Math.max(0, (int) Math.ceil(t - half)), hi = Math.min(x.length - 1, (int) Math.floor(t + half));
            double sum = 0;
            for (int i = lo; i <= hi; i++) {
                double d = t - i;
                sum += x[i] * cutoff * sinc(cutoff * d) * blackman(d / half);
            }
            out[j] = (float) sum;
        }
        return out;
    }

    private static double sinc(double x) {
        if (x == 0) return 1;
        double px = Math.PI * x;
        return Math.sin(px) / px;
    }

    /** The Blackman window on [-1, 1], 1 at the centre, 0 at the ends. */
    private static double blackman(double u) {
        if (Math.abs(u) >= 1) return 0;
        double a = Math.PI * (u + 1);
        return 0.42 - 0.5 * Math.cos(a) + 0.08 * Math.cos(2 * a);
    }
}

package org.backprop.audio;

/**
 * Log-mel spectrogram settings and their computation: a recording is fitted into a fixed window
 * (right-aligned: zeros in front of a short one, a long one keeps its end), cut into frames, each
 * frame multiplied by a periodic Hann window and transformed, its power spectrum |X|² pooled by
 * triangular filters equally spaced on the HTK mel scale (2595·log10(1 + f/700)), and the log of
 * each filter's energy plus {@code logFloor} taken.
 *
 * <p>{@link #FSDD} reproduces {@code torch_fsdd.py}, the PyTorch peer benchmark, exactly: 8 kHz,
 * a 1 s window of 8000 samples, frames of 256 every 80 (100 frames, frame t covering
 * [80t, 80t + 256), the tail zero-padded), 40 filters from 0 to 4000 Hz, log(x + 10⁻⁶). The
 * spectrogram is computed in double and returned as floats, bands × frames row-major.
 *
 * @param sampleRate    samples a second the settings assume (other recordings are resampled)
 * @param windowSamples the fixed window a recording is right-aligned into
 * @param frameLength   samples a frame, the FFT size
 * @param hop           samples between frame starts
 * @param frames        frames a spectrogram has
 * @param mels          mel filters (bands)
 * @param minHz         the lowest filter's left edge
 * @param maxHz         the highest filter's right edge, at most sampleRate / 2
 * @param logFloor      added before the log, so silence gives log(logFloor) rather than −∞
 */
public record LogMel(int sampleRate, int windowSamples, int frameLength, int hop, int frames, int mels,
        double minHz, double maxHz, double logFloor) {

    /** The settings of the PyTorch peer benchmark on the Free Spoken Digit Dataset. */
    public static final LogMel FSDD = new LogMel(8000, 8000, 256, 80, 100, 40, 0, 4000, 1e-6);

    public LogMel {
        positive(sampleRate, "sample rate");
        positive(windowSamples, "window samples");
        positive(frameLength, "frame length");
        positive(hop, "hop");
        positive(frames, "frames");
        positive(mels, "mel bands");
        if (!(minHz >= 0 && minHz < maxHz && maxHz <= sampleRate / 2.0)) {
            throw new IllegalArgumentException("log-mel: need 0 <= minHz < maxHz <= sampleRate/2, got " + minHz + ", "
                    + maxHz + " at " + sampleRate + " Hz");
        }
        if (!(logFloor > 0 && Double.isFinite(logFloor))) throw new IllegalArgumentException("log-mel: logFloor must be positive, got " + logFloor);
        if ((long) (frames - 1) * hop + frameLength > 1 << 26 || windowSamples > 1 << 26 || frameLength > 1 << 16) {
            throw new IllegalArgumentException("log-mel: window, frames or frame length implausibly large");
        }
    }

    private static void positive(int v, String what) {
        if (v < 1) throw new IllegalArgumentException("log-mel: " + what + " must be positive, got " + v);
    }

    /** Values in one spectrogram: mels × frames. */
    public int size() {
        return mels * frames;
    }

    /** Power-spectrum bins a frame: frameLength / 2 + 1. */
    public int bins() {
        return frameLength / 2 + 1;
    }

    static double hzToMel(double hz) {
        return 2595 * Math.log10(1 + hz / 700);
    }

    static double melToHz(double mel) {
        return 700 * (Math.pow(10, mel / 2595) - 1);
    }

    /**
     * The filter bank, [mels][bins]: mels + 2 points equally spaced in mel from minHz to maxHz;
     * filter m rises from point m to m + 1 and falls to m + 2, peak 1, evaluated at bin k's
     * frequency k·sampleRate/frameLength.
     */
    public double[][] filters() {
        double lo = hzToMel(minHz), hi = hzToMel(maxHz);
        double[] pts = new double[mels + 2];
        double step = (hi - lo) / (mels + 1);
        for (int i = 0; i < pts.length; i++) pts[i] = melToHz(i == mels + 1 ? hi : lo + i * step); // as numpy's linspace
        double[][] fb = new double[mels][bins()];
        for (int m = 0; m < mels; m++) {
            double l = pts[m], c = pts[m + 1], r = pts[m + 2];
            boolean any = false;
            for (int k = 0; k < bins(); k++) {
                double f = (double) k * sampleRate / frameLength;
                fb[m][k] = Math.max(0, Math.min((f - l) / (c - l), (r - f) / (r - c)));
                any |= fb[m][k] > 0;
            }
            if (!any) {
                throw new IllegalArgumentException("log-mel: filter " + m + " (" + Math.round(l) + "–" + Math.round(r)
                        + " Hz) covers no FFT bin; use fewer bands or longer frames");
            }
        }
        return fb;
    }

    /** The periodic Hann window 0.5 − 0.5·cos(2πt/N), t < N. */
    double[] hann() {
        double[] w = new double[frameLength];
        for (int t = 0; t < frameLength; t++) w[t] = 0.5 - 0.5 * Math.cos(2 * Math.PI * t / frameLength);
        return w;
    }

    /** A calculator for these settings; it keeps scratch space, so use one a thread. */
    public Calculator calculator() {
        return new Calculator();
    }

    /** Computes spectrograms with precomputed window, filters and FFT plan. */
    public final class Calculator {
        private final double[] window = hann();
        private final double[][] fb = filters();
        private final int[] first = new int[mels], last = new int[mels]; // each filter's non-zero bins
        private final Fft fft = new Fft(frameLength);
        private final double[] padded = new double[Math.max(windowSamples, (frames - 1) * hop + frameLength)];
        private final double[] re = new double[frameLength], im = new double[frameLength], power = new double[bins()];

        private Calculator() {
            for (int m = 0; m < mels; m++) {
                int a = 0, b = bins() - 1;
                while (fb[m][a] == 0) a++;
                while (fb[m][b] == 0) b--;
                first[m] = a;
                last[m] = b;
            }
        }

        /** The settings this calculator applies. */
        public LogMel settings() {
            return LogMel.this;
        }

        /** The log-mel spectrogram of {@code samples} (at {@link #sampleRate()}), mels × frames row-major. */
        public float[] compute(float[] samples) {
            float[] out = new float[size()];
            compute(samples, out, 0);
            return out;
        }

        /** As {@link #compute(float[])}, into {@code out} from {@code offset}. */
        public void compute(float[] samples, float[] out, int offset) {
            java.util.Arrays.fill(padded, 0);
            int keep = Math.min(samples.length, windowSamples);
            for (int i = 0; i < keep; i++) padded[windowSamples - keep + i] = samples[samples.length - keep + i];
            for (int t = 0; t < frames; t++) {
                int start = t * hop;
                for (int i = 0; i < frameLength; i++) {
                    re[i] = start + i < padded.length ? padded[start + i] * window[i] : 0;
                    im[i] = 0;
                }
                fft.transform(re, im);
                for (int k = 0; k < power.length; k++) power[k] = re[k] * re[k] + im[k] * im[k];
                for (int m = 0; m < mels; m++) {
                    double e = 0;
                    for (int k = first[m]; k <= last[m]; k++) e += power[k] * fb[m][k];
                    out[offset + m * frames + t] = (float) Math.log(e + logFloor);
                }
            }
        }
    }
}

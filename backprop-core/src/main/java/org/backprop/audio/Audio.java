package org.backprop.audio;

/**
 * Mono audio: samples in [-1, 1] (floating-point recordings may exceed it) at {@code sampleRate}
 * samples a second.
 *
 * @param samples    the samples, one channel (stereo is averaged on reading)
 * @param sampleRate samples a second
 * @param format     how the file stored them, e.g. {@code "PCM 16-bit stereo 44100 Hz"}, for messages
 */
public record Audio(float[] samples, int sampleRate, String format) {
    public Audio {
        if (sampleRate <= 0) throw new IllegalArgumentException("sample rate must be positive, got " + sampleRate);
    }

    /** Duration in seconds. */
    public double seconds() {
        return samples.length / (double) sampleRate;
    }

    /** This audio at {@code rate} samples a second ({@link Resampler}); itself when the rate already matches. */
    public Audio resampled(int rate) {
        if (rate == sampleRate) return this;
        return new Audio(Resampler.resample(samples, sampleRate, rate), rate, format + " resampled to " + rate + " Hz");
    }
}

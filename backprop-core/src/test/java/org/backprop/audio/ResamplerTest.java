package org.backprop.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ResamplerTest {
    private static float[] tone(int n, double freq, int rate) {
        float[] x = new float[n];
        for (int t = 0; t < n; t++) x[t] = (float) (0.5 * Math.sin(2 * Math.PI * freq * t / rate));
        return x;
    }

    /** Largest absolute value away from the edges, where the kernel runs off the recording. */
    private static double peak(float[] x, int margin) {
        double m = 0;
        for (int i = margin; i < x.length - margin; i++) m = Math.max(m, Math.abs(x[i]));
        return m;
    }

    @Test
    void downsampledToneMatchesToneAtTheNewRate() {
        for (int from : new int[] {44100, 48000, 16000, 11025}) {
            int n = from / 4; // 0.25 s
            float[] y = Resampler.resample(tone(n, 440, from), from, 8000);
            assertEquals((long) n * 8000 / from, y.length, "from " + from + ": floor(n·to/from) samples");
            float[] want = tone(2000, 440, 8000);
            for (int j = 200; j < 1800; j++) assertEquals(want[j], y[j], 2e-3, "from " + from + ", sample " + j);
        }
    }

    @Test
    void upsampledToneMatchesToo() {
        float[] y = Resampler.resample(tone(4000, 300, 4000), 4000, 8000);
        assertEquals(8000, y.length);
        float[] want = tone(8000, 300, 8000);
        for (int j = 200; j < 7800; j++) assertEquals(want[j], y[j], 2e-3, "sample " + j);
    }

    /** A 6 kHz tone cannot exist at 8 kHz: it is filtered out, not folded back to 2 kHz. */
    @Test
    void removesWhatTheNewRateCannotHold() {
        float[] y = Resampler.resample(tone(12000, 6000, 48000), 48000, 8000);
        assertTrue(peak(y, 200) < 0.01, "aliased 6 kHz tone left a peak of " + peak(y, 200));
    }

    @Test
    void sameRateIsACopy() {
        float[] x = tone(100, 440, 8000);
        assertArrayEquals(x, Resampler.resample(x, 8000, 8000));
    }
}

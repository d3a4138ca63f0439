package org.backprop.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SpecAugmentTest {
    private static final int N = 50, MELS = 12, FRAMES = 30;

    /** Every cell a distinct positive value, so a masked cell (0) can be told from a kept one. */
    private static float[] values() {
        float[] v = new float[N * MELS * FRAMES];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        return v;
    }

    /** Whether cell (band, frame) of recording i is masked in an IMAGE batch. */
    private static boolean masked(float[] out, int i, int band, int frame) {
        return out[(i * MELS + band) * FRAMES + frame] == 0f;
    }

    @Test
    void masksWholeBandsAndWholeFramesWithinTheWidthsAndKeepsTheRest() {
        SpecAugment aug = new SpecAugment(AudioFeatures.Layout.IMAGE, 1, 4, 1, 6);
        float[] in = values();
        Tensor x = Tensor.wrap(in.clone(), N, 1, MELS, FRAMES);
        float[] out = aug.apply(x, new SplittableRandom(7)).toFloatArray();
        assertArrayEquals(in, x.toFloatArray(), "the batch itself is left as it is");
        int someMasked = 0;
        for (int i = 0; i < N; i++) {
            // a band is masked where every frame is 0; a frame where every band is 0
            boolean[] band = new boolean[MELS], frame = new boolean[FRAMES];
            for (int b = 0; b < MELS; b++) {
                band[b] = true;
                for (int t = 0; t < FRAMES; t++) band[b] &= masked(out, i, b, t);
            }
            for (int t = 0; t < FRAMES; t++) {
                frame[t] = true;
                for (int b = 0; b < MELS; b++) frame[t] &= masked(out, i, b, t);
            }
            assertTrue(run(band) <= 4, "at most one run of up to 4 bands");
            assertTrue(run(frame) <= 6, "at most one run of up to 6 frames");
            for (int b = 0; b < MELS; b++) {
                for (int t = 0; t < FRAMES; t++) {
                    int at = (i * MELS + b) * FRAMES + t;
                    assertEquals(band[b] || frame[t] ? 0f : in[at], out[at], "cell " + i + "," + b + "," + t);
                }
            }
            if (run(band) + run(frame) > 0) someMasked++;
        }
        assertTrue(someMasked > N / 2, "most recordings get a mask: " + someMasked);
    }

    /** The number of true cells, failing unless they form one contiguous run. */
    private static int run(boolean[] m) {
        int first = -1, count = 0;
        for (int k = 0; k < m.length; k++) {
            if (!m[k]) continue;
            if (first < 0) first = k;
            assertEquals(first + count, k, "masked cells form one run");
            count++;
        }
        return count;
    }

    @Test
    void aSequenceBatchGetsTheSameMasksAsTheImageBatchTransposed() {
        float[] image = values(), seq = new float[image.length];
        for (int i = 0; i < N; i++) {
            for (int b = 0; b < MELS; b++) {
                for (int t = 0; t < FRAMES; t++) seq[(i * FRAMES + t) * MELS + b] = image[(i * MELS + b) * FRAMES + t];
            }
        }
        float[] a = SpecAugment.standard(AudioFeatures.Layout.IMAGE).apply(Tensor.wrap(image, N, 1, MELS, FRAMES),
                new SplittableRandom(3)).toFloatArray();
        float[] s = SpecAugment.standard(AudioFeatures.Layout.SEQUENCE).apply(Tensor.wrap(seq, N, FRAMES, MELS),
                new SplittableRandom(3)).toFloatArray();
        for (int i = 0; i < N; i++) {
            for (int b = 0; b < MELS; b++) {
                for (int t = 0; t < FRAMES; t++) {
                    assertEquals(a[(i * MELS + b) * FRAMES + t], s[(i * FRAMES + t) * MELS + b]);
                }
            }
        }
    }

    @Test
    void theSameSeedGivesTheSameBitsAndAnotherSeedOtherMasks() {
        SpecAugment aug = SpecAugment.standard(AudioFeatures.Layout.IMAGE);
        Tensor x = Tensor.wrap(values(), N, 1, MELS, FRAMES);
        float[] a = aug.apply(x, new SplittableRandom(11)).toFloatArray();
        assertArrayEquals(a, aug.apply(x, new SplittableRandom(11)).toFloatArray());
        assertFalse(java.util.Arrays.equals(a, aug.apply(x, new SplittableRandom(12)).toFloatArray()));
    }

    @Test
    void noMasksChangeNothingAndMasksWiderThanTheSpectrogramStayInside() {
        Tensor x = Tensor.wrap(values(), N, 1, MELS, FRAMES);
        assertArrayEquals(values(), new SpecAugment(AudioFeatures.Layout.IMAGE, 0, 5, 3, 0)
                .apply(x, new SplittableRandom(1)).toFloatArray());
        float[] all = new SpecAugment(AudioFeatures.Layout.IMAGE, 3, 1000, 0, 0).apply(x, new SplittableRandom(1)).toFloatArray();
        assertEquals(all.length, values().length);
    }

    @Test
    void aBatchOfTheWrongShapeOrBadSettingsGetOneClearError() {
        SpecAugment image = SpecAugment.standard(AudioFeatures.Layout.IMAGE);
        var e = assertThrows(IllegalArgumentException.class,
                () -> image.apply(Tensor.wrap(values(), N, FRAMES, MELS), new SplittableRandom(1)));
        assertTrue(e.getMessage().contains("[N, 1, mels, frames]"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new SpecAugment(AudioFeatures.Layout.IMAGE, -1, 5, 1, 5));
        assertThrows(IllegalArgumentException.class, () -> new SpecAugment(null, 1, 5, 1, 5));
    }
}

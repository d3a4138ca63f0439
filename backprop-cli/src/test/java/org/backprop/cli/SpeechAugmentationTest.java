package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.SpecAugment;
import org.backprop.data.BatchTransform;
import org.backprop.data.ImageAugmentation;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class SpeechAugmentationTest {

    @Test
    void autoIsEachRecipesAugmentationAndNoneIsNothing() {
        assertEquals(new ImageAugmentation(2, false), Speech.augmentation("auto", "cnn"));
        assertEquals(Speech.GRU_AUGMENT.equals("mask") ? SpecAugment.standard(AudioFeatures.Layout.SEQUENCE) : null,
                Speech.augmentation("auto", "gru"));
        assertNull(Speech.augmentation("none", "cnn"));
        assertEquals(SpecAugment.standard(AudioFeatures.Layout.SEQUENCE), Speech.augmentation("mask", "GRU"));
        assertEquals(new ImageAugmentation(3, false), Speech.augmentation("shift=3", "cnn"));
    }

    @Test
    void shiftAndMaskShiftFirstThenMaskFromTheSameGenerator() {
        float[] v = new float[4 * 40 * 100];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        Tensor x = Tensor.wrap(v, 4, 1, 40, 100);
        BatchTransform both = Speech.augmentation(" shift , mask ", "cnn");
        assertEquals("shift ±2 px, masks of 1 × up to 5 bands and 1 × up to 10 frames", both.toString());
        SplittableRandom r = new SplittableRandom(5);
        float[] expected = SpecAugment.standard(AudioFeatures.Layout.IMAGE)
                .apply(new ImageAugmentation(2, false).apply(x, r), r).toFloatArray();
        assertArrayEquals(expected, both.apply(x, new SplittableRandom(5)).toFloatArray());
    }

    @Test
    void badListsGetOneLineErrors() {
        var e = assertThrows(IllegalArgumentException.class, () -> Speech.augmentation("flip", "cnn"));
        assertTrue(e.getMessage().contains("takes auto, none, or a list of shift, shift=N and mask; not 'flip'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Speech.augmentation("shift=-1", "cnn"));
        assertTrue(e.getMessage().contains("shift=N takes a whole number"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Speech.augmentation("mask,shift", "gru"));
        assertTrue(e.getMessage().contains("--model gru reads sequences of frames"), e.getMessage());
    }
}

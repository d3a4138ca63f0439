package org.backprop.io;


import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A speech model keeps its feature settings and band statistics in the model file. */
class AudioModelFileTest {
    @TempDir
    Path dir;

    private static AudioFeatures features() {
        float[] mean = new float[40], std = new float[40];
        for (int b = 0; b < 40; b++) {
            mean[b] = -4 + 0.1f * b;
            std[b] = 2 - 0.01f * b;
        }
        return new AudioFeatures(LogMel.FSDD, AudioFeatures.Layout.IMAGE, mean, std);
    }

    @Test
    void featuresSurviveSaveAndLoad() throws Exception {
        Sequential cnn = Models.fsddCnn(new Random(1));
        assertEquals(61_802, cnn.parameterCount());
        Path file = dir.resolve("model.safetensors");
        ModelFile.save(file, cnn, List.of(1, 40, 100), Preprocessing.none(), Map.of(ModelFile.AUDIO_KEY, features().toJson()));
        ModelFile.SavedModel saved = ModelFile.load(file);
        assertEquals(features(), AudioFeatures.of(saved, file));
        ModelFile.save(file, cnn, List.of(1, 40, 100), Preprocessing.none(), Map.of());
        assertEquals(null, AudioFeatures.of(ModelFile.load(file), file), "not a speech model");
        assertEquals(List.of(1, 40, 100), saved.architecture().inputShape());
    }

    @Test
    void damagedFeaturesAreRefusedOnSaveAndLoad() throws Exception {
        Sequential cnn = Models.fsddCnn(new Random(1));
        Path file = dir.resolve("bad.safetensors");
        String bad = features().toJson().replace("\"frames\":100", "\"frames\":-1");
        ModelFile.save(file, cnn, List.of(1, 40, 100), Preprocessing.none(), Map.of(ModelFile.AUDIO_KEY, bad));
        ModelFile.SavedModel saved = ModelFile.load(file);
        ModelFileException e = assertThrows(ModelFileException.class, () -> AudioFeatures.of(saved, file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("frames must be positive"), e.getMessage());
        // Features for sequences beside a network that takes images.
        AudioFeatures f = features();
        String seq = new AudioFeatures(f.logMel(), AudioFeatures.Layout.SEQUENCE, f.bandMeans(), f.bandStds()).toJson();
        ModelFile.save(file, cnn, List.of(1, 40, 100), Preprocessing.none(), Map.of(ModelFile.AUDIO_KEY, seq));
        e = assertThrows(ModelFileException.class, () -> AudioFeatures.of(ModelFile.load(file), file));
        assertTrue(e.getMessage().contains("[100, 40] but the network takes [1, 40, 100]"), e.getMessage());
    }
}

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
        assertEquals(features(), AudioFeatures.fromJson(saved.metadata().get(ModelFile.AUDIO_KEY)));
        assertEquals(List.of(1, 40, 100), saved.architecture().inputShape());
    }

    @Test
    void damagedFeaturesAreRefusedOnSaveAndLoad() throws Exception {
        Sequential cnn = Models.fsddCnn(new Random(1));
        Path file = dir.resolve("bad.safetensors");
        String bad = features().toJson().replace("\"frames\":100", "\"frames\":-1");
        assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(file, cnn, List.of(1, 40, 100), Preprocessing.none(), Map.of(ModelFile.AUDIO_KEY, bad)));
        // Written behind ModelFile's back: load names the file and the field.
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put("format", "pt");
        meta.put(ModelFile.ARCHITECTURE_KEY, ArchitectureSpec.of(cnn, List.of(1, 40, 100)).toJson());
        meta.put(ModelFile.AUDIO_KEY, bad);
        SafeTensors.write(file, cnn.stateDict(), meta);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains(file.toString()) && e.getMessage().contains("frames must be positive"), e.getMessage());
    }
}

package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFileTest {
    @TempDir
    Path dir;

    @Test
    void saveAndLoadGivesIdenticalPredictionsAndKeepsEverything() throws IOException {
        Sequential model = ArchitectureSpecTest.everyKind(new Random(11));
        Preprocessing pre = new Preprocessing(Preprocessing.Task.CLASSIFICATION, List.of("a", "b", "c", "d"), "label",
                new float[] {0.5f, 1f, -2f, 3f}, new float[] {1f, 2f, 0.5f, 4f}, null, null);
        Path file = ModelFile.path(dir, "iris");
        assertEquals(dir.resolve("iris.safetensors"), file);
        ModelFile.save(file, model, pre, Map.of("trained_epochs", "12"));

        ModelFile.SavedModel loaded = ModelFile.load(file);
        Tensor x = Tensor.randn(new Random(5), 16, 4);
        assertArrayEquals(model.forward(x).toFloatArray(), loaded.model().forward(x).toFloatArray());
        assertEquals(ArchitectureSpec.of(model), loaded.architecture());
        assertEquals(pre, loaded.preprocessing());
        assertEquals("12", loaded.metadata().get("trained_epochs"));
        assertEquals("pt", loaded.metadata().get("format"));
        assertFalse(loaded.model().isTraining(), "a loaded model is ready for inference");

        // the tensors are plain PyTorch state-dict entries
        SafeTensors.Contents raw = SafeTensors.read(file);
        assertEquals(List.copyOf(model.stateDict().keySet()), List.copyOf(raw.tensors().keySet()));
        assertEquals(ArchitectureSpec.of(model).toJson(), raw.metadata().get(ModelFile.ARCHITECTURE_KEY));
    }

    @Test
    void modelWithoutPreprocessingStoresNone() throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFile.save(file, new Sequential(new Linear(3, 1, new Random(1))));
        ModelFile.SavedModel loaded = ModelFile.load(file);
        assertEquals(Preprocessing.none(), loaded.preprocessing());
        assertFalse(loaded.metadata().containsKey(ModelFile.PREPROCESSING_KEY));
    }

    @Test
    void saveRefusesWhatCannotBeReloaded() {
        Random rng = new Random(1);
        Path file = dir.resolve("m.safetensors");
        Sequential withCustom = new Sequential(new Linear(2, 2, rng), new ArchitectureSpecTest.Identity());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, withCustom));
        assertTrue(e.getMessage().contains("unsupported layer 1 (Identity)"), e.getMessage());

        Sequential model = new Sequential(new Linear(2, 1, rng));
        Preprocessing threeFeatures = new Preprocessing(null, List.of("a", "b", "c"), null, null, null, null, null);
        e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, model, threeFeatures));
        assertTrue(e.getMessage().contains("describes 3 features but the network takes 2 inputs"), e.getMessage());
        Preprocessing twoTargets = new Preprocessing(null, null, null, null, null, new float[2], new float[] {1, 1});
        e = assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, model, twoTargets));
        assertTrue(e.getMessage().contains("2 target means but the network gives 1 outputs"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.save(file, model, Preprocessing.none(), Map.of("backprop.architecture", "{}")));
        assertTrue(e.getMessage().contains("reserved"), e.getMessage());
        assertFalse(Files.exists(file), "nothing written");
    }

    @Test
    void plainSafetensorsFileIsNotAModel() throws IOException {
        Path file = dir.resolve("plain.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.zeros(2)));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        assertEquals(file, e.file());
        assertTrue(e.getMessage().startsWith(file + ": cannot load model: no \"backprop.architecture\""), e.getMessage());
        assertTrue(e.getMessage().contains("[w]"), e.getMessage());
    }

    @Test
    void tensorsMustMatchTheArchitecture() throws IOException {
        String arch = new ArchitectureSpec(new LinearSpec(4, 3, true), ActivationSpec.named("relu"),
                new LinearSpec(3, 2, false)).toJson();
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("0.weight", Tensor.zeros(3, 5));  // wrong shape
        tensors.put("0.bias", Tensor.zeros(3));
        tensors.put("2.bias", Tensor.zeros(2));       // the layer has no bias
        // 2.weight missing
        Path file = dir.resolve("bad.safetensors");
        SafeTensors.write(file, tensors, Map.of(ModelFile.ARCHITECTURE_KEY, arch));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        String m = e.getMessage();
        assertTrue(m.contains("tensor '0.weight' has shape [3, 5] but layer 0 Linear(in=4, out=3, bias=true) needs [3, 4]"), m);
        assertTrue(m.contains("tensor '2.weight' of layer 2 Linear(in=3, out=2, bias=false) is missing"), m);
        assertTrue(m.contains("tensor '2.bias' belongs to no layer of the architecture"), m);
    }

    @Test
    void badMetadataIsReportedWithTheFile() throws IOException {
        Path file = dir.resolve("badarch.safetensors");
        SafeTensors.write(file, Map.of(), Map.of(ModelFile.ARCHITECTURE_KEY, "{\"format\":\"backprop.sequential\","
                + "\"version\":1,\"layers\":[{\"type\":\"swish\"}]}"));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().startsWith(file + ": cannot load model: architecture layer 0: unknown layer type 'swish'"),
                e.getMessage());

        Path pre = dir.resolve("badpre.safetensors");
        Sequential model = new Sequential(new Linear(2, 1, new Random(1)), new Activation.Sigmoid());
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(ModelFile.ARCHITECTURE_KEY, ArchitectureSpec.of(model).toJson());
        metadata.put(ModelFile.PREPROCESSING_KEY, "{\"feature_names\":[\"a\",\"b\",\"c\"]}");
        SafeTensors.write(pre, model.stateDict(), metadata);
        e = assertThrows(ModelFileException.class, () -> ModelFile.load(pre));
        assertTrue(e.getMessage().contains("describes 3 features but the network takes 2 inputs"), e.getMessage());
    }

    @Test
    void damagedFileFailsAsSafetensorsFormat() throws IOException {
        Path file = dir.resolve("m.safetensors");
        ModelFile.save(file, new Sequential(new Linear(3, 2, new Random(1))));
        byte[] bytes = Files.readAllBytes(file);
        Files.write(file, java.util.Arrays.copyOf(bytes, bytes.length - 3)); // cut short, as by a non-atomic copy
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("run past the end of the data"), e.getMessage());
    }
}

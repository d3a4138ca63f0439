package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Java side of the PyTorch round trip. The first test always runs and needs no Python; the
 * other two run only when {@code -Dbackprop.roundtrip.dir=DIR} is given, around
 * {@code scripts/torch_roundtrip.py DIR} (see {@code scripts/README.md}):
 * <pre>
 * ./mvnw -q -B test -pl backprop-core -Dtest='TorchRoundTripTest#exportForTorch' -Dbackprop.roundtrip.dir=DIR
 * /usr/bin/python3 scripts/torch_roundtrip.py DIR
 * ./mvnw -q -B test -pl backprop-core -Dtest='TorchRoundTripTest#verifyTorchFiles' -Dbackprop.roundtrip.dir=DIR
 * </pre>
 */
class TorchRoundTripTest {
    private static final String DIR_PROPERTY = "backprop.roundtrip.dir";

    @TempDir
    Path tmp;

    @Test
    void exportedFilesHoldEachModelItsInputsAndItsExactPredictions() throws IOException {
        assertEquals(2 * TorchRoundTrip.NAMES.size(), TorchRoundTrip.export(tmp));
        for (String name : TorchRoundTrip.NAMES) {
            ModelFile.SavedModel saved = ModelFile.load(TorchRoundTrip.backpropModel(tmp, name));
            SafeTensors.Contents io = SafeTensors.read(TorchRoundTrip.backpropIo(tmp, name));
            Tensor inputs = io.tensors().get("inputs");
            TorchRoundTrip.Example example = TorchRoundTrip.example(name);
            assertArrayEquals(example.inputs().shape(), inputs.shape(), name);
            assertEquals(example.inputShape(), saved.architecture().inputShape(), name);
            assertArrayEquals(io.tensors().get("predictions").toFloatArray(),
                    TorchRoundTrip.predict(saved.model(), inputs).toFloatArray(), name);
            assertEquals(example.model().stateDict().keySet(), saved.model().stateDict().keySet(), name);
        }
        assertEquals(Preprocessing.Task.REGRESSION,
                ModelFile.load(TorchRoundTrip.backpropModel(tmp, "mlp")).preprocessing().task());
    }

    @Test
    void theModelsCoverEveryLayerKindAModelFileDescribes() {
        Set<String> kinds = new HashSet<>();
        for (String name : TorchRoundTrip.NAMES) collect(ArchitectureSpec.of(TorchRoundTrip.example(name).model()).layers(), kinds);
        Set<String> all = new HashSet<>();
        for (LayerType type : LayerTypes.all()) all.add(type.name());
        all.removeAll(kinds);
        assertEquals(Set.of(), all, "layer kinds of the registry that no round-trip model uses");
    }

    private static void collect(List<LayerSpec> layers, Set<String> kinds) {
        for (LayerSpec l : layers) {
            kinds.add(l.type());
            if (l instanceof SequentialSpec s) collect(s.layers(), kinds);
        }
    }

    @Test
    void normalisationLayersLeaveTheirInitialState() {
        // eval mode must be compared on running statistics that are not 0 and 1, and γ, β not 1 and 0
        Map<String, Tensor> state = TorchRoundTrip.example("every_layer").model().stateDict();
        for (String key : List.of("0.1.running_mean", "0.1.running_var", "0.1.weight", "0.1.bias", "5.running_var",
                "6.weight", "6.bias", "10.running_mean", "10.bias")) {
            float[] v = state.get(key).toFloatArray();
            float initial = key.endsWith("running_var") || key.endsWith("weight") ? 1f : 0f;
            assertTrue(java.util.stream.IntStream.range(0, v.length).allMatch(i -> v[i] != initial), key);
        }
        assertTrue(state.get("0.1.num_batches_tracked").toFloatArray()[0] == 3f);
    }

    @Test
    @EnabledIfSystemProperty(named = DIR_PROPERTY, matches = ".+")
    void exportForTorch() throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY));
        int files = TorchRoundTrip.export(dir);
        System.out.println("wrote " + files + " files for " + TorchRoundTrip.NAMES + " to " + dir);
    }

    @Test
    @EnabledIfSystemProperty(named = DIR_PROPERTY, matches = ".+")
    void verifyTorchFiles() throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY));
        double diff = TorchRoundTrip.verify(dir);
        assertTrue(diff < TorchRoundTrip.TOLERANCE, "max abs diff " + diff);
    }
}

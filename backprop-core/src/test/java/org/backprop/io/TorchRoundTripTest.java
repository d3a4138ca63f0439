package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    void exportedFilesHoldTheModelItsInputsAndItsExactPredictions() throws IOException {
        int rows = TorchRoundTrip.export(tmp);
        ModelFile.SavedModel saved = ModelFile.load(tmp.resolve(TorchRoundTrip.BACKPROP_MODEL));
        SafeTensors.Contents io = SafeTensors.read(tmp.resolve(TorchRoundTrip.BACKPROP_IO));
        Tensor inputs = io.tensors().get("inputs");
        assertArrayEquals(new int[] {rows, 4}, inputs.shape());
        assertArrayEquals(io.tensors().get("predictions").toFloatArray(),
                TorchRoundTrip.predict(saved.model(), inputs).toFloatArray());
        assertEquals(TorchRoundTrip.model(new java.util.Random(0)).stateDict().keySet(), saved.model().stateDict().keySet());
        assertEquals(Preprocessing.Task.REGRESSION, saved.preprocessing().task());
    }

    @Test
    @EnabledIfSystemProperty(named = DIR_PROPERTY, matches = ".+")
    void exportForTorch() throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY));
        int rows = TorchRoundTrip.export(dir);
        System.out.println("wrote " + TorchRoundTrip.BACKPROP_MODEL + " and " + TorchRoundTrip.BACKPROP_IO + " (" + rows
                + " rows) to " + dir);
    }

    @Test
    @EnabledIfSystemProperty(named = DIR_PROPERTY, matches = ".+")
    void verifyTorchFiles() throws IOException {
        Path dir = Path.of(System.getProperty(DIR_PROPERTY));
        assertTrue(Files.exists(dir.resolve(TorchRoundTrip.TORCH_MODEL)),
                "no " + TorchRoundTrip.TORCH_MODEL + " in " + dir + ": run scripts/torch_roundtrip.py " + dir + " first");
        double diff = TorchRoundTrip.verify(dir);
        assertTrue(diff < TorchRoundTrip.TOLERANCE, "max abs diff " + diff);
    }
}

package org.backprop.io;

import org.backprop.guard.InputLimits;
import static org.backprop.io.Hostile.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, points 2, 3, 5 and 13 for safetensors and model files. */
class HostileModelFileTest {
    @TempDir
    Path dir;

    private static Path raw(Path file, String json, long dataBytes) throws IOException {
        byte[] header = json.getBytes(StandardCharsets.UTF_8);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.write(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(header.length).array());
            f.write(header);
            f.setLength(8 + header.length + dataBytes); // sparse: the data takes no disk
        }
        return file;
    }

    private static Sequential mlp() {
        return new Sequential(new Linear(3, 4, new Random(1)), new BatchNorm1d(4), new Activation.ReLU(),
                new Linear(4, 2, new Random(2)));
    }

    @Test
    void aSparseF16TensorIsRefusedBeforeItIsWidened() throws Exception {
        long bytes = 46340L * 46340 * 2; // 4.3 GB of F16 would be 8.6 GB as float32
        Path file = raw(dir.resolve("sparse.safetensors"),
                "{\"w\":{\"dtype\":\"F16\",\"shape\":[46340,46340],\"data_offsets\":[0," + bytes + "]}}", bytes);
        InputLimits.TooLargeException e = assertThrows(InputLimits.TooLargeException.class, () -> SafeTensors.read(file));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("8.6 GB"), e.getMessage());
        assertEquals(1, SafeTensors.readHeader(file).tensors().size()); // the header alone is fine
    }

    @Test
    void namesAndMetadataFromTheFileAreEscapedInErrors() throws Exception {
        String evil = "\\u001b]2;owned\\u0007" + "x".repeat(5000);
        Path file = raw(dir.resolve("evil.safetensors"),
                "{\"" + evil + "\":{\"dtype\":\"F99\",\"shape\":[1],\"data_offsets\":[0,4]}}", 4);
        SafeTensorsFormatException e = assertThrows(SafeTensorsFormatException.class, () -> SafeTensors.read(file));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("\\u001b]2;owned\\u0007"), e.getMessage());

        Map<String, Tensor> state = new LinkedHashMap<>(mlp().stateDict());
        state.put("9.\u001b[2J\u0007weight", Tensor.zeros(1));
        Path model = dir.resolve("extra.safetensors");
        SafeTensors.write(model, state, Map.of(ModelFile.ARCHITECTURE_KEY, ArchitectureSpec.of(mlp(), List.of()).toJson()));
        ModelFileException m = assertThrows(ModelFileException.class, () -> ModelFile.load(model));
        assertOneLine(m);
        assertTrue(m.getMessage().contains("\\u001b[2J\\u0007"), m.getMessage());
    }

    @Test
    void nonFiniteWeightsAndNegativeVariancesAreRefusedOnLoad() throws Exception {
        Sequential net = mlp();
        net.parameters().getFirst().data()[5] = Float.NaN;
        Path nan = dir.resolve("nan.safetensors");
        ModelFile.save(nan, net);
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(nan));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("'0.weight' holds NaN at element 5"), e.getMessage());

        Sequential bn = mlp();
        bn.stateDict().get("1.running_var").array()[2] = -1f;
        Path negative = dir.resolve("negvar.safetensors");
        ModelFile.save(negative, bn);
        ModelFileException v = assertThrows(ModelFileException.class, () -> ModelFile.load(negative));
        assertTrue(v.getMessage().contains("'1.running_var' holds -1.0"), v.getMessage());
    }

    @Test
    void duplicateFeatureNamesAreRefused() {
        String json = new Preprocessing(Preprocessing.Task.REGRESSION, List.of("a", "b"), "y", null, null, null, null)
                .toJson().replace("\"b\"", "\"a\"");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Preprocessing.fromJson(json));
        assertTrue(e.getMessage().contains("feature name 'a' appears twice"), e.getMessage());
    }

    @Test
    void describeReadsOnlyTheHeader() throws Exception {
        Path file = dir.resolve("m.safetensors");
        ModelFile.save(file, mlp());
        ModelFile.Description d = InputLimitsTestSupport.withTinyLimit(() -> ModelFile.describe(file));
        assertEquals(ModelFile.load(file).architecture(), d.architecture());
    }

    @Test
    void equalContentsGiveEqualBytesWhateverTheMapOrder() throws Exception {
        Map<String, String> forward = new LinkedHashMap<>(), backward = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) forward.put("key" + i, "v" + i);
        for (int i = 19; i >= 0; i--) backward.put("key" + i, "v" + i);
        Path a = dir.resolve("a.safetensors"), b = dir.resolve("b.safetensors");
        ModelFile.save(a, mlp(), Preprocessing.none(), forward);
        ModelFile.save(b, mlp(), Preprocessing.none(), backward);
        assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    }

    /** Runs with an input limit smaller than any tensor read would need. */
    static final class InputLimitsTestSupport {
        static <T> T withTinyLimit(java.util.concurrent.Callable<T> body) throws Exception {
            return Hostile.withProperty(InputLimits.MAX_BYTES_PROPERTY, "1", body);
        }
    }
}

package org.backprop.io.torch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import java.util.zip.ZipOutputStream;
import org.backprop.autograd.GradMode;
import org.backprop.io.ActivationSpec;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.LinearSpec;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Imports the checkpoints {@code scripts/torch_checkpoints.py} wrote with PyTorch (test resources
 * {@code org/backprop/io/torch}) and compares the imported networks' outputs with PyTorch's.
 */
class TorchCheckpointTest {
    @TempDir
    Path tmp;

    static Path fixture(String name) {
        try {
            return Path.of(TorchCheckpointTest.class.getResource(name).toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonObject expected(String name) throws IOException {
        return JsonParser.parseString(Files.readString(fixture(name + ".json"))).getAsJsonObject();
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "mlp_f64", "mlp_f16", "mlp_bf16", "cnn", "strided_shared", "parameters"})
    void importedNetworksGivePyTorchsOutputs(String name) throws IOException {
        JsonObject fixture = expected(name);
        ArchitectureSpec architecture = ArchitectureSpec.fromJson(fixture.get("architecture").toString());
        Sequential model = TorchCheckpoint.load(fixture(name + ".pt"), architecture);
        int count = fixture.get("count").getAsInt();
        int[] shape = new int[architecture.inputShape().size() + 1];
        shape[0] = count;
        for (int i = 1; i < shape.length; i++) shape[i] = architecture.inputShape().get(i - 1);
        Tensor input = Tensor.of(floats(fixture, "inputs"), shape);
        float[] want = floats(fixture, "outputs");
        float[] got;
        try (var _ = GradMode.noGrad()) {
            got = model.forward(input).toFloatArray();
        }
        assertEquals(want.length, got.length, name);
        for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, name + " output " + i);
    }

    @Test
    void sharedAndStridedStoragesAreReadAsViews() throws IOException {
        Map<String, Tensor> state = TorchCheckpoint.readStateDict(fixture("strided_shared.pt"));
        // 2.weight and 2.bias are elements 0..23 and 24..26 of one storage; 0.weight is a transpose
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), List.copyOf(state.keySet()));
        assertEquals(List.of(8, 4), dims(state.get("0.weight")));
        assertEquals(List.of(3), dims(state.get("2.bias")));
    }

    @Test
    void batchNormBuffersIncludingTheInt64CounterAreImported() throws IOException {
        Map<String, Tensor> state = TorchCheckpoint.readStateDict(fixture("cnn.pt"));
        assertEquals(3f, state.get("1.num_batches_tracked").item()); // three training passes, stored as int64
        assertEquals(List.of(), dims(state.get("1.num_batches_tracked")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"hostile_system:posix.system", "hostile_eval:__builtin__.eval"})
    void picklesThatWouldRunCodeAreRefusedByName(String spec) throws IOException {
        String name = spec.substring(0, spec.indexOf(':')), global = spec.substring(spec.indexOf(':') + 1);
        Path copy = Files.copy(fixture(name + ".pt"), tmp.resolve(name + ".pt"));
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.readStateDict(copy));
        assertTrue(e.getMessage().contains("refused") && e.getMessage().contains("'" + global + "'"), e.getMessage());
        assertFalse(Files.exists(Path.of("PWNED")), "the hostile command ran");
        assertFalse(Files.exists(tmp.resolve("PWNED")), "the hostile command ran");
    }

    @Test
    void namesThatDoNotMatchTheArchitectureAreListed() throws IOException {
        ArchitectureSpec other = new ArchitectureSpec(new LinearSpec(4, 8, true), ActivationSpec.named("relu"),
                new LinearSpec(8, 3, false), ActivationSpec.named("relu"), new LinearSpec(3, 2, true));
        TorchCheckpointException e = assertThrows(TorchCheckpointException.class,
                () -> TorchCheckpoint.load(fixture("mlp.pt"), other));
        String m = e.getMessage();
        assertTrue(m.contains("missing 4.weight, 4.bias"), m);
        assertTrue(m.contains("not in the architecture 2.bias"), m);
        ArchitectureSpec wider = new ArchitectureSpec(new LinearSpec(4, 9, true), ActivationSpec.named("relu"),
                new LinearSpec(9, 3, true));
        m = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.load(fixture("mlp.pt"), wider)).getMessage();
        assertTrue(m.contains("wrong shape 0.weight [8, 4] (needs [9, 4]), 0.bias [8] (needs [9])"), m);
    }

    @Test
    void aTruncatedStorageIsNamed() throws IOException {
        Path cut = rewrite(fixture("mlp.pt"), "mlp/data/2", 10);
        String m = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.readStateDict(cut)).getMessage();
        assertTrue(m.contains("storage 2") && m.contains("has 10 bytes"), m);
    }

    @Test
    void filesThatAreNotCheckpointsGetOneLine() throws IOException {
        Path text = Files.writeString(tmp.resolve("notes.pt"), "not a zip");
        String m = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.readStateDict(text)).getMessage();
        assertTrue(m.startsWith(text + ": cannot import PyTorch checkpoint: not a torch.save zip file"), m);
        Path pickleOnly = rewrite(fixture("mlp.pt"), "mlp/data.pkl", 40);
        m = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.readStateDict(pickleOnly)).getMessage();
        assertTrue(m.contains("pickle"), m);
        m = assertThrows(TorchCheckpointException.class, () -> TorchCheckpoint.readStateDict(tmp.resolve("absent.pt")))
                .getMessage();
        assertTrue(m.endsWith("absent.pt: cannot import PyTorch checkpoint: no such file"), m);
    }

    /** A copy of the zip with one entry cut to its first {@code keep} bytes. */
    private Path rewrite(Path source, String entryName, int keep) throws IOException {
        Path out = tmp.resolve("cut-" + entryName.replace('/', '_') + ".pt");
        try (ZipFile zip = new ZipFile(source.toFile()); OutputStream os = Files.newOutputStream(out);
             ZipOutputStream z = new ZipOutputStream(os)) {
            for (Enumeration<? extends ZipEntry> it = zip.entries(); it.hasMoreElements(); ) {
                ZipEntry e = it.nextElement();
                byte[] data;
                try (InputStream in = zip.getInputStream(e)) {
                    data = in.readAllBytes();
                }
                if (e.getName().equals(entryName)) data = java.util.Arrays.copyOf(data, keep);
                z.putNextEntry(new ZipEntry(e.getName()));
                z.write(data);
                z.closeEntry();
            }
        }
        return out;
    }

    private static float[] floats(JsonObject o, String key) {
        var a = o.getAsJsonArray(key);
        float[] out = new float[a.size()];
        for (int i = 0; i < out.length; i++) out[i] = a.get(i).getAsFloat();
        return out;
    }

    private static List<Integer> dims(Tensor t) {
        return java.util.Arrays.stream(t.shape()).boxed().toList();
    }
}

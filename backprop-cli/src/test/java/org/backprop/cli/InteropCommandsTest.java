package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.io.torch.TorchCheckpoint;
import org.backprop.nn.Models;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code backprop import} and {@code backprop export} through the command line. */
class InteropCommandsTest {
    /** The checkpoints scripts/torch_checkpoints.py wrote, kept with the core module's tests. */
    static final Path FIXTURES = Path.of("..", "backprop-core", "src", "test", "resources", "org", "backprop", "io", "torch");

    @TempDir
    Path tmp;

    @Test
    void importWritesAModelFileHoldingTheCheckpointsTensors() throws IOException {
        Path arch = tmp.resolve("arch.json");
        Files.writeString(arch, JsonParser.parseString(Files.readString(FIXTURES.resolve("cnn.json")))
                .getAsJsonObject().get("architecture").toString());
        CliRunner r = CliRunner.run("import", "--from", FIXTURES.resolve("cnn.pt").toString(), "--architecture",
                arch.toString(), "--out", tmp.resolve("imported").toString());
        assertEquals(0, r.exitCode(), r.err());
        Path file = tmp.resolve("imported/model.safetensors");
        assertTrue(r.out().startsWith("Imported 9 tensors"), r.out());
        ModelFile.SavedModel saved = ModelFile.load(file);
        assertEquals(List.of(1, 8, 8), saved.architecture().inputShape());
        assertEquals("cnn.pt", saved.metadata().get("imported_from"));
        Map<String, Tensor> torch = TorchCheckpoint.readStateDict(FIXTURES.resolve("cnn.pt"));
        torch.forEach((name, t) -> assertArrayEquals(t.toFloatArray(), saved.model().stateDict().get(name).toFloatArray(), name));
    }

    @Test
    void importRefusesAHostilePickleAndListsMismatchedNames() {
        CliRunner r = CliRunner.run("import", "--from", FIXTURES.resolve("hostile_system.pt").toString(),
                "--architecture", "lenet", "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().startsWith("backprop: ") && r.err().contains("refused to load")
                && r.err().contains("'posix.system'") && r.err().strip().lines().count() == 1, r.err());
        r = CliRunner.run("import", "--from", FIXTURES.resolve("mlp.pt").toString(), "--architecture", "lenet",
                "--out", tmp.resolve("x").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("missing 3.weight, 3.bias") && r.err().contains("not in the architecture 2.weight, 2.bias"), r.err());
        assertTrue(!Files.exists(tmp.resolve("x/model.safetensors")));
    }

    @Test
    void exportWritesAnOnnxFileOrSaysWhyNot() throws IOException {
        Path model = tmp.resolve("lenet.safetensors");
        ModelFile.save(model, Models.lenet5(new Random(3)), List.of(1, 28, 28), Preprocessing.none(), Map.of());
        CliRunner r = CliRunner.run("export", "--model", model.toString(), "--format", "onnx", "--out",
                tmp.resolve("out/lenet.onnx").toString());
        assertEquals(0, r.exitCode(), r.err());
        assertTrue(r.out().contains("ONNX opset 17, IR 8") && r.out().contains("input [batch, 1, 28, 28]"), r.out());
        byte[] bytes = Files.readAllBytes(tmp.resolve("out/lenet.onnx"));
        assertTrue(bytes.length > 61_706 * 4, "holds the weights: " + bytes.length);

        Path flat = tmp.resolve("flat.safetensors");
        ModelFile.save(flat, Models.lenet5(new Random(3)));
        r = CliRunner.run("export", "--model", flat.toString(), "--out", tmp.resolve("flat.onnx").toString());
        assertEquals(1, r.exitCode());
        assertTrue(r.err().contains("needs the input shape"), r.err());
    }
}

package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.data.FashionMnist;
import org.backprop.data.Standardizer;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;

/**
 * Exports models with every layer kind to ONNX and runs them in ONNX Runtime (its Java API):
 * outputs must match Backprop's within 1e-5 on random inputs. The models are those of the PyTorch
 * round trip ({@link TorchRoundTrip}), which together use every layer a model file describes.
 */
class OnnxExportTest {
    /**
     * The round-trip models, which together use every layer kind a model file describes: besides
     * the image and MLP layers, char_lstm is an embedding and a 2-layer LSTM; seq_gru an embedding
     * with a padding row, a bidirectional GRU, a 2-layer ReLU RNN and a bidirectional tanh RNN;
     * gpt a 2-layer, 2-head GPT (attention, layer norm, GELU MLP, tied head).
     */
    static final List<String> NAMES = TorchRoundTrip.NAMES;
    private static final OrtEnvironment ORT = OrtEnvironment.getEnvironment();

    @TempDir
    Path tmp;

    @ParameterizedTest
    @FieldSource("NAMES")
    void onnxRuntimeGivesBackpropsOutputs(String name) throws Exception {
        TorchRoundTrip.Example e = TorchRoundTrip.example(name);
        Path file = tmp.resolve(name + ".onnx");
        ModelFile.save(tmp.resolve(name + ".safetensors"), e.model(), e.inputShape(), e.preprocessing(), Map.of());
        OnnxExport.write(ModelFile.load(tmp.resolve(name + ".safetensors")), file);

        Tensor raw = e.inputs();
        float[] want = backpropPrediction(e.model(), e.preprocessing(), raw);
        try (OrtSession session = ORT.createSession(file.toString(), new OrtSession.SessionOptions())) {
            TensorInfo in = (TensorInfo) session.getInputInfo().get("input").getInfo();
            assertEquals(-1, in.getShape()[0], "the batch dimension is symbolic");
            float[] got = run(session, raw);
            assertEquals(want.length, got.length);
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], 1e-5, name + " output " + i);
            // another batch size through the same graph
            float[] one = run(session, raw.slice(0, 0, 1).contiguous());
            for (int i = 0; i < one.length; i++) assertEquals(want[i], one[i], 1e-5, name + " batch of 1, output " + i);
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            assertEquals(ArchitectureSpec.of(e.model(), e.inputShape()).toJson(), meta.get(ModelFile.ARCHITECTURE_KEY));
        }
    }

    @Test
    void preprocessingIsFoldedIntoTheGraph() throws Exception {
        TorchRoundTrip.Example e = TorchRoundTrip.example("mlp"); // standardised features and targets
        byte[] onnx = OnnxExport.toBytes(e.model(), ArchitectureSpec.of(e.model()), e.preprocessing());
        try (OrtSession session = ORT.createSession(onnx, new OrtSession.SessionOptions())) {
            float[] raw = run(session, e.inputs());
            float[] plain;
            try (var _ = GradMode.noGrad()) {
                plain = e.model().forward(e.inputs()).toFloatArray();
            }
            // raw features in, target units out: not the network's own numbers
            assertTrue(Math.abs(raw[0] - plain[0]) > 0.1, raw[0] + " vs " + plain[0]);
            assertArrayEquals(backpropPrediction(e.model(), e.preprocessing(), e.inputs()), raw, 1e-5f);
            assertEquals("x0,x1,x2,x3", session.getMetadata().getCustomMetadata().get("backprop.feature_names"));
        }
    }

    @Test
    void aModelWithoutAnInputShapeOrAnUnmappedLayerIsRefusedClearly() {
        Sequential conv = Models.lenet5(new Random(1));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxExport.toBytes(conv, ArchitectureSpec.of(conv), Preprocessing.none()));
        assertTrue(e.getMessage().contains("needs the input shape"), e.getMessage());
    }

    /** A layer kind without an ONNX form (every registered kind has one today) is refused in one line naming it. */
    @Test
    void aLayerWithoutAnOnnxMappingIsNamed() {
        LayerSpec unmapped = new LayerSpec() {
            public String type() { return "unmapped"; }
            public void writeJson(com.google.gson.JsonObject json) {}
            public Module build(Random rng) { return new org.backprop.nn.Flatten(); }
            public String describe() { return "Unmapped()"; }
            public int[] outputShape(int[] input) { return input; }
        };
        UnsupportedOperationException x = assertThrows(UnsupportedOperationException.class,
                () -> unmapped.toOnnx(new org.backprop.io.onnx.OnnxGraph(Map.of()), "0.", "input", new int[] {3}));
        assertEquals("ONNX export: layer Unmapped() has no ONNX mapping yet", x.getMessage());
    }

    /** The Fashion-MNIST CNN gives the same class in ONNX Runtime on all 10,000 test images. */
    @Test
    void fashionCnnGivesTheSameClassOnEveryTestImage() throws Exception {
        Path dir = Path.of(FashionMnist.SYSTEM_DIR);
        assumeTrue(Files.exists(dir.resolve("t10k-images-idx3-ubyte.gz")),
                "Fashion-MNIST is not installed (Debian: apt-get install dataset-fashion-mnist)");
        FashionMnist.Split test = FashionMnist.load(dir).test();
        Sequential cnn = TorchRoundTrip.trained(Models.smallCnn(new Random(42)), 1, 28, 28); // real BN statistics
        cnn.eval();
        byte[] onnx = OnnxExport.toBytes(cnn, ArchitectureSpec.of(cnn, List.of(1, 28, 28)), Preprocessing.none());
        int n = test.size(), chunk = 500, same = 0;
        Tensor images = test.images().reshape(n, 1, 28, 28);
        try (OrtSession session = ORT.createSession(onnx, new OrtSession.SessionOptions())) {
            for (int from = 0; from < n; from += chunk) {
                Tensor x = images.slice(0, from, Math.min(n, from + chunk)).contiguous();
                float[] mine;
                try (var _ = GradMode.noGrad()) {
                    mine = cnn.forward(x).toFloatArray();
                }
                float[] theirs = run(session, x);
                for (int i = 0; i < x.size(0); i++) if (argmax(mine, i) == argmax(theirs, i)) same++;
            }
        }
        assertEquals(n, same, "images classified alike");
    }

    /**
     * Writes each model's export to {@code -Dbackprop.onnx.dir=DIR} for {@code scripts/onnx_check.py DIR}
     * (see {@code scripts/README.md}); skipped without the property.
     */
    @Test
    @EnabledIfSystemProperty(named = "backprop.onnx.dir", matches = ".+")
    void writeExportsForTheOnnxChecker() throws IOException {
        Path dir = Files.createDirectories(Path.of(System.getProperty("backprop.onnx.dir")));
        for (String name : NAMES) {
            TorchRoundTrip.Example e = TorchRoundTrip.example(name);
            Files.write(dir.resolve(name + ".onnx"),
                    OnnxExport.toBytes(e.model(), ArchitectureSpec.of(e.model(), e.inputShape()), e.preprocessing()));
        }
    }

    /** What {@code backprop predict} computes: standardise, forward in eval mode, back to target units. */
    static float[] backpropPrediction(Module model, Preprocessing p, Tensor raw) {
        Tensor x = raw;
        if (p.featureMeans() != null) x = new Standardizer(p.featureMeans(), p.featureStds()).transform(x);
        model.eval();
        Tensor y;
        try (var _ = GradMode.noGrad()) {
            y = model.forward(x);
        }
        if (p.targetMeans() != null) y = new Standardizer(p.targetMeans(), p.targetStds()).inverseTransform(y);
        return y.toFloatArray();
    }

    static float[] run(OrtSession session, Tensor x) throws OrtException {
        long[] shape = Arrays.stream(x.shape()).asLongStream().toArray();
        try (OnnxTensor input = OnnxTensor.createTensor(ORT, FloatBuffer.wrap(x.toFloatArray()), shape);
             OrtSession.Result result = session.run(Map.of("input", input))) {
            FloatBuffer out = ((OnnxTensor) result.get("output").orElseThrow()).getFloatBuffer();
            float[] values = new float[out.remaining()];
            out.get(values);
            return values;
        }
    }

    private static int argmax(float[] logits, int row) {
        int best = 0;
        for (int c = 1; c < 10; c++) if (logits[row * 10 + c] > logits[row * 10 + best]) best = c;
        return best;
    }
}

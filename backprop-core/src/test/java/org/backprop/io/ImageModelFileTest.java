package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.backprop.shape.Window2d;
import org.backprop.nn.BatchNorm2d;
import org.backprop.nn.Dropout;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Model files of convolutional networks: the new layer specs, their JSON, and save → load. */
class ImageModelFileTest {
    private static final List<Integer> IMAGE = List.of(1, 28, 28);

    @TempDir
    Path dir;

    static List<LayerSpec> everyNewKind() {
        return List.of(
                new Conv2dSpec(3, 8, new Window2d(3, 5, 1, 2, 1, 2, 2, 1), true),
                new Conv2dSpec(3, 8, Window2d.of(1), false),
                new MaxPool2dSpec(new Window2d(3, 2, 2, 1, 1, 0, 1, 2)),
                new AvgPool2dSpec(Window2d.of(2, 2, 1), false),
                new AvgPool2dSpec(Window2d.of(3), true),
                new FlattenSpec(1, -1),
                new FlattenSpec(2, 3),
                new BatchNormSpec(1, 12, 1e-3f, 0.05f),
                new BatchNormSpec(2, 16, 1e-5f, 0.1f),
                new DropoutSpec(0.25f),
                new LayerNormSpec(List.of(4, 5), 1e-6f, false),
                new LayerNormSpec(List.of(64), 1e-5f, true),
                new SequentialSpec(List.of(new Conv2dSpec(1, 2, Window2d.of(3), true), ActivationSpec.named("relu"),
                        new SequentialSpec(List.of(new MaxPool2dSpec(Window2d.of(2, 2, 0)))))));
    }

    @Test
    void eachNewLayerSurvivesTheJsonRoundTrip() {
        for (LayerSpec layer : everyNewKind()) {
            ArchitectureSpec spec = new ArchitectureSpec(layer);
            String json = spec.toJson();
            ArchitectureSpec back = ArchitectureSpec.fromJson(json);
            assertEquals(spec, back, json);
            assertEquals(json, back.toJson());
            // the rebuilt module is described by the same spec
            assertEquals(spec, ArchitectureSpec.of(back.build(new Random(1))), json);
        }
    }

    @Test
    void inputShapeIsRecordedCheckedAndOptional() {
        ArchitectureSpec lenet = ArchitectureSpec.of(Models.lenet5(new Random(1)), IMAGE);
        String json = lenet.toJson();
        assertTrue(json.contains("\"input_shape\":[1,28,28]"), json);
        ArchitectureSpec back = ArchitectureSpec.fromJson(json);
        assertEquals(lenet, back);
        assertEquals(784, back.inputSize().getAsInt());
        assertEquals(10, back.outputSize().getAsInt());
        List<int[]> shapes = back.layerOutputShapes().orElseThrow();
        assertArrayEquals(new int[] {6, 28, 28}, shapes.get(0));
        assertArrayEquals(new int[] {6, 14, 14}, shapes.get(2));
        assertArrayEquals(new int[] {16, 5, 5}, shapes.get(5));
        assertArrayEquals(new int[] {400}, shapes.get(6));
        assertArrayEquals(new int[] {10}, shapes.getLast());

        // without it, a conv network's input size is unknown rather than the first linear layer's
        ArchitectureSpec bare = ArchitectureSpec.of(Models.lenet5(new Random(1)));
        assertFalse(bare.inputSize().isPresent());
        assertFalse(bare.layerOutputShapes().isPresent());

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ArchitectureSpec.of(Models.lenet5(new Random(1)), List.of(3, 28, 28)));
        assertTrue(e.getMessage().contains("layer 0 does not fit the input shape [3, 28, 28]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> ArchitectureSpec.of(Models.lenet5(new Random(1)), List.of(1, 32, 32)));
        assertTrue(e.getMessage().contains("layer 7"), e.getMessage()); // 16·6·6 = 576 reach the 400-input layer
    }

    @Test
    void badJsonIsRejectedNamingTheField() {
        String conv = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[{\"type\":\"conv2d\",\"in\":1,"
                + "\"out\":2,\"kernel\":[3],\"stride\":[1,1],\"padding\":[0,0],\"dilation\":[1,1],\"bias\":true}]}";
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.fromJson(conv));
        assertTrue(e.getMessage().contains("layer 0 (conv2d) \"kernel\" must be an array of 2 integers"), e.getMessage());

        String pool = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[{\"type\":\"max_pool2d\","
                + "\"kernel\":[2,2],\"stride\":[2,2],\"padding\":[2,2],\"dilation\":[1,1]}]}";
        e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.fromJson(pool));
        assertTrue(e.getMessage().contains("layer 0 (max_pool2d)") && e.getMessage().contains("padding"), e.getMessage());

        String nested = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[{\"type\":\"sequential\","
                + "\"layers\":[{\"type\":\"dropout\",\"p\":1.5}]}]}";
        e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.fromJson(nested));
        assertTrue(e.getMessage().contains("layer 0 (sequential) layer 0 (dropout)"), e.getMessage());

        String shape = "{\"format\":\"backprop.sequential\",\"version\":1,\"input_shape\":[],\"layers\":[]}";
        e = assertThrows(IllegalArgumentException.class, () -> ArchitectureSpec.fromJson(shape));
        assertTrue(e.getMessage().contains("\"input_shape\" must be an array of integers"), e.getMessage());
    }

    @Test
    void batchNormBuffersArePartOfTheState() {
        ArchitectureSpec spec = ArchitectureSpec.of(Models.smallCnn(new Random(1)), IMAGE);
        Map<String, int[]> state = spec.stateShapes();
        Sequential model = spec.build(new Random(2));
        assertEquals(List.copyOf(model.stateDict().keySet()), List.copyOf(state.keySet()));
        model.stateDict().forEach((k, t) -> assertArrayEquals(t.shape(), state.get(k), k));
        assertArrayEquals(new int[0], state.get("0.1.num_batches_tracked"));
        assertFalse(spec.parameterShapes().containsKey("0.1.running_mean"));
        assertEquals(model.parameterCount(), spec.parameterShapes().values().stream()
                .mapToLong(s -> java.util.Arrays.stream(s).asLongStream().reduce(1, Math::multiplyExact)).sum());
    }

    @Test
    void lenetSavesAndLoadsWithIdenticalOutputs() throws IOException {
        roundTrip(Models::lenet5);
    }

    @Test
    void smallCnnSavesAndLoadsWithIdenticalOutputsAndRunningStatistics() throws IOException {
        Sequential loaded = roundTrip(Models::smallCnn);
        BatchNorm2d bn = assertInstanceOf(BatchNorm2d.class, ((Sequential) loaded.get(0)).get(1));
        assertEquals(2f, bn.numBatchesTracked.item());
        assertNotEquals(0f, bn.runningMean.toFloatArray()[0]);
        assertInstanceOf(Dropout.class, loaded.get(6));
    }

    /** Trains two steps (so batch-norm statistics move), saves, loads, and compares eval-mode outputs. */
    private Sequential roundTrip(Function<Random, Sequential> factory) throws IOException {
        Random rng = new Random(3);
        Sequential model = factory.apply(rng);
        Adam adam = new Adam(model.parameters(), 1e-2);
        for (int step = 0; step < 2; step++) {
            model.train();
            model.zeroGrad();
            model.forward(Tensor.randn(rng, 8, 1, 28, 28)).square().mean().backward();
            adam.step();
        }
        model.eval();
        Path file = dir.resolve("cnn.safetensors");
        ModelFile.save(file, model, IMAGE, Preprocessing.none(), Map.of("dataset", "fashion-mnist"));

        ModelFile.SavedModel saved = ModelFile.load(file);
        assertEquals(ArchitectureSpec.of(model, IMAGE), saved.architecture());
        assertEquals(IMAGE, saved.architecture().inputShape());
        assertEquals("fashion-mnist", saved.metadata().get("dataset"));
        // the state is restored bit for bit; the outputs agree up to summation order (the kernels
        // may split a product differently from one call to the next)
        Tensor x = Tensor.randn(new Random(9), 2, 1, 28, 28);
        assertArrayEquals(model.forward(x).toFloatArray(), saved.model().forward(x).toFloatArray(), 1e-5f);
        Map<String, Tensor> expected = model.stateDict();
        Map<String, Tensor> actual = saved.model().stateDict();
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(actual.keySet()));
        expected.forEach((k, t) -> assertArrayEquals(t.toFloatArray(), actual.get(k).toFloatArray(), k));
        return saved.model();
    }

    @Test
    void missingBufferIsReported() throws IOException {
        Sequential model = Models.smallCnn(new Random(1));
        Map<String, Tensor> state = new LinkedHashMap<>(model.stateDict());
        state.remove("1.1.running_var");
        Path file = dir.resolve("broken.safetensors");
        SafeTensors.write(file, state, Map.of(ModelFile.ARCHITECTURE_KEY, ArchitectureSpec.of(model).toJson()));
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains("tensor '1.1.running_var' of layer 1 Sequential(Conv2d"), e.getMessage());
    }

    /** A version-1 file as Backprop wrote it before image layers existed (no input_shape) still loads. */
    @Test
    void oldFormatMlpFileStillLoads() throws IOException {
        String oldJson = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[{\"type\":\"linear\",\"in\":3,"
                + "\"out\":4,\"bias\":true},{\"type\":\"leaky_relu\",\"negative_slope\":0.01},{\"type\":\"linear\","
                + "\"in\":4,\"out\":2,\"bias\":false},{\"type\":\"softmax\",\"axis\":-1}]}";
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        tensors.put("0.weight", Tensor.randn(new Random(1), 4, 3));
        tensors.put("0.bias", Tensor.randn(new Random(2), 4));
        tensors.put("2.weight", Tensor.randn(new Random(3), 2, 4));
        Path file = dir.resolve("old.safetensors");
        SafeTensors.write(file, tensors, Map.of("format", "pt", ModelFile.ARCHITECTURE_KEY, oldJson));

        ModelFile.SavedModel loaded = ModelFile.load(file);
        assertEquals(List.of(), loaded.architecture().inputShape());
        assertEquals(3, loaded.architecture().inputSize().getAsInt());
        assertEquals(oldJson, loaded.architecture().toJson()); // and it writes back byte for byte
        Tensor x = Tensor.randn(new Random(4), 5, 3);
        Tensor expected = x.matmul(tensors.get("0.weight").transpose(0, 1)).add(tensors.get("0.bias"));
        float[] h = expected.toFloatArray();
        for (int i = 0; i < h.length; i++) if (h[i] < 0) h[i] *= 0.01f;
        Tensor logits = Tensor.wrap(h, 5, 4).matmul(tensors.get("2.weight").transpose(0, 1));
        float[] p = loaded.model().forward(x).toFloatArray();
        float[] l = logits.toFloatArray();
        for (int r = 0; r < 5; r++) {
            double sum = 0;
            for (int c = 0; c < 2; c++) sum += Math.exp(l[r * 2 + c]);
            for (int c = 0; c < 2; c++) assertEquals(Math.exp(l[r * 2 + c]) / sum, p[r * 2 + c], 1e-5);
        }
    }
}

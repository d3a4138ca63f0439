package org.backprop.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backprop.io.onnx.OnnxGraph;
import org.backprop.nn.Sequential;

/**
 * Writes a model as ONNX (opset {@value #OPSET}, IR version {@value #IR_VERSION}), for ONNX
 * Runtime and every other ONNX client: one input {@code input} of shape [batch, one sample's
 * shape] and one output {@code output}, the batch dimension symbolic ({@code batch}).
 *
 * <p>The graph is the network in evaluation form: dropout is removed and batch norm uses its
 * running statistics. Each layer type maps itself ({@link LayerSpec#toOnnx}).
 *
 * <p><b>Preprocessing is folded into the graph</b>: a model saved with feature standardisation
 * takes raw features (the graph subtracts the means and divides by the deviations first), and a
 * regression model's outputs come back in the target's units (the graph multiplies by the
 * target's deviations and adds its means), so the ONNX model answers exactly what
 * {@code backprop predict} does. The names (features, target), the task and Backprop's own
 * architecture and preprocessing JSON are also written into the model's metadata
 * ({@code backprop.*} keys) for readers that want them.
 *
 * <pre>{@code
 * OnnxExport.write(ModelFile.load(Path.of("runs/f/model.safetensors")), Path.of("model.onnx"));
 * }</pre>
 */
public final class OnnxExport {
    /** The ONNX operator set the graphs use. */
    public static final int OPSET = 17;
    /** The ONNX IR version of the files. */
    public static final int IR_VERSION = 8;

    private OnnxExport() {}

    /** Writes a loaded model (with its preprocessing) to {@code file}, atomically. */
    public static void write(ModelFile.SavedModel saved, Path file) throws IOException {
        AtomicFiles.writeBytes(file, toBytes(saved.model(), saved.architecture(), saved.preprocessing()));
    }

    /** Writes {@code model}, which takes samples of {@code inputShape}, without preprocessing. */
    public static void write(Sequential model, List<Integer> inputShape, Path file) throws IOException {
        AtomicFiles.writeBytes(file, toBytes(model, ArchitectureSpec.of(model, inputShape), Preprocessing.none()));
    }

    /**
     * The ONNX model's bytes.
     *
     * @throws IllegalArgumentException      if the input shape is not known (record it when saving)
     * @throws UnsupportedOperationException naming a layer that has no ONNX form
     */
    public static byte[] toBytes(Sequential model, ArchitectureSpec architecture, Preprocessing preprocessing) {
        int[] sample = sampleShape(architecture);
        OnnxGraph graph = new OnnxGraph(model.stateDict());
        String value = OnnxGraph.INPUT;
        if (preprocessing.featureMeans() != null) { // x' = (x − mean) / std, per feature of the flat sample
            value = graph.node("Div", graph.node("Sub", value, graph.constant("feature_means", preprocessing.featureMeans(), sample)),
                    graph.constant("feature_stds", preprocessing.featureStds(), sample));
        }
        value = SequentialSpec.toOnnx(architecture.layers(), graph, "", value, sample);
        int[] out = sample;
        for (LayerSpec layer : architecture.layers()) out = layer.outputShape(out);
        if (preprocessing.targetMeans() != null) { // y = y' · std + mean
            value = graph.node("Add", graph.node("Mul", value, graph.constant("target_stds", preprocessing.targetStds(), out)),
                    graph.constant("target_means", preprocessing.targetMeans(), out));
        }
        return graph.toModel("backprop", sample, value, out, OPSET, IR_VERSION, producerVersion(),
                metadata(architecture, preprocessing));
    }

    private static int[] sampleShape(ArchitectureSpec architecture) {
        if (!architecture.inputShape().isEmpty()) return architecture.inputShape().stream().mapToInt(Integer::intValue).toArray();
        if (architecture.inputSize().isPresent()) return new int[] {architecture.inputSize().getAsInt()};
        throw new IllegalArgumentException("ONNX export needs the input shape of one sample, and the model does not record "
                + "it (save it with an input shape, e.g. ModelFile.save(file, model, List.of(1, 28, 28), ...))");
    }

    private static Map<String, String> metadata(ArchitectureSpec architecture, Preprocessing p) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("backprop.preprocessing_folded", "input standardisation and regression target scaling are in the graph");
        if (p.task() != null) m.put("backprop.task", p.task().name().toLowerCase(java.util.Locale.ROOT));
        if (p.featureNames() != null) m.put("backprop.feature_names", String.join(",", p.featureNames()));
        if (p.targetName() != null) m.put("backprop.target_name", p.targetName());
        m.put(ModelFile.ARCHITECTURE_KEY, architecture.toJson());
        if (!p.isEmpty()) m.put(ModelFile.PREPROCESSING_KEY, p.toJson());
        return m;
    }

    private static String producerVersion() {
        String v = OnnxExport.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }
}

package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.backprop.nn.Sequential;

/**
 * A nested block of layers, as PyTorch's {@code nn.Sequential} inside another: the tensors of its
 * layer {@code j} are named {@code <index>.<j>.weight} and so on.
 */
public record SequentialSpec(List<LayerSpec> layers) implements LayerSpec {
    /** JSON: {@code {"type": "sequential", "layers": [ ... ]}}; a network's nested blocks are described by {@link LayerTypes}. */
    public static final LayerType TYPE = LayerType.of("sequential", Sequential.class,
            s -> new SequentialSpec(ArchitectureSpec.of(s).layers()),
            j -> new SequentialSpec(j.layers("layers")), "layers");

    public SequentialSpec {
        layers = List.copyOf(layers);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.add("layers", LayerTypes.writeAll(layers));
    }

    @Override
    public Sequential build(Random rng) {
        Sequential block = new Sequential();
        for (LayerSpec layer : layers) block.add(layer.build(rng));
        return block;
    }

    @Override
    public String describe() {
        return "Sequential(" + String.join(", ", layers.stream().map(LayerSpec::describe).toList()) + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        return prefixed(layers, LayerSpec::parameterShapes);
    }

    @Override
    public Map<String, int[]> stateShapes() {
        return prefixed(layers, LayerSpec::stateShapes);
    }

    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return toOnnx(layers, graph, prefix, input, inputShape);
    }

    /** Each layer in turn, the tensors of layer {@code i} under {@code prefix + i + "."}. */
    static String toOnnx(List<LayerSpec> layers, org.backprop.io.onnx.OnnxGraph graph, String prefix, String input,
            int[] inputShape) {
        String value = input;
        int[] shape = inputShape;
        for (int i = 0; i < layers.size(); i++) {
            value = layers.get(i).toOnnx(graph, prefix + i + ".", value, shape);
            shape = layers.get(i).outputShape(shape);
        }
        return value;
    }

    @Override
    public int[] outputShape(int[] input) {
        int[] shape = input;
        for (LayerSpec layer : layers) shape = layer.outputShape(shape);
        return shape;
    }

    /** Each layer's tensors under {@code <position>.<name>}, in layer order. */
    static Map<String, int[]> prefixed(List<LayerSpec> layers, Function<LayerSpec, Map<String, int[]>> shapes) {
        Map<String, int[]> out = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            for (Map.Entry<String, int[]> e : shapes.apply(layers.get(i)).entrySet()) {
                out.put(i + "." + e.getKey(), e.getValue());
            }
        }
        return out;
    }
}

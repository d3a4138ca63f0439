package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.LayerNorm;

/**
 * Layer normalisation over the trailing {@code shape}, as PyTorch's
 * {@code nn.LayerNorm(shape, eps, elementwise_affine=affine)}; with {@code affine}, saved as
 * {@code weight} and {@code bias} of that shape.
 */
public record LayerNormSpec(List<Integer> shape, float eps, boolean affine) implements LayerSpec {
    /** JSON: {@code {"type": "layer_norm", "shape": [64], "eps": 1e-5, "affine": true}}. */
    public static final LayerType TYPE = LayerType.of("layer_norm", LayerNorm.class, LayerNormSpec::of,
            j -> new LayerNormSpec(j.ints("shape", -1), j.finiteFloat("eps"), j.bool("affine")), "shape", "eps", "affine");

    public LayerNormSpec {
        shape = List.copyOf(shape);
        if (shape.isEmpty() || shape.stream().anyMatch(d -> d <= 0) || !(eps > 0) || !Float.isFinite(eps)) {
            throw new IllegalArgumentException("LayerNormSpec: need a non-empty shape of positive sizes and eps > 0, got "
                    + shape + ", eps=" + eps);
        }
    }

    public static LayerNormSpec of(LayerNorm layer) {
        return new LayerNormSpec(Arrays.stream(layer.normalizedShape()).boxed().toList(), layer.eps, layer.weight != null);
    }

    private int[] dims() {
        return shape.stream().mapToInt(Integer::intValue).toArray();
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.add("shape", LayerJson.ints(shape));
        json.addProperty("eps", eps);
        json.addProperty("affine", affine);
    }

    @Override
    public boolean keepsShape() {
        return true;
    }

    @Override
    public LayerNorm build(Random rng) {
        return new LayerNorm(dims(), eps, affine);
    }

    @Override
    public String describe() {
        return "LayerNorm(" + shape + ", eps=" + eps + ", affine=" + affine + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        if (!affine) return Map.of();
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("weight", dims());
        shapes.put("bias", dims());
        return shapes;
    }

    /** LayerNormalization (opset 17) over the trailing axes; without affine parameters, a scale of ones. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        Map<String, Object> attributes = Map.of("axis", -shape.size(), "epsilon", eps);
        if (affine) {
            return graph.node("LayerNormalization", attributes, input, graph.weight(prefix + "weight"),
                    graph.weight(prefix + "bias"));
        }
        int[] d = dims();
        float[] ones = new float[Arrays.stream(d).reduce(1, Math::multiplyExact)];
        Arrays.fill(ones, 1f);
        return graph.node("LayerNormalization", attributes, input, graph.constant(prefix + "scale", ones, d));
    }

    @Override
    public int[] outputShape(int[] input) {
        int[] d = dims();
        boolean fits = input.length >= d.length
                && Arrays.equals(Arrays.copyOfRange(input, input.length - d.length, input.length), d);
        if (!fits) {
            throw new IllegalArgumentException(describe() + " needs inputs ending in " + shape + ", got "
                    + Arrays.toString(input));
        }
        return input.clone();
    }
}

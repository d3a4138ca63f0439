package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Random;
import org.backprop.nn.Linear;

/**
 * A dense layer {@code y = x·Wᵀ + b}, saved as {@code <index>.weight} [out, in] and
 * {@code <index>.bias} [out], as PyTorch's {@code nn.Linear(in, out, bias)}.
 */
public record LinearSpec(int in, int out, boolean bias) implements LayerSpec {
    /** JSON: {@code {"type": "linear", "in": 4, "out": 16, "bias": true}}. */
    public static final LayerType TYPE = LayerType.of("linear", Linear.class, LinearSpec::of,
            j -> new LinearSpec(j.integer("in"), j.integer("out"), j.bool("bias")), "in", "out", "bias");

    public LinearSpec {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("LinearSpec: sizes must be positive, got in=" + in + ", out=" + out);
        }
    }

    /** The spec of an existing layer. */
    public static LinearSpec of(Linear layer) {
        return new LinearSpec(layer.in, layer.out, layer.bias != null);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("in", in);
        json.addProperty("out", out);
        json.addProperty("bias", bias);
    }

    @Override
    public Linear build(Random rng) {
        return bias ? new Linear(in, out, rng) : new Linear(in, out, false, org.backprop.nn.Init.pytorchDefault(), rng);
    }

    @Override
    public String describe() {
        return "Linear(in=" + in + ", out=" + out + ", bias=" + bias + ")";
    }

    @Override
    public java.util.Map<String, int[]> parameterShapes() {
        java.util.Map<String, int[]> shapes = new java.util.LinkedHashMap<>();
        shapes.put("weight", new int[] {out, in});
        if (bias) shapes.put("bias", new int[] {out});
        return shapes;
    }

    /** Gemm (x·Wᵀ + b) on [batch, in]; MatMul by Wᵀ and Add on inputs of more axes. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        if (inputShape.length == 1) {
            return bias ? graph.node("Gemm", java.util.Map.of("transB", 1), input, graph.weight(prefix + "weight"),
                    graph.weight(prefix + "bias"))
                    : graph.node("Gemm", java.util.Map.of("transB", 1), input, graph.weight(prefix + "weight"));
        }
        String y = graph.node("MatMul", input, graph.transposedWeight(prefix + "weight"));
        return bias ? graph.node("Add", y, graph.weight(prefix + "bias")) : y;
    }

    /** Acts on the last axis, which must have {@code in} entries. */
    @Override
    public int[] outputShape(int[] input) {
        if (input.length == 0 || input[input.length - 1] != in) {
            throw new IllegalArgumentException(describe() + " takes inputs [..., " + in + "], got "
                    + java.util.Arrays.toString(input));
        }
        int[] shape = input.clone();
        shape[shape.length - 1] = out;
        return shape;
    }
}

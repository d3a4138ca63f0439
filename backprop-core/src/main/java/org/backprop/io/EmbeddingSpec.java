package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Embedding;

/**
 * A lookup table, saved as {@code <index>.weight} [num, dim], as PyTorch's
 * {@code nn.Embedding(num, dim, padding_idx)} ({@code padding_idx} −1 for none).
 */
public record EmbeddingSpec(int num, int dim, int paddingIdx) implements LayerSpec {
    /** JSON: {@code {"type": "embedding", "num": 65, "dim": 128, "padding_idx": -1}}. */
    public static final LayerType TYPE = LayerType.of("embedding", Embedding.class, EmbeddingSpec::of,
            j -> new EmbeddingSpec(j.integer("num"), j.integer("dim"), j.integer("padding_idx")), "num", "dim", "padding_idx");

    public EmbeddingSpec {
        if (num <= 0 || dim <= 0) throw new IllegalArgumentException("EmbeddingSpec: sizes must be positive, got num=" + num + ", dim=" + dim);
        if (paddingIdx < -1 || paddingIdx >= num) {
            throw new IllegalArgumentException("EmbeddingSpec: padding_idx " + paddingIdx + " is outside [0, " + num + ") (or -1 for none)");
        }
    }

    public static EmbeddingSpec of(Embedding layer) {
        return new EmbeddingSpec(layer.num, layer.dim, layer.paddingIdx);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("num", num);
        json.addProperty("dim", dim);
        json.addProperty("padding_idx", paddingIdx);
    }

    @Override
    public Embedding build(Random rng) {
        return new Embedding(num, dim, paddingIdx, rng);
    }

    @Override
    public String describe() {
        return "Embedding(num=" + num + ", dim=" + dim + (paddingIdx >= 0 ? ", paddingIdx=" + paddingIdx : "") + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        return Map.of("weight", new int[] {num, dim});
    }

    /** Indices of any shape; a {@code dim} axis is appended. */
    /** ONNX's Gather over the table, with the float token ids cast to int64 indices. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        String ids = graph.node("Cast", Map.of("to", 7), input); // 7: TensorProto.INT64
        return graph.node("Gather", Map.of("axis", 0), graph.weight(prefix + "weight"), ids);
    }

    @Override
    public int[] outputShape(int[] input) {
        int[] out = Arrays.copyOf(input, input.length + 1);
        out[input.length] = dim;
        return out;
    }
}

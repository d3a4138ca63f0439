package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Random;
import org.backprop.nn.Flatten;

/**
 * Merges axes {@code start} to {@code end} (inclusive; negative counts from the end; axis 0 is
 * the batch) into one, as PyTorch's {@code nn.Flatten(start_dim, end_dim)}.
 */
public record FlattenSpec(int start, int end) implements LayerSpec {
    /** JSON: {@code {"type": "flatten", "start": 1, "end": -1}}. */
    public static final LayerType TYPE = LayerType.of("flatten", Flatten.class, FlattenSpec::of,
            j -> new FlattenSpec(j.integer("start"), j.integer("end")), "start", "end");


    public static FlattenSpec of(Flatten layer) {
        return new FlattenSpec(layer.startAxis, layer.endAxis);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("start", start);
        json.addProperty("end", end);
    }

    @Override
    public Flatten build(Random rng) {
        return new Flatten(start, end);
    }

    @Override
    public String describe() {
        return "Flatten(start=" + start + ", end=" + end + ")";
    }

    /** ONNX's Flatten when everything after the batch axis merges, else a Reshape keeping the batch axis. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        int[] out = outputShape(inputShape);
        if (out.length == 1) return graph.node("Flatten", java.util.Map.of("axis", 1), input);
        long[] shape = new long[out.length + 1]; // 0: copy the batch size from the input
        for (int i = 0; i < out.length; i++) shape[i + 1] = out[i];
        return graph.node("Reshape", input, graph.constantInts(prefix + "shape", shape, shape.length));
    }

    @Override
    public int[] outputShape(int[] input) {
        int rank = input.length + 1; // with the batch axis
        int a = start < 0 ? start + rank : start, b = end < 0 ? end + rank : end;
        if (a < 1 || b >= rank || a > b) {
            throw new IllegalArgumentException(describe() + " cannot flatten a batch of " + Arrays.toString(input)
                    + " (axes must lie in 1.." + (rank - 1) + " and start ≤ end; the batch axis stays)");
        }
        int[] out = new int[input.length - (b - a)];
        for (int i = 0; i < a - 1; i++) out[i] = input[i];
        out[a - 1] = 1;
        for (int i = a - 1; i < b; i++) out[a - 1] *= input[i];
        for (int i = b; i < input.length; i++) out[i - (b - a)] = input[i];
        return out;
    }
}

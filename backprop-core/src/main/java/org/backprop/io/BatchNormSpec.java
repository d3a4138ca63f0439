package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.BatchNorm2d;
import org.backprop.nn.BatchNorm;

/**
 * Batch normalisation over {@code channels}, as PyTorch's {@code nn.BatchNorm1d} ({@code dims}
 * 1, input [C] or [C, L] per sample) or {@code nn.BatchNorm2d} ({@code dims} 2, input [C, H, W]).
 * Saved as {@code weight}, {@code bias} (γ and β, [C]) and the buffers {@code running_mean},
 * {@code running_var} ([C]) and {@code num_batches_tracked} ([]), as in PyTorch.
 */
public record BatchNormSpec(int dims, int channels, float eps, float momentum) implements LayerSpec {
    /** JSON: {@code {"type": "batch_norm2d", "channels": 16, "eps": 1e-5, "momentum": 0.1}}, and batch_norm1d alike. */
    public static final List<LayerType> TYPES = List.of(type(1, BatchNorm1d.class), type(2, BatchNorm2d.class));

    private static LayerType type(int dims, Class<? extends BatchNorm> module) {
        return LayerType.of("batch_norm" + dims + "d", module, BatchNormSpec::of, j -> new BatchNormSpec(dims,
                j.integer("channels"), j.finiteFloat("eps"), j.finiteFloat("momentum")), "channels", "eps", "momentum");
    }

    public BatchNormSpec {
        if (dims != 1 && dims != 2) throw new IllegalArgumentException("BatchNormSpec: dims must be 1 or 2, got " + dims);
        if (channels <= 0) throw new IllegalArgumentException("BatchNormSpec: channels must be positive, got " + channels);
        if (!(eps > 0) || !Float.isFinite(eps) || !(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNormSpec: need eps > 0 and momentum in [0, 1], got eps=" + eps
                    + ", momentum=" + momentum);
        }
    }

    public static BatchNormSpec of(BatchNorm layer) {
        int dims = switch (layer) {
            case BatchNorm1d _ -> 1;
            case BatchNorm2d _ -> 2;
        };
        return new BatchNormSpec(dims, layer.numFeatures, layer.eps, layer.momentum);
    }

    /** The JSON type: batch_norm1d or batch_norm2d. */
    public String name() {
        return "batch_norm" + dims + "d";
    }

    @Override
    public String type() {
        return name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("channels", channels);
        json.addProperty("eps", eps);
        json.addProperty("momentum", momentum);
    }

    @Override
    public boolean keepsShape() {
        return true;
    }

    @Override
    public BatchNorm build(Random rng) {
        return dims == 1 ? new BatchNorm1d(channels, eps, momentum) : new BatchNorm2d(channels, eps, momentum);
    }

    @Override
    public String describe() {
        return "BatchNorm" + dims + "d(" + channels + ", eps=" + eps + ", momentum=" + momentum + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("weight", new int[] {channels});
        shapes.put("bias", new int[] {channels});
        return shapes;
    }

    @Override
    public Map<String, int[]> stateShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>(parameterShapes());
        shapes.put("running_mean", new int[] {channels});
        shapes.put("running_var", new int[] {channels});
        shapes.put("num_batches_tracked", new int[0]);
        return shapes;
    }

    /** BatchNormalization in inference mode: the running statistics, γ and β. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return graph.node("BatchNormalization", Map.of("epsilon", eps), input, graph.weight(prefix + "weight"),
                graph.weight(prefix + "bias"), graph.weight(prefix + "running_mean"), graph.weight(prefix + "running_var"));
    }

    @Override
    public int[] outputShape(int[] input) {
        boolean fits = dims == 1 ? (input.length == 1 || input.length == 2) : input.length == 3;
        if (!fits || input[0] != channels) {
            throw new IllegalArgumentException(describe() + " takes " + (dims == 1 ? "[" + channels + "] or ["
                    + channels + ", L]" : "[" + channels + ", H, W]") + " per sample, got " + Arrays.toString(input));
        }
        return input.clone();
    }
}

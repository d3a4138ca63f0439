package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Random;
import org.backprop.shape.Window2d;
import org.backprop.nn.AvgPool2d;

/**
 * Average pooling over each channel, as PyTorch's
 * {@code nn.AvgPool2d(kernel, stride, padding, count_include_pad=countIncludePad)} (no dilation).
 */
public record AvgPool2dSpec(Window2d window, boolean countIncludePad) implements LayerSpec {
    /** JSON: {@code {"type": "avg_pool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "count_include_pad": true}}. */
    public static final LayerType TYPE = LayerType.of("avg_pool2d", AvgPool2d.class, AvgPool2dSpec::of,
            j -> new AvgPool2dSpec(j.window(false), j.bool("count_include_pad")),
            "kernel", "stride", "padding", "count_include_pad");

    public AvgPool2dSpec {
        if (window == null) throw new IllegalArgumentException("AvgPool2dSpec: window is required");
        new AvgPool2d(window, countIncludePad); // the layer's own checks (no dilation, padding at most half the kernel)
    }

    public static AvgPool2dSpec of(AvgPool2d layer) {
        return new AvgPool2dSpec(layer.window, layer.countIncludePad);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        LayerJson.putWindow(json, window, false);
        json.addProperty("count_include_pad", countIncludePad);
    }

    @Override
    public AvgPool2d build(Random rng) {
        return new AvgPool2d(window, countIncludePad);
    }

    @Override
    public String describe() {
        return "AvgPool2d(" + window + ", countIncludePad=" + countIncludePad + ")";
    }

    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        Shapes.requireImages(describe(), inputShape);
        java.util.Map<String, Object> attributes = Shapes.onnxWindow(window, false);
        attributes.put("count_include_pad", countIncludePad ? 1 : 0);
        return graph.node("AveragePool", attributes, input);
    }

    @Override
    public int[] outputShape(int[] input) {
        return Shapes.window(describe(), input, window, input.length == 3 ? input[0] : -1);
    }
}

package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.backprop.shape.Window2d;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Init;

/**
 * A 2-D convolution, saved as {@code <index>.weight} [out, in, kh, kw] and {@code <index>.bias}
 * [out], as PyTorch's {@code nn.Conv2d(in, out, kernel, stride, padding, dilation, bias=bias)}.
 */
public record Conv2dSpec(int in, int out, Window2d window, boolean bias) implements LayerSpec {
    /** JSON: {@code {"type": "conv2d", "in": 1, "out": 6, "kernel": [5, 5], "stride": [1, 1], "padding": [2, 2], "dilation": [1, 1], "bias": true}}. */
    public static final LayerType TYPE = LayerType.of("conv2d", Conv2d.class, Conv2dSpec::of,
            j -> new Conv2dSpec(j.integer("in"), j.integer("out"), j.window(true), j.bool("bias")),
            "in", "out", "kernel", "stride", "padding", "dilation", "bias");

    public Conv2dSpec {
        if (in <= 0 || out <= 0) {
            throw new IllegalArgumentException("Conv2dSpec: channel counts must be positive, got in=" + in + ", out=" + out);
        }
        if (window == null) throw new IllegalArgumentException("Conv2dSpec: window is required");
    }

    /** The spec of an existing layer. */
    public static Conv2dSpec of(Conv2d layer) {
        return new Conv2dSpec(layer.inChannels, layer.outChannels, layer.window, layer.bias != null);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("in", in);
        json.addProperty("out", out);
        LayerJson.putWindow(json, window, true);
        json.addProperty("bias", bias);
    }

    @Override
    public Conv2d build(Random rng) {
        return new Conv2d(in, out, window, bias, rng);
    }

    @Override
    public String describe() {
        return "Conv2d(in=" + in + ", out=" + out + ", " + window + ", bias=" + bias + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        shapes.put("weight", new int[] {out, in, window.kh(), window.kw()});
        if (bias) shapes.put("bias", new int[] {out});
        return shapes;
    }

    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        Map<String, Object> attributes = Shapes.onnxWindow(window, true);
        return bias ? graph.node("Conv", attributes, input, graph.weight(prefix + "weight"), graph.weight(prefix + "bias"))
                : graph.node("Conv", attributes, input, graph.weight(prefix + "weight"));
    }

    @Override
    public int[] outputShape(int[] input) {
        if (input.length != 3 || input[0] != in) {
            throw new IllegalArgumentException(describe() + " takes [" + in + ", H, W] images, got "
                    + java.util.Arrays.toString(input));
        }
        return Shapes.window(describe(), input, window, out);
    }
}

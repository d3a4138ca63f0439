package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Random;
import org.backprop.shape.Window2d;
import org.backprop.nn.MaxPool2d;

/** Max pooling over each channel, as PyTorch's {@code nn.MaxPool2d(kernel, stride, padding, dilation)}. */
public record MaxPool2dSpec(Window2d window) implements LayerSpec {
    /** JSON: {@code {"type": "max_pool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1]}}. */
    public static final LayerType TYPE = LayerType.of("max_pool2d", MaxPool2d.class, MaxPool2dSpec::of,
            j -> new MaxPool2dSpec(j.window(true)), "kernel", "stride", "padding", "dilation");

    public MaxPool2dSpec {
        if (window == null) throw new IllegalArgumentException("MaxPool2dSpec: window is required");
        new MaxPool2d(window); // the layer's own checks (padding at most half the kernel)
    }

    public static MaxPool2dSpec of(MaxPool2d layer) {
        return new MaxPool2dSpec(layer.window);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        LayerJson.putWindow(json, window, true);
    }

    @Override
    public MaxPool2d build(Random rng) {
        return new MaxPool2d(window);
    }

    @Override
    public String describe() {
        return "MaxPool2d(" + window + ")";
    }

    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        Shapes.requireImages(describe(), inputShape);
        return graph.node("MaxPool", Shapes.onnxWindow(window, true), input); // pads count as −∞, as in PyTorch
    }

    @Override
    public int[] outputShape(int[] input) {
        return Shapes.window(describe(), input, window, input.length == 3 ? input[0] : -1);
    }
}

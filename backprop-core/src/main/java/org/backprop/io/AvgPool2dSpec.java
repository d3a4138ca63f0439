package org.backprop.io;

import java.util.Random;
import org.backprop.kernel.Window2d;
import org.backprop.nn.AvgPool2d;

/**
 * Average pooling over each channel, as PyTorch's
 * {@code nn.AvgPool2d(kernel, stride, padding, count_include_pad=countIncludePad)} (no dilation).
 */
public record AvgPool2dSpec(Window2d window, boolean countIncludePad) implements LayerSpec {
    public AvgPool2dSpec {
        if (window == null) throw new IllegalArgumentException("AvgPool2dSpec: window is required");
        new AvgPool2d(window, countIncludePad); // the layer's own checks (no dilation, padding at most half the kernel)
    }

    public static AvgPool2dSpec of(AvgPool2d layer) {
        return new AvgPool2dSpec(layer.window, layer.countIncludePad);
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

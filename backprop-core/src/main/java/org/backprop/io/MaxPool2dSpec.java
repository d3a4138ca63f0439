package org.backprop.io;

import java.util.Random;
import org.backprop.kernel.Window2d;
import org.backprop.nn.MaxPool2d;

/** Max pooling over each channel, as PyTorch's {@code nn.MaxPool2d(kernel, stride, padding, dilation)}. */
public record MaxPool2dSpec(Window2d window) implements LayerSpec {
    public MaxPool2dSpec {
        if (window == null) throw new IllegalArgumentException("MaxPool2dSpec: window is required");
        new MaxPool2d(window); // the layer's own checks (padding at most half the kernel)
    }

    public static MaxPool2dSpec of(MaxPool2d layer) {
        return new MaxPool2dSpec(layer.window);
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

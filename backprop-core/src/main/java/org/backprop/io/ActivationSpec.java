package org.backprop.io;

import java.util.Map;
import java.util.Random;
import org.backprop.io.onnx.OnnxGraph;
import org.backprop.nn.Activation;

/**
 * A parameter-free activation layer, by name: relu, leaky_relu(negative slope), elu(alpha),
 * sigmoid, tanh, gelu (exact erf form) and softmax(axis). Each matches the PyTorch module of the
 * same name with the same settings.
 */
public sealed interface ActivationSpec extends LayerSpec {

    /** The canonical name, as in the saved JSON: relu, leaky_relu, elu, sigmoid, tanh, gelu, softmax. */
    String name();

    @Override
    Activation build(Random rng);

    @Override
    default String describe() {
        return name();
    }

    /** Element-wise (softmax: along an axis), so the shape is unchanged. */
    @Override
    default int[] outputShape(int[] input) {
        return input.clone();
    }

    /** The activation of that name with {@link Activation#named}'s defaults (slope 0.01, alpha 1, last axis). */
    static ActivationSpec named(String name) {
        return of(Activation.named(name));
    }

    /** The spec of an existing activation module. */
    static ActivationSpec of(Activation activation) {
        return switch (activation) {
            case Activation.ReLU _ -> new ReLU();
            case Activation.LeakyReLU a -> new LeakyReLU(a.negativeSlope);
            case Activation.ELU a -> new ELU(a.alpha);
            case Activation.Sigmoid _ -> new Sigmoid();
            case Activation.Tanh _ -> new Tanh();
            case Activation.GELU _ -> new GELU();
            case Activation.Softmax a -> new Softmax(a.axis);
        };
    }

    record ReLU() implements ActivationSpec {
        @Override
        public String name() {
            return "relu";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.ReLU();
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("Relu", input);
        }
    }

    record LeakyReLU(float negativeSlope) implements ActivationSpec {
        public LeakyReLU {
            requireFinite(negativeSlope, "leaky_relu negative slope");
        }

        @Override
        public String name() {
            return "leaky_relu";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.LeakyReLU(negativeSlope);
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("LeakyRelu", Map.of("alpha", negativeSlope), input);
        }

        @Override
        public String describe() {
            return "leaky_relu(" + negativeSlope + ")";
        }
    }

    record ELU(float alpha) implements ActivationSpec {
        public ELU {
            requireFinite(alpha, "elu alpha");
        }

        @Override
        public String name() {
            return "elu";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.ELU(alpha);
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("Elu", Map.of("alpha", alpha), input);
        }

        @Override
        public String describe() {
            return "elu(" + alpha + ")";
        }
    }

    record Sigmoid() implements ActivationSpec {
        @Override
        public String name() {
            return "sigmoid";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.Sigmoid();
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("Sigmoid", input);
        }
    }

    record Tanh() implements ActivationSpec {
        @Override
        public String name() {
            return "tanh";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.Tanh();
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("Tanh", input);
        }
    }

    record GELU() implements ActivationSpec {
        @Override
        public String name() {
            return "gelu";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.GELU();
        }

        /** Opset 17 has no Gelu: x · ½ · (1 + erf(x / √2)), the exact form Backprop computes. */
        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            String erf = graph.node("Erf", graph.node("Div", input, graph.constant(prefix + "sqrt2", new float[] {(float) Math.sqrt(2)})));
            String onePlus = graph.node("Add", erf, graph.constant(prefix + "one", new float[] {1f}));
            return graph.node("Mul", graph.node("Mul", input, onePlus), graph.constant(prefix + "half", new float[] {0.5f}));
        }
    }

    /** Softmax along {@code axis} (negative counts from the end, as PyTorch's {@code dim}). */
    record Softmax(int axis) implements ActivationSpec {
        @Override
        public String name() {
            return "softmax";
        }

        @Override
        public Activation build(Random rng) {
            return new Activation.Softmax(axis);
        }

        @Override
        public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
            return graph.node("Softmax", Map.of("axis", axis), input);
        }

        @Override
        public String describe() {
            return "softmax(axis=" + axis + ")";
        }
    }

    private static void requireFinite(float v, String what) {
        if (!Float.isFinite(v)) {
            throw new IllegalArgumentException(what + " must be finite, got " + v);
        }
    }
}

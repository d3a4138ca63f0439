package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.io.onnx.OnnxGraph;
import org.backprop.nn.Activation;

/**
 * A parameter-free activation layer: its name and settings, as {@link Activation} states them
 * (relu, leaky_relu(negative_slope), elu(alpha), sigmoid, tanh, gelu (exact erf form),
 * softmax(axis)). Each matches the PyTorch module of the same name with the same settings. The
 * activation kinds are known in one place, {@link Activation#create}: this one record serves them
 * all, and each name is a {@link LayerType} whose JSON fields are its settings.
 *
 * @param name     the canonical name, as in the saved JSON
 * @param settings the settings by their JSON names (floats, and softmax's integer axis)
 */
public record ActivationSpec(String name, Map<String, Number> settings) implements LayerSpec {
    /** One kind per activation: {@code {"type": "leaky_relu", "negative_slope": 0.01}}, {@code {"type": "relu"}}... */
    public static final List<LayerType> TYPES = Activation.NAMES.stream().map(ActivationSpec::type).toList();

    /** Unknown names and settings fail; a setting left out takes its default; numbers take the setting's type. */
    public ActivationSpec {
        for (Map.Entry<String, Number> e : settings.entrySet()) {
            if (!Double.isFinite(e.getValue().doubleValue())) {
                throw new IllegalArgumentException(name + " " + e.getKey() + " must be finite, got " + e.getValue());
            }
        }
        Activation built = Activation.create(name, settings);
        name = built.name();
        settings = Collections.unmodifiableMap(new LinkedHashMap<>(built.settings()));
    }

    private static LayerType type(String name) {
        Map<String, Number> defaults = Activation.named(name).settings();
        return LayerType.of(name, Activation.named(name).getClass(), ActivationSpec::of, j -> {
            Map<String, Number> read = new LinkedHashMap<>();
            for (Map.Entry<String, Number> d : defaults.entrySet()) {
                String key = d.getKey();
                read.put(key, d.getValue() instanceof Integer ? (Number) j.integer(key) : j.finiteFloat(key));
            }
            return new ActivationSpec(name, read);
        }, defaults.keySet().toArray(String[]::new));
    }

    /** The activation of that name with {@link Activation#named}'s defaults (slope 0.01, alpha 1, last axis). */
    public static ActivationSpec named(String name) {
        return of(Activation.named(name));
    }

    /** The spec of an existing activation module. */
    public static ActivationSpec of(Activation activation) {
        return new ActivationSpec(activation.name(), activation.settings());
    }

    @Override
    public String type() {
        return name;
    }

    @Override
    public void writeJson(JsonObject json) {
        settings.forEach(json::addProperty);
    }

    @Override
    public Activation build(Random rng) {
        return Activation.create(name, settings);
    }

    /** e.g. {@code relu}, {@code leaky_relu(0.01)}, {@code elu(1.0)}, {@code softmax(axis=-1)}: an integer setting is named. */
    @Override
    public String describe() {
        if (settings.isEmpty()) return name;
        StringBuilder sb = new StringBuilder(name).append('(');
        settings.forEach((k, v) -> {
            if (sb.charAt(sb.length() - 1) != '(') sb.append(", ");
            sb.append(v instanceof Integer ? k + "=" + v : v);
        });
        return sb.append(')').toString();
    }

    /** Element-wise (softmax: along an axis), so the shape is unchanged. */
    @Override
    public int[] outputShape(int[] input) {
        return input.clone();
    }

    /** The ONNX operator of each activation; GELU, which opset 17 lacks, as x · ½ · (1 + erf(x / √2)). */
    @Override
    public String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return switch (name) {
            case "relu" -> graph.node("Relu", input);
            case "leaky_relu" -> graph.node("LeakyRelu", Map.of("alpha", settings.get("negative_slope").floatValue()), input);
            case "elu" -> graph.node("Elu", Map.of("alpha", settings.get("alpha").floatValue()), input);
            case "sigmoid" -> graph.node("Sigmoid", input);
            case "tanh" -> graph.node("Tanh", input);
            case "softmax" -> graph.node("Softmax", Map.of("axis", settings.get("axis").intValue()), input);
            case "gelu" -> {
                String scaled = graph.node("Div", input, graph.constant(prefix + "sqrt2", new float[] {(float) Math.sqrt(2)}));
                String onePlus = graph.node("Add", graph.node("Erf", scaled), graph.constant(prefix + "one", new float[] {1f}));
                yield graph.node("Mul", graph.node("Mul", input, onePlus), graph.constant(prefix + "half", new float[] {0.5f}));
            }
            default -> LayerSpec.super.toOnnx(graph, prefix, input, inputShape);
        };
    }

    @Override
    public boolean anyShape() {
        return true;
    }
}

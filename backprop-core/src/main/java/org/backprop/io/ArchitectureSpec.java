package org.backprop.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;

/**
 * The architecture of a {@link Sequential} network, as data: the list of its layers. A model file
 * stores it as JSON beside the weights, so that the network can be rebuilt without code, by
 * Backprop or by the PyTorch script in {@code scripts/}.
 *
 * <p>JSON form (version 1):
 * <pre>{@code
 * {"format": "backprop.sequential", "version": 1, "layers": [
 *   {"type": "linear", "in": 4, "out": 16, "bias": true},
 *   {"type": "leaky_relu", "negative_slope": 0.01},
 *   {"type": "linear", "in": 16, "out": 3, "bias": true},
 *   {"type": "softmax", "axis": -1}]}
 * }</pre>
 * Other types: relu, elu ({@code alpha}), sigmoid, tanh, gelu. The parameters of layer {@code i}
 * are named {@code i.weight} and {@code i.bias}, as in PyTorch's {@code nn.Sequential}.
 *
 * @param layers the layers in order; consecutive linear layers must agree on their sizes
 */
public record ArchitectureSpec(List<LayerSpec> layers) {
    /** The value of the JSON's {@code format} field. */
    public static final String FORMAT = "backprop.sequential";

    /** The JSON version this class writes and reads. */
    public static final int VERSION = 1;

    public ArchitectureSpec {
        layers = List.copyOf(layers);
        LinearSpec previous = null;
        int previousIndex = -1;
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof LinearSpec l) {
                if (previous != null && previous.out() != l.in()) {
                    throw new IllegalArgumentException("architecture: layer " + i + " " + l.describe() + " takes " + l.in()
                            + " inputs but layer " + previousIndex + " " + previous.describe() + " gives " + previous.out());
                }
                previous = l;
                previousIndex = i;
            }
        }
    }

    public ArchitectureSpec(LayerSpec... layers) {
        this(List.of(layers));
    }

    /**
     * The architecture of an existing network.
     *
     * @throws IllegalArgumentException naming every layer that a model file cannot describe
     *                                  (anything but {@link Linear} and {@link Activation}s)
     */
    public static ArchitectureSpec of(Sequential model) {
        List<LayerSpec> specs = new ArrayList<>();
        List<String> unsupported = new ArrayList<>();
        List<Module> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            switch (layers.get(i)) {
                case Linear l -> specs.add(LinearSpec.of(l));
                case Activation a -> specs.add(ActivationSpec.of(a));
                case Module m -> {
                    String type = m.getClass().getSimpleName();
                    unsupported.add(i + " (" + (type.isEmpty() ? m.getClass().getName() : type) + ")");
                }
            }
        }
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("a model file can describe only Linear layers and activations (relu, "
                    + "leaky_relu, elu, sigmoid, tanh, gelu, softmax); unsupported layer"
                    + (unsupported.size() > 1 ? "s " : " ") + String.join(", ", unsupported));
        }
        return new ArchitectureSpec(specs);
    }

    /** A new network of this architecture with parameters drawn from {@code rng}. */
    public Sequential build(Random rng) {
        Sequential model = new Sequential();
        for (LayerSpec layer : layers) model.add(layer.build(rng));
        return model;
    }

    /** The parameter names and shapes a network of this architecture has, in its state-dict order. */
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        for (int i = 0; i < layers.size(); i++) {
            if (layers.get(i) instanceof LinearSpec l) {
                shapes.put(i + ".weight", new int[] {l.out(), l.in()});
                if (l.bias()) shapes.put(i + ".bias", new int[] {l.out()});
            }
        }
        return shapes;
    }

    /** The number of input features: the first linear layer's {@code in}, if there is one. */
    public OptionalInt inputSize() {
        for (LayerSpec l : layers) if (l instanceof LinearSpec s) return OptionalInt.of(s.in());
        return OptionalInt.empty();
    }

    /** The number of outputs: the last linear layer's {@code out}, if there is one. */
    public OptionalInt outputSize() {
        for (LayerSpec l : layers.reversed()) if (l instanceof LinearSpec s) return OptionalInt.of(s.out());
        return OptionalInt.empty();
    }

    /** One line per layer, e.g. {@code 0: Linear(in=4, out=8, bias=true)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < layers.size(); i++) {
            sb.append(i).append(": ").append(layers.get(i).describe()).append('\n');
        }
        return sb.toString();
    }

    // ---------------------------------------------------------------- JSON

    /** The JSON form described in the class documentation. */
    public String toJson() {
        JsonObject root = new JsonObject();
        root.addProperty("format", FORMAT);
        root.addProperty("version", VERSION);
        JsonArray array = new JsonArray();
        for (LayerSpec layer : layers) {
            JsonObject o = new JsonObject();
            switch (layer) {
                case LinearSpec l -> {
                    o.addProperty("type", "linear");
                    o.addProperty("in", l.in());
                    o.addProperty("out", l.out());
                    o.addProperty("bias", l.bias());
                }
                case ActivationSpec a -> {
                    o.addProperty("type", a.name());
                    switch (a) {
                        case ActivationSpec.LeakyReLU r -> o.addProperty("negative_slope", r.negativeSlope());
                        case ActivationSpec.ELU e -> o.addProperty("alpha", e.alpha());
                        case ActivationSpec.Softmax s -> o.addProperty("axis", s.axis());
                        case ActivationSpec.ReLU _, ActivationSpec.Sigmoid _, ActivationSpec.Tanh _,
                             ActivationSpec.GELU _ -> { } // no settings
                    }
                }
            }
            array.add(o);
        }
        root.add("layers", array);
        return Json.write(root);
    }

    /**
     * Parses the JSON form.
     *
     * @throws IllegalArgumentException naming the layer and field at fault
     */
    public static ArchitectureSpec fromJson(String json) {
        JsonObject root = Json.parseObject(json, "architecture");
        Set<String> fields = Set.of("format", "version", "layers");
        Json.requireFields(root, "architecture", fields, fields);
        String format = Json.string(root.get("format"), "architecture \"format\"");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException("architecture: format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = Json.integer(root.get("version"), "architecture \"version\"");
        if (version != VERSION) {
            throw new IllegalArgumentException("architecture: version " + version + " is not supported (this Backprop "
                    + "reads version " + VERSION + ")");
        }
        if (!root.get("layers").isJsonArray()) {
            throw new IllegalArgumentException("architecture: \"layers\" must be an array, found " + root.get("layers"));
        }
        JsonArray array = root.getAsJsonArray("layers");
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) layers.add(layerFromJson(array.get(i), "architecture layer " + i));
        return new ArchitectureSpec(layers);
    }

    private static LayerSpec layerFromJson(JsonElement element, String where) {
        if (!element.isJsonObject()) throw new IllegalArgumentException(where + " must be a JSON object, found " + element);
        JsonObject o = element.getAsJsonObject();
        if (!o.has("type")) throw new IllegalArgumentException(where + ": missing \"type\"");
        String type = Json.string(o.get("type"), where + " \"type\"");
        String at = where + " (" + type + ")";
        Set<String> fields = switch (type) {
            case "linear" -> Set.of("type", "in", "out", "bias");
            case "leaky_relu" -> Set.of("type", "negative_slope");
            case "elu" -> Set.of("type", "alpha");
            case "softmax" -> Set.of("type", "axis");
            case "relu", "sigmoid", "tanh", "gelu" -> Set.of("type");
            default -> throw new IllegalArgumentException(where + ": unknown layer type '" + type
                    + "' (known: linear, relu, leaky_relu, elu, sigmoid, tanh, gelu, softmax)");
        };
        Json.requireFields(o, at, fields, fields);
        try {
            return switch (type) {
                case "linear" -> new LinearSpec(Json.integer(o.get("in"), at + " \"in\""),
                        Json.integer(o.get("out"), at + " \"out\""), Json.bool(o.get("bias"), at + " \"bias\""));
                case "leaky_relu" -> new ActivationSpec.LeakyReLU(
                        Json.finiteFloat(o.get("negative_slope"), at + " \"negative_slope\""));
                case "elu" -> new ActivationSpec.ELU(Json.finiteFloat(o.get("alpha"), at + " \"alpha\""));
                case "softmax" -> new ActivationSpec.Softmax(Json.integer(o.get("axis"), at + " \"axis\""));
                default -> ActivationSpec.named(type);
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(at)) throw e;
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e); // a record's own check
        }
    }
}

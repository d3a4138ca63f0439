package org.backprop.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import org.backprop.kernel.Window2d;
import org.backprop.nn.Activation;
import org.backprop.nn.AvgPool2d;
import org.backprop.nn.BatchNorm;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Dropout;
import org.backprop.nn.Flatten;
import org.backprop.nn.LayerNorm;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;
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
 * Other types: relu, elu ({@code alpha}), sigmoid, tanh, gelu; and for image networks
 * <pre>{@code
 *   {"type": "conv2d", "in": 1, "out": 6, "kernel": [5, 5], "stride": [1, 1], "padding": [2, 2],
 *    "dilation": [1, 1], "bias": true}
 *   {"type": "max_pool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1]}
 *   {"type": "avg_pool2d", "kernel": [2, 2], "stride": [2, 2], "padding": [0, 0], "count_include_pad": true}
 *   {"type": "flatten", "start": 1, "end": -1}
 *   {"type": "batch_norm2d", "channels": 16, "eps": 1e-5, "momentum": 0.1}   (also batch_norm1d)
 *   {"type": "dropout", "p": 0.25}
 *   {"type": "layer_norm", "shape": [64], "eps": 1e-5, "affine": true}
 *   {"type": "sequential", "layers": [ ... ]}
 * }</pre>
 * and an optional top-level {@code "input_shape": [1, 28, 28]}, the shape of one sample (files
 * without it, as written before it existed, still load). The tensors of layer {@code i} are named
 * {@code i.weight}, {@code i.bias}, {@code i.running_mean} ..., and those of layer {@code j} of a
 * nested sequential {@code i.j.weight}, as in PyTorch's {@code nn.Sequential} state dict.
 *
 * @param layers     the layers in order; consecutive linear layers must agree on their sizes
 * @param inputShape the shape of one input sample without the batch axis, or empty when not
 *                   recorded; when given, every layer must accept what the one before gives
 */
public record ArchitectureSpec(List<LayerSpec> layers, List<Integer> inputShape) {
    /** The value of the JSON's {@code format} field. */
    public static final String FORMAT = "backprop.sequential";

    /** The JSON version this class writes and reads. New fields are optional, so version 1 files of any age load. */
    public static final int VERSION = 1;

    public ArchitectureSpec {
        layers = List.copyOf(layers);
        inputShape = List.copyOf(inputShape);
        if (inputShape.stream().anyMatch(d -> d <= 0)) {
            throw new IllegalArgumentException("architecture: input shape sizes must be positive, got " + inputShape);
        }
        LinearSpec previous = null;
        int previousIndex = -1;
        for (int i = 0; i < layers.size(); i++) {
            switch (layers.get(i)) {
                case LinearSpec l -> {
                    if (previous != null && previous.out() != l.in()) {
                        throw new IllegalArgumentException("architecture: layer " + i + " " + l.describe() + " takes "
                                + l.in() + " inputs but layer " + previousIndex + " " + previous.describe() + " gives "
                                + previous.out());
                    }
                    previous = l;
                    previousIndex = i;
                }
                case Conv2dSpec _, MaxPool2dSpec _, AvgPool2dSpec _, FlattenSpec _, SequentialSpec _ -> previous = null;
                case ActivationSpec _, BatchNormSpec _, DropoutSpec _, LayerNormSpec _ -> { } // keep the width
            }
        }
        if (!inputShape.isEmpty()) {
            int[] shape = inputShape.stream().mapToInt(Integer::intValue).toArray();
            for (int i = 0; i < layers.size(); i++) {
                try {
                    shape = layers.get(i).outputShape(shape);
                } catch (IllegalArgumentException e) {
                    throw new IllegalArgumentException("architecture: layer " + i + " does not fit the input shape "
                            + inputShape + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** An architecture without a recorded input shape. */
    public ArchitectureSpec(List<LayerSpec> layers) {
        this(layers, List.of());
    }

    public ArchitectureSpec(LayerSpec... layers) {
        this(List.of(layers));
    }

    /**
     * The architecture of an existing network, without a recorded input shape.
     *
     * @throws IllegalArgumentException naming every layer that a model file cannot describe
     */
    public static ArchitectureSpec of(Sequential model) {
        return of(model, List.of());
    }

    /**
     * The architecture of an existing network that takes samples of {@code inputShape} (without
     * the batch axis; empty when unknown).
     *
     * @throws IllegalArgumentException naming every layer that a model file cannot describe, or
     *                                  when a layer cannot take what the one before it gives
     */
    public static ArchitectureSpec of(Sequential model, List<Integer> inputShape) {
        List<String> unsupported = new ArrayList<>();
        List<LayerSpec> specs = describeLayers(model, "", unsupported);
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("a model file cannot describe unsupported layer"
                    + (unsupported.size() > 1 ? "s " : " ") + String.join(", ", unsupported) + " (it describes Linear, Conv2d, MaxPool2d, AvgPool2d, Flatten, "
                    + "BatchNorm1d/2d, Dropout, LayerNorm, nested Sequential and the activations relu, leaky_relu, elu, "
                    + "sigmoid, tanh, gelu, softmax)");
        }
        return new ArchitectureSpec(specs, inputShape);
    }

    private static List<LayerSpec> describeLayers(Sequential model, String prefix, List<String> unsupported) {
        List<LayerSpec> specs = new ArrayList<>();
        List<Module> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec spec = switch (layers.get(i)) {
                case Linear l -> LinearSpec.of(l);
                case Activation a -> ActivationSpec.of(a);
                case Conv2d c -> Conv2dSpec.of(c);
                case MaxPool2d p -> MaxPool2dSpec.of(p);
                case AvgPool2d p -> AvgPool2dSpec.of(p);
                case Flatten f -> FlattenSpec.of(f);
                case BatchNorm b -> BatchNormSpec.of(b);
                case Dropout d -> DropoutSpec.of(d);
                case LayerNorm n -> LayerNormSpec.of(n);
                case Sequential s -> new SequentialSpec(describeLayers(s, prefix + i + ".", unsupported));
                case Module m -> {
                    String type = m.getClass().getSimpleName();
                    unsupported.add(prefix + i + " (" + (type.isEmpty() ? m.getClass().getName() : type) + ")");
                    yield null;
                }
            };
            specs.add(spec);
        }
        return unsupported.isEmpty() ? specs : List.of();
    }

    /** The same layers with {@code inputShape} recorded (checked against the layers). */
    public ArchitectureSpec withInputShape(List<Integer> inputShape) {
        return new ArchitectureSpec(layers, inputShape);
    }

    /** A new network of this architecture with parameters drawn from {@code rng}. */
    public Sequential build(Random rng) {
        Sequential model = new Sequential();
        for (LayerSpec layer : layers) model.add(layer.build(rng));
        return model;
    }

    /** The trainable tensor names and shapes a network of this architecture has, in its state-dict order. */
    public Map<String, int[]> parameterShapes() {
        return SequentialSpec.prefixed(layers, LayerSpec::parameterShapes);
    }

    /**
     * Everything the network's state dict holds, names and shapes, in its order: the parameters
     * and the buffers (batch-norm running statistics). A model file holds exactly these.
     */
    public Map<String, int[]> stateShapes() {
        return SequentialSpec.prefixed(layers, LayerSpec::stateShapes);
    }

    /**
     * The output shape of each layer for one sample (without the batch axis), when the input
     * shape is known: the recorded one, or {@code [in]} of a leading linear layer; empty otherwise.
     */
    public Optional<List<int[]>> layerOutputShapes() {
        int[] shape;
        if (!inputShape.isEmpty()) {
            shape = inputShape.stream().mapToInt(Integer::intValue).toArray();
        } else if (inputSize().isPresent()) {
            shape = new int[] {inputSize().getAsInt()};
        } else {
            return Optional.empty();
        }
        List<int[]> shapes = new ArrayList<>();
        for (LayerSpec layer : layers) {
            shape = layer.outputShape(shape);
            shapes.add(shape);
        }
        return Optional.of(shapes);
    }

    /**
     * The number of input features of one sample: the product of the recorded input shape, else
     * the first linear layer's {@code in} when nothing before it changes shapes; empty otherwise.
     */
    public OptionalInt inputSize() {
        if (!inputShape.isEmpty()) return OptionalInt.of(inputShape.stream().reduce(1, Math::multiplyExact));
        for (LayerSpec l : layers) {
            switch (l) {
                case LinearSpec s -> {
                    return OptionalInt.of(s.in());
                }
                case ActivationSpec _, DropoutSpec _ -> { } // shape-preserving, look further
                default -> {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    /** The number of outputs: the last layer's {@code out} when it is linear (activations after it allowed). */
    public OptionalInt outputSize() {
        for (LayerSpec l : layers.reversed()) {
            switch (l) {
                case LinearSpec s -> {
                    return OptionalInt.of(s.out());
                }
                case ActivationSpec _, DropoutSpec _, BatchNormSpec _, LayerNormSpec _ -> { } // shape-preserving
                default -> {
                    return OptionalInt.empty();
                }
            }
        }
        return OptionalInt.empty();
    }

    /** One line per layer, e.g. {@code 0: Linear(in=4, out=8, bias=true)}. */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        if (!inputShape.isEmpty()) sb.append("input: ").append(inputShape).append('\n');
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
        if (!inputShape.isEmpty()) root.add("input_shape", ints(inputShape.stream().mapToInt(Integer::intValue).toArray()));
        root.add("layers", layersToJson(layers));
        return Json.write(root);
    }

    private static JsonArray layersToJson(List<LayerSpec> layers) {
        JsonArray array = new JsonArray();
        for (LayerSpec layer : layers) array.add(layerToJson(layer));
        return array;
    }

    private static JsonObject layerToJson(LayerSpec layer) {
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
            case Conv2dSpec c -> {
                o.addProperty("type", "conv2d");
                o.addProperty("in", c.in());
                o.addProperty("out", c.out());
                addWindow(o, c.window(), true);
                o.addProperty("bias", c.bias());
            }
            case MaxPool2dSpec p -> {
                o.addProperty("type", "max_pool2d");
                addWindow(o, p.window(), true);
            }
            case AvgPool2dSpec p -> {
                o.addProperty("type", "avg_pool2d");
                addWindow(o, p.window(), false);
                o.addProperty("count_include_pad", p.countIncludePad());
            }
            case FlattenSpec f -> {
                o.addProperty("type", "flatten");
                o.addProperty("start", f.start());
                o.addProperty("end", f.end());
            }
            case BatchNormSpec b -> {
                o.addProperty("type", b.name());
                o.addProperty("channels", b.channels());
                o.addProperty("eps", b.eps());
                o.addProperty("momentum", b.momentum());
            }
            case DropoutSpec d -> {
                o.addProperty("type", "dropout");
                o.addProperty("p", d.p());
            }
            case LayerNormSpec n -> {
                o.addProperty("type", "layer_norm");
                o.add("shape", ints(n.shape().stream().mapToInt(Integer::intValue).toArray()));
                o.addProperty("eps", n.eps());
                o.addProperty("affine", n.affine());
            }
            case SequentialSpec q -> {
                o.addProperty("type", "sequential");
                o.add("layers", layersToJson(q.layers()));
            }
        }
        return o;
    }

    private static void addWindow(JsonObject o, Window2d w, boolean dilation) {
        o.add("kernel", ints(w.kh(), w.kw()));
        o.add("stride", ints(w.sh(), w.sw()));
        o.add("padding", ints(w.ph(), w.pw()));
        if (dilation) o.add("dilation", ints(w.dh(), w.dw()));
    }

    private static JsonArray ints(int... values) {
        JsonArray a = new JsonArray();
        for (int v : values) a.add(v);
        return a;
    }

    /**
     * Parses the JSON form.
     *
     * @throws IllegalArgumentException naming the layer and field at fault
     */
    public static ArchitectureSpec fromJson(String json) {
        JsonObject root = Json.parseObject(json, "architecture");
        Json.requireFields(root, "architecture", Set.of("format", "version", "layers"),
                Set.of("format", "version", "layers", "input_shape"));
        String format = Json.string(root.get("format"), "architecture \"format\"");
        if (!format.equals(FORMAT)) {
            throw new IllegalArgumentException("architecture: format is '" + format + "', expected '" + FORMAT + "'");
        }
        int version = Json.integer(root.get("version"), "architecture \"version\"");
        if (version != VERSION) {
            throw new IllegalArgumentException("architecture: version " + version + " is not supported (this Backprop "
                    + "reads version " + VERSION + ")");
        }
        List<LayerSpec> layers = layersFromJson(root.get("layers"), "architecture");
        List<Integer> inputShape = root.has("input_shape")
                ? intList(root.get("input_shape"), -1, "architecture \"input_shape\"") : List.of();
        return new ArchitectureSpec(layers, inputShape);
    }

    private static List<LayerSpec> layersFromJson(JsonElement element, String where) {
        if (!element.isJsonArray()) {
            throw new IllegalArgumentException(where + ": \"layers\" must be an array, found " + element);
        }
        JsonArray array = element.getAsJsonArray();
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) layers.add(layerFromJson(array.get(i), where + " layer " + i));
        return layers;
    }

    private static final Set<String> WINDOW = Set.of("type", "kernel", "stride", "padding", "dilation");

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
            case "conv2d" -> Set.of("type", "in", "out", "kernel", "stride", "padding", "dilation", "bias");
            case "max_pool2d" -> WINDOW;
            case "avg_pool2d" -> Set.of("type", "kernel", "stride", "padding", "count_include_pad");
            case "flatten" -> Set.of("type", "start", "end");
            case "batch_norm1d", "batch_norm2d" -> Set.of("type", "channels", "eps", "momentum");
            case "dropout" -> Set.of("type", "p");
            case "layer_norm" -> Set.of("type", "shape", "eps", "affine");
            case "sequential" -> Set.of("type", "layers");
            default -> throw new IllegalArgumentException(where + ": unknown layer type '" + type
                    + "' (known: linear, relu, leaky_relu, elu, sigmoid, tanh, gelu, softmax, conv2d, max_pool2d, "
                    + "avg_pool2d, flatten, batch_norm1d, batch_norm2d, dropout, layer_norm, sequential)");
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
                case "conv2d" -> new Conv2dSpec(Json.integer(o.get("in"), at + " \"in\""),
                        Json.integer(o.get("out"), at + " \"out\""), window(o, at, true),
                        Json.bool(o.get("bias"), at + " \"bias\""));
                case "max_pool2d" -> new MaxPool2dSpec(window(o, at, true));
                case "avg_pool2d" -> new AvgPool2dSpec(window(o, at, false),
                        Json.bool(o.get("count_include_pad"), at + " \"count_include_pad\""));
                case "flatten" -> new FlattenSpec(Json.integer(o.get("start"), at + " \"start\""),
                        Json.integer(o.get("end"), at + " \"end\""));
                case "batch_norm1d", "batch_norm2d" -> new BatchNormSpec(type.equals("batch_norm1d") ? 1 : 2,
                        Json.integer(o.get("channels"), at + " \"channels\""),
                        Json.finiteFloat(o.get("eps"), at + " \"eps\""),
                        Json.finiteFloat(o.get("momentum"), at + " \"momentum\""));
                case "dropout" -> new DropoutSpec(Json.finiteFloat(o.get("p"), at + " \"p\""));
                case "layer_norm" -> new LayerNormSpec(intList(o.get("shape"), -1, at + " \"shape\""),
                        Json.finiteFloat(o.get("eps"), at + " \"eps\""), Json.bool(o.get("affine"), at + " \"affine\""));
                case "sequential" -> new SequentialSpec(layersFromJson(o.get("layers"), at));
                default -> ActivationSpec.named(type);
            };
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(at)) throw e;
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e); // a record's own check
        }
    }

    /** kernel, stride, padding (and dilation, else 1) as [height, width] pairs. */
    private static Window2d window(JsonObject o, String at, boolean dilation) {
        List<Integer> k = intList(o.get("kernel"), 2, at + " \"kernel\"");
        List<Integer> s = intList(o.get("stride"), 2, at + " \"stride\"");
        List<Integer> p = intList(o.get("padding"), 2, at + " \"padding\"");
        List<Integer> d = dilation ? intList(o.get("dilation"), 2, at + " \"dilation\"") : List.of(1, 1);
        return new Window2d(k.get(0), k.get(1), s.get(0), s.get(1), p.get(0), p.get(1), d.get(0), d.get(1));
    }

    /** A JSON array of integers, of exactly {@code length} entries (any non-zero number when {@code length} is −1). */
    private static List<Integer> intList(JsonElement e, int length, String what) {
        if (e == null || !e.isJsonArray() || (length >= 0 ? e.getAsJsonArray().size() != length : e.getAsJsonArray().isEmpty())) {
            throw new IllegalArgumentException(what + " must be an array of " + (length >= 0 ? length + " integers"
                    : "integers") + ", found " + e);
        }
        List<Integer> out = new ArrayList<>();
        for (JsonElement x : e.getAsJsonArray()) out.add(Json.integer(x, what + " entry"));
        return out;
    }
}

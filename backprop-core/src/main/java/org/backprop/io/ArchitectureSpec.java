package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
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
 * Other types (each spec's {@code TYPE} shows its JSON; {@link LayerTypes} lists them all): relu,
 * elu ({@code alpha}), sigmoid, tanh, gelu; and for image networks
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
            LayerSpec layer = layers.get(i);
            if (layer instanceof LinearSpec l) {
                if (previous != null && previous.out() != l.in()) {
                    throw new IllegalArgumentException("architecture: layer " + i + " " + l.describe() + " takes "
                            + l.in() + " inputs but layer " + previousIndex + " " + previous.describe() + " gives "
                            + previous.out());
                }
                previous = l;
                previousIndex = i;
            } else if (!layer.keepsShape()) {
                previous = null;
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
        List<LayerSpec> specs = LayerTypes.describeAll(model, "", unsupported);
        if (!unsupported.isEmpty()) {
            throw new IllegalArgumentException("a model file cannot describe unsupported layer"
                    + (unsupported.size() > 1 ? "s " : " ") + String.join(", ", unsupported) + " (it describes the layer "
                    + "types " + LayerTypes.names() + ")");
        }
        return new ArchitectureSpec(specs, inputShape);
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
            if (l instanceof LinearSpec s) return OptionalInt.of(s.in());
            if (!l.anyShape()) return OptionalInt.empty(); // else shape-preserving whatever comes: look further
        }
        return OptionalInt.empty();
    }

    /** The number of outputs: the last layer's {@code out} when it is linear (activations after it allowed). */
    public OptionalInt outputSize() {
        for (LayerSpec l : layers.reversed()) {
            if (l instanceof LinearSpec s) return OptionalInt.of(s.out());
            if (!l.keepsShape()) return OptionalInt.empty();
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
        if (!inputShape.isEmpty()) root.add("input_shape", LayerJson.ints(inputShape));
        root.add("layers", LayerTypes.writeAll(layers));
        return Json.write(root);
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
        List<LayerSpec> layers = LayerTypes.readAll(root.get("layers"), "architecture");
        List<Integer> inputShape = root.has("input_shape")
                ? new LayerJson(root, "architecture").ints("input_shape", -1) : List.of();
        return new ArchitectureSpec(layers, inputShape);
    }
}

package org.backprop.io.onnx;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.backprop.tensor.Tensor;

/**
 * An ONNX graph under construction: layers add their nodes with {@link #node}, their weights
 * with {@link #weight} (taken from the model's state dict by name) and their fixed numbers with
 * {@link #constant}; {@link #toModel} writes the {@code ModelProto} bytes. Each layer type maps
 * itself (see {@code LayerSpec.toOnnx}), so a new layer brings its own mapping.
 *
 * <p>The ONNX field numbers used below are those of {@code onnx.proto} (ModelProto, GraphProto,
 * NodeProto, AttributeProto, TensorProto, ValueInfoProto, TypeProto).
 */
public final class OnnxGraph {
    /** The name of the symbolic batch dimension of inputs and outputs. */
    public static final String BATCH = "batch";
    /** The graph's input: a float tensor [batch, one sample's shape...]. */
    public static final String INPUT = "input";
    /** The graph's output. */
    public static final String OUTPUT = "output";

    private static final int FLOAT = 1, INT64 = 7;                     // TensorProto.DataType
    private static final int ATTR_FLOAT = 1, ATTR_INT = 2, ATTR_STRING = 3, ATTR_FLOATS = 6, ATTR_INTS = 7, ATTR_STRINGS = 8;

    private final Map<String, Tensor> state;
    private final List<Protobuf> nodes = new ArrayList<>();
    private final List<Protobuf> initializers = new ArrayList<>();
    private final Set<String> names = new HashSet<>();
    private final Map<String, String> weights = new LinkedHashMap<>();
    private int counter;

    /** A graph whose layers take their weights from {@code state} (a state dict). */
    public OnnxGraph(Map<String, Tensor> state) {
        this.state = Map.copyOf(state);
        names.add(INPUT);
        names.add(OUTPUT);
    }

    /**
     * Adds a node and returns the name of its (single) output.
     *
     * @param op         the ONNX operator, e.g. {@code Conv}
     * @param attributes attribute values: Integer/Long (int), Float/Double (float), String,
     *                   int[]/long[] (ints), float[] (floats), String[] (strings)
     * @param inputs     the input value names, in the operator's order
     */
    public String node(String op, Map<String, ?> attributes, String... inputs) {
        String output = fresh(op.toLowerCase(java.util.Locale.ROOT));
        Protobuf n = new Protobuf();
        for (String in : inputs) n.string(1, in);
        n.string(2, output).string(3, output).string(4, op);
        attributes.forEach((name, value) -> n.message(5, attribute(name, value)));
        nodes.add(n);
        return output;
    }

    /** A node without attributes. */
    public String node(String op, String... inputs) {
        return node(op, Map.of(), inputs);
    }

    /** The state-dict tensor {@code name} as an initializer of the same name (added once). */
    public String weight(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("ONNX export: the model has no tensor '" + name + "'");
        return weights.computeIfAbsent(name, n -> {
            names.add(n);
            initializers.add(tensor(n, t.toFloatArray(), t.shape()));
            return n;
        });
    }

    /** The values of the state-dict tensor {@code name}, for a layer that rearranges them into a {@link #constant}. */
    public float[] values(String name) {
        Tensor t = state.get(name);
        if (t == null) throw new IllegalArgumentException("ONNX export: the model has no tensor '" + name + "'");
        return t.toFloatArray();
    }

    /** The state-dict tensor {@code name}, read as a matrix and stored transposed ({@code name_T}). */
    public String transposedWeight(String name) {
        Tensor t = state.get(name);
        if (t == null || t.dim() != 2) throw new IllegalArgumentException("ONNX export: no matrix '" + name + "'");
        int rows = t.size(0), cols = t.size(1);
        float[] a = t.toFloatArray(), at = new float[a.length];
        for (int i = 0; i < rows; i++) for (int j = 0; j < cols; j++) at[j * rows + i] = a[i * cols + j];
        return constant(name + "_T", at, cols, rows);
    }

    /** A float initializer of the given shape (empty: a scalar) under a fresh name based on {@code hint}. */
    public String constant(String hint, float[] values, int... shape) {
        String name = fresh(hint);
        initializers.add(tensor(name, values, shape));
        return name;
    }

    /** An int64 initializer (a shape for Reshape, for example). */
    public String constantInts(String hint, long[] values, int... shape) {
        String name = fresh(hint);
        Protobuf t = new Protobuf();
        t.packedVarints(1, toLongs(shape)).varint(2, INT64).packedVarints(7, values).string(8, name);
        initializers.add(t);
        return name;
    }

    /**
     * The model's bytes: this graph with the float input {@link #INPUT} and the float output
     * {@link #OUTPUT}, both with the symbolic first dimension {@link #BATCH}.
     *
     * @param inputShape  one sample's shape (without the batch axis)
     * @param outputValue the value the last node computes, which becomes {@link #OUTPUT}
     * @param outputShape one output's shape
     * @param metadata    written as the model's {@code metadata_props}
     */
    public byte[] toModel(String graphName, int[] inputShape, String outputValue, int[] outputShape, int opset,
            int irVersion, String producerVersion, Map<String, String> metadata) {
        String input = INPUT, output = OUTPUT;
        Protobuf graph = new Protobuf();
        for (Protobuf n : nodes) graph.message(1, n);
        if (!outputValue.equals(output)) { // the last layer's value gets the public output name
            graph.message(1, new Protobuf().string(1, outputValue).string(2, output).string(3, output).string(4, "Identity"));
        }
        graph.string(2, graphName);
        for (Protobuf t : initializers) graph.message(5, t);
        graph.message(11, valueInfo(input, inputShape));
        graph.message(12, valueInfo(output, outputShape));
        Protobuf model = new Protobuf().varint(1, irVersion).string(2, "backprop").string(3, producerVersion);
        model.message(7, graph);
        model.message(8, new Protobuf().string(1, "").varint(2, opset));
        metadata.forEach((k, v) -> model.message(14, new Protobuf().string(1, k).string(2, v)));
        return model.toByteArray();
    }

    /** A name not used yet in this graph. */
    private String fresh(String hint) {
        String name = hint;
        while (!names.add(name)) name = hint + "_" + (++counter);
        return name;
    }

    private static Protobuf valueInfo(String name, int[] sampleShape) {
        Protobuf shape = new Protobuf().message(1, new Protobuf().string(2, BATCH));
        for (int d : sampleShape) shape.message(1, new Protobuf().varint(1, d));
        Protobuf tensorType = new Protobuf().varint(1, FLOAT).message(2, shape);
        return new Protobuf().string(1, name).message(2, new Protobuf().message(1, tensorType));
    }

    private static Protobuf tensor(String name, float[] values, int[] shape) {
        ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN); // raw_data is little-endian
        raw.asFloatBuffer().put(values);
        return new Protobuf().packedVarints(1, toLongs(shape)).varint(2, FLOAT).string(8, name).bytes(9, raw.array());
    }

    private static Protobuf attribute(String name, Object value) {
        Protobuf a = new Protobuf().string(1, name);
        switch (value) {
            case Integer i -> a.varint(3, i).varint(20, ATTR_INT);
            case Long l -> a.varint(3, l).varint(20, ATTR_INT);
            case Float f -> a.float32(2, f).varint(20, ATTR_FLOAT);
            case Double d -> a.float32(2, d.floatValue()).varint(20, ATTR_FLOAT);
            case String s -> a.string(4, s).varint(20, ATTR_STRING);
            case String[] strings -> {
                for (String s : strings) a.string(9, s);
                a.varint(20, ATTR_STRINGS);
            }
            case int[] ints -> a.packedVarints(8, toLongs(ints)).varint(20, ATTR_INTS);
            case long[] longs -> a.packedVarints(8, longs).varint(20, ATTR_INTS);
            case float[] floats -> {
                for (float f : floats) a.float32(7, f);
                a.varint(20, ATTR_FLOATS);
            }
            default -> throw new IllegalArgumentException("ONNX attribute " + name + ": unsupported value " + value);
        }
        return a;
    }

    private static long[] toLongs(int[] ints) {
        long[] out = new long[ints.length];
        for (int i = 0; i < ints.length; i++) out[i] = ints[i];
        return out;
    }
}

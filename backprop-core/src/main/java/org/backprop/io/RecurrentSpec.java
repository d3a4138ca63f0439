package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.io.onnx.OnnxGraph;
import org.backprop.nn.GRU;
import org.backprop.nn.LSTM;
import org.backprop.nn.RNN;
import org.backprop.nn.Recurrent;

/**
 * A stack of recurrent layers, as PyTorch's {@code nn.LSTM}, {@code nn.GRU} or {@code nn.RNN}
 * (input, hidden, num_layers, bidirectional, batch_first, dropout; for the RNN its
 * nonlinearity), saved under PyTorch's names ({@code <index>.weight_ih_l0}, ...,
 * {@code _reverse}). In a model file the layer returns its output sequence, as the torch side's
 * {@code output, _ = rnn(x)}.
 */
public record RecurrentSpec(Recurrent.Cell cell, int input, int hidden, int layers, boolean bidirectional,
        boolean batchFirst, float dropout) implements LayerSpec {
    private static final String[] FIELDS = {"input", "hidden", "layers", "bidirectional", "batch_first", "dropout"};

    /** JSON: {@code {"type": "lstm", "input": 128, "hidden": 128, "layers": 2, "bidirectional": false, "batch_first": true, "dropout": 0.0}}. */
    public static final LayerType LSTM_TYPE = LayerType.of("lstm", LSTM.class, RecurrentSpec::of,
            j -> read(Recurrent.Cell.LSTM, j), FIELDS);
    /** As {@link #LSTM_TYPE}, {@code "type": "gru"}. */
    public static final LayerType GRU_TYPE = LayerType.of("gru", GRU.class, RecurrentSpec::of,
            j -> read(Recurrent.Cell.GRU, j), FIELDS);
    /** As {@link #LSTM_TYPE} with {@code "relu": true|false} (PyTorch's nonlinearity). */
    public static final LayerType RNN_TYPE = LayerType.of("rnn", RNN.class, RecurrentSpec::of,
            j -> read(j.bool("relu") ? Recurrent.Cell.RNN_RELU : Recurrent.Cell.RNN_TANH, j),
            "input", "hidden", "layers", "bidirectional", "batch_first", "dropout", "relu");

    public static final List<LayerType> TYPES = List.of(LSTM_TYPE, GRU_TYPE, RNN_TYPE);

    public RecurrentSpec {
        if (input <= 0 || hidden <= 0 || layers <= 0) {
            throw new IllegalArgumentException("RecurrentSpec: sizes must be positive, got input=" + input + ", hidden=" + hidden
                    + ", layers=" + layers);
        }
        if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("RecurrentSpec: dropout must be in [0, 1), got " + dropout);
    }

    private static RecurrentSpec read(Recurrent.Cell cell, LayerJson j) {
        return new RecurrentSpec(cell, j.integer("input"), j.integer("hidden"), j.integer("layers"), j.bool("bidirectional"),
                j.bool("batch_first"), j.finiteFloat("dropout"));
    }

    public static RecurrentSpec of(Recurrent r) {
        return new RecurrentSpec(r.cell, r.inputSize, r.hiddenSize, r.numLayers, r.bidirectional, r.batchFirst, r.dropout);
    }

    @Override
    public String type() {
        return switch (cell) {
            case LSTM -> LSTM_TYPE.name();
            case GRU -> GRU_TYPE.name();
            case RNN_TANH, RNN_RELU -> RNN_TYPE.name();
        };
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("input", input);
        json.addProperty("hidden", hidden);
        json.addProperty("layers", layers);
        json.addProperty("bidirectional", bidirectional);
        json.addProperty("batch_first", batchFirst);
        json.addProperty("dropout", dropout);
        if (cell == Recurrent.Cell.RNN_TANH || cell == Recurrent.Cell.RNN_RELU) json.addProperty("relu", cell == Recurrent.Cell.RNN_RELU);
    }

    @Override
    public Recurrent build(Random rng) {
        return switch (cell) {
            case LSTM -> new LSTM(input, hidden, layers, bidirectional, batchFirst, dropout, rng);
            case GRU -> new GRU(input, hidden, layers, bidirectional, batchFirst, dropout, rng);
            case RNN_TANH, RNN_RELU -> new RNN(input, hidden, layers, cell == Recurrent.Cell.RNN_RELU, bidirectional, batchFirst, dropout, rng);
        };
    }

    @Override
    public String describe() {
        String name = switch (cell) {
            case LSTM -> "LSTM";
            case GRU -> "GRU";
            case RNN_TANH -> "RNN(tanh)";
            case RNN_RELU -> "RNN(relu)";
        };
        return name + "(input=" + input + ", hidden=" + hidden + ", layers=" + layers + (bidirectional ? ", bidirectional" : "")
                + (batchFirst ? ", batchFirst" : "") + (dropout > 0 ? ", dropout=" + dropout : "") + ")";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        Map<String, int[]> shapes = new LinkedHashMap<>();
        int dirs = bidirectional ? 2 : 1, width = cell.gates * hidden;
        for (int l = 0; l < layers; l++) {
            int in = l == 0 ? input : dirs * hidden;
            for (int d = 0; d < dirs; d++) {
                String s = "_l" + l + (d == 1 ? "_reverse" : "");
                shapes.put("weight_ih" + s, new int[] {width, in});
                shapes.put("weight_hh" + s, new int[] {width, hidden});
                shapes.put("bias_ih" + s, new int[] {width});
                shapes.put("bias_hh" + s, new int[] {width});
            }
        }
        return shapes;
    }

    /** One sample's sequence [T, input] → [T, directions·hidden]. */
    @Override
    public int[] outputShape(int[] in) {
        if (in.length != 2 || in[1] != input) {
            throw new IllegalArgumentException(describe() + " takes sequences [T, " + input + "], got " + java.util.Arrays.toString(in));
        }
        return new int[] {in[0], (bidirectional ? 2 : 1) * hidden};
    }

    /**
     * ONNX's LSTM, GRU or RNN operator per layer. The gate blocks are reordered from PyTorch's to
     * ONNX's (LSTM [i|f|g|o] → [i|o|f|c], GRU [r|z|n] → [z|r|h]; GRU with linear_before_reset=1,
     * PyTorch's form), both directions stacked; the sequence goes in time-major, as ONNX wants it
     * (a batch-first input is transposed), and each layer's [T, dirs, N, H] comes back as
     * [T, N, dirs·H]. Dropout between layers is a training-time step and has no node.
     */
    @Override
    public String toOnnx(OnnxGraph graph, String prefix, String in, int[] inputShape) {
        int dirs = bidirectional ? 2 : 1;
        String x = batchFirst ? graph.node("Transpose", Map.of("perm", new int[] {1, 0, 2}), in) : in;
        Map<String, Object> attributes = new LinkedHashMap<>();
        attributes.put("hidden_size", hidden);
        if (bidirectional) attributes.put("direction", "bidirectional");
        if (cell == Recurrent.Cell.GRU) attributes.put("linear_before_reset", 1);
        if (cell == Recurrent.Cell.RNN_RELU) attributes.put("activations", bidirectional ? new String[] {"Relu", "Relu"} : new String[] {"Relu"});
        String op = switch (cell) {
            case LSTM -> "LSTM";
            case GRU -> "GRU";
            case RNN_TANH, RNN_RELU -> "RNN";
        };
        for (int l = 0; l < layers; l++) {
            int width = l == 0 ? input : dirs * hidden;
            String w = graph.constant(prefix + "W_l" + l, stacked(graph, prefix, "weight_ih", l, dirs, false), dirs, cell.gates * hidden, width);
            String r = graph.constant(prefix + "R_l" + l, stacked(graph, prefix, "weight_hh", l, dirs, false), dirs, cell.gates * hidden, hidden);
            String b = graph.constant(prefix + "B_l" + l, stacked(graph, prefix, "bias", l, dirs, true), dirs, 2 * cell.gates * hidden);
            String y = graph.node(op, attributes, x, w, r, b);                             // [T, dirs, N, H]
            String t = graph.node("Transpose", Map.of("perm", new int[] {0, 2, 1, 3}), y);  // [T, N, dirs, H]
            x = graph.node("Reshape", t, graph.constantInts("shape", new long[] {0, 0, (long) dirs * hidden}, 3));
        }
        return batchFirst ? graph.node("Transpose", Map.of("perm", new int[] {1, 0, 2}), x) : x;
    }

    /**
     * Layer {@code l}'s tensors {@code name_l<l>[_reverse]} for each direction, one after the other,
     * gate blocks in ONNX's order; for {@code biases}, each direction's bias_ih then bias_hh (ONNX's B).
     */
    private float[] stacked(OnnxGraph graph, String prefix, String name, int l, int dirs, boolean biases) {
        int[] order = switch (cell) {
            case LSTM -> new int[] {0, 3, 1, 2};
            case GRU -> new int[] {1, 0, 2};
            case RNN_TANH, RNN_RELU -> new int[] {0};
        };
        List<float[]> parts = new java.util.ArrayList<>();
        for (int d = 0; d < dirs; d++) {
            String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
            for (String n : biases ? List.of("bias_ih", "bias_hh") : List.of(name)) {
                parts.add(reordered(graph.values(prefix + n + suffix), order));
            }
        }
        int total = 0;
        for (float[] p : parts) total += p.length;
        float[] out = new float[total];
        int at = 0;
        for (float[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    /** The gate blocks (equal row blocks) of {@code v} in the given order. */
    private static float[] reordered(float[] v, int[] order) {
        int block = v.length / order.length;
        float[] out = new float[v.length];
        for (int i = 0; i < order.length; i++) System.arraycopy(v, order[i] * block, out, i * block, block);
        return out;
    }
}

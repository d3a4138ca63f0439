package org.backprop.io;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.backprop.io.onnx.OnnxGraph;

/**
 * A {@link GptSpec} as ONNX nodes, for token ids [N, T] (floats, as every Backprop input): the
 * token and position embeddings (Gather), each pre-LN transformer block (LayerNormalization;
 * attention as per-head MatMuls with the 1/√d scale, an additive causal mask of −∞ above the
 * diagonal and Softmax; the exact-GELU MLP) with its two residual additions, ln_f, and the head
 * tied to the token embedding (MatMul with wteᵀ). T is the model's input length.
 */
final class GptOnnx {
    private GptOnnx() {}

    static String toOnnx(GptSpec g, OnnxGraph graph, String prefix, String input, int[] inputShape) {
        int t = inputShape[0], c = g.width(), heads = g.heads(), d = c / heads;
        String ids = graph.node("Cast", Map.of("to", 7), input); // 7: TensorProto.INT64
        long[] positions = new long[t];
        Arrays.setAll(positions, i -> i);
        String x = graph.node("Add", graph.node("Gather", Map.of("axis", 0), graph.weight(prefix + "wte.weight"), ids),
                graph.node("Gather", Map.of("axis", 0), graph.weight(prefix + "wpe.weight"),
                        graph.constantInts(prefix + "positions", positions, t)));
        float[] mask = new float[t * t];
        for (int i = 0; i < t; i++) for (int j = i + 1; j < t; j++) mask[i * t + j] = Float.NEGATIVE_INFINITY;
        String causal = graph.constant(prefix + "causal_mask", mask, t, t);
        String scale = graph.constant(prefix + "scale", new float[] {(float) (1 / Math.sqrt(d))});
        LayerNormSpec norm = new LayerNormSpec(List.of(c), 1e-5f, true);
        int[] seq = {t, c};
        for (int b = 0; b < g.layers(); b++) {
            String p = prefix + "blocks." + b + ".";
            String h = norm.toOnnx(graph, p + "ln1.", x, seq);
            float[] w = graph.values(p + "attn.in_proj_weight"), bias = graph.values(p + "attn.in_proj_bias");
            String[] qkv = new String[3];
            for (int part = 0; part < 3; part++) {
                float[] wt = new float[c * c]; // rows [part·C, (part+1)·C) of in_proj_weight, transposed
                for (int r = 0; r < c; r++) for (int k = 0; k < c; k++) wt[k * c + r] = w[(part * c + r) * c + k];
                String y = graph.node("Add", graph.node("MatMul", h, graph.constant(p + "attn.w" + part, wt, c, c)),
                        graph.constant(p + "attn.b" + part, Arrays.copyOfRange(bias, part * c, (part + 1) * c), c));
                // [N, T, C] → [N, T, heads, d] → [N, heads, T, d] (keys: [N, heads, d, T])
                String split = graph.node("Reshape", y, graph.constantInts(p + "heads", new long[] {0, 0, heads, d}, 4));
                qkv[part] = graph.node("Transpose", Map.of("perm", part == 1 ? new int[] {0, 2, 3, 1} : new int[] {0, 2, 1, 3}), split);
            }
            String scores = graph.node("Add", graph.node("Mul", graph.node("MatMul", qkv[0], qkv[1]), scale), causal);
            String attended = graph.node("MatMul", graph.node("Softmax", Map.of("axis", -1), scores), qkv[2]);
            String merged = graph.node("Reshape", graph.node("Transpose", Map.of("perm", new int[] {0, 2, 1, 3}), attended),
                    graph.constantInts(p + "merge", new long[] {0, 0, c}, 3));
            x = graph.node("Add", x, new LinearSpec(c, c, true).toOnnx(graph, p + "attn.out_proj.", merged, seq));
            String m = new LinearSpec(c, 4 * c, true).toOnnx(graph, p + "fc.", norm.toOnnx(graph, p + "ln2.", x, seq), seq);
            m = ActivationSpec.named("gelu").toOnnx(graph, p + "gelu.", m, new int[] {t, 4 * c});
            x = graph.node("Add", x, new LinearSpec(4 * c, c, true).toOnnx(graph, p + "fc2.", m, new int[] {t, 4 * c}));
        }
        String h = norm.toOnnx(graph, prefix + "ln_f.", x, seq);
        return graph.node("MatMul", h, graph.transposedWeight(prefix + "wte.weight"));
    }
}

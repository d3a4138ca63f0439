package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Gpt;

/**
 * A decoder-only transformer language model ({@link Gpt}): token ids [T] in, logits [T, vocab]
 * out. Saved as {@code wte.weight} [vocab, width], {@code wpe.weight} [context, width},
 * {@code blocks.<i>.} {@code ln1}, {@code attn.in_proj_weight} [3·width, width],
 * {@code attn.in_proj_bias}, {@code attn.out_proj}, {@code ln2}, {@code fc} (width→4·width),
 * {@code fc2}, and {@code ln_f}. The head is tied to the token embedding ({@code "tied_head":
 * true}): the logits are ln_f(x)·wteᵀ, so the file holds no head weight of its own.
 */
public record GptSpec(int vocab, int context, int layers, int heads, int width, float dropout) implements LayerSpec {
    /**
     * JSON: {@code {"type": "gpt", "vocab": 65, "context": 64, "layers": 4, "heads": 4, "width": 128,
     * "dropout": 0.0, "tied_head": true}}.
     */
    public static final LayerType TYPE = LayerType.of("gpt", Gpt.class, GptSpec::of, GptSpec::read,
            "vocab", "context", "layers", "heads", "width", "dropout", "tied_head");

    public GptSpec {
        new Gpt.Config(vocab, context, layers, heads, width, dropout); // the same checks, the same messages
    }

    public static GptSpec of(Gpt g) {
        Gpt.Config c = g.config;
        return new GptSpec(c.vocab(), c.context(), c.layers(), c.heads(), c.width(), c.dropout());
    }

    private static GptSpec read(LayerJson j) {
        if (!j.bool("tied_head")) {
            throw new IllegalArgumentException(j.at() + ": \"tied_head\" must be true (the head is the token embedding)");
        }
        return new GptSpec(j.integer("vocab"), j.integer("context"), j.integer("layers"), j.integer("heads"),
                j.integer("width"), j.finiteFloat("dropout"));
    }

    public Gpt.Config config() {
        return new Gpt.Config(vocab, context, layers, heads, width, dropout);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("vocab", vocab);
        json.addProperty("context", context);
        json.addProperty("layers", layers);
        json.addProperty("heads", heads);
        json.addProperty("width", width);
        json.addProperty("dropout", dropout);
        json.addProperty("tied_head", true);
    }

    @Override
    public Gpt build(Random rng) {
        return new Gpt(config(), rng);
    }

    @Override
    public String describe() {
        return "GPT(vocab=" + vocab + ", context=" + context + ", layers=" + layers + ", heads=" + heads + ", width=" + width
                + ", dropout=" + dropout + ", head tied to wte)";
    }

    @Override
    public Map<String, int[]> parameterShapes() {
        int c = width;
        Map<String, int[]> s = new LinkedHashMap<>();
        s.put("wte.weight", new int[] {vocab, c});
        s.put("wpe.weight", new int[] {context, c});
        for (int i = 0; i < layers; i++) {
            String p = "blocks." + i + ".";
            s.put(p + "ln1.weight", new int[] {c});
            s.put(p + "ln1.bias", new int[] {c});
            s.put(p + "attn.in_proj_weight", new int[] {3 * c, c});
            s.put(p + "attn.in_proj_bias", new int[] {3 * c});
            s.put(p + "attn.out_proj.weight", new int[] {c, c});
            s.put(p + "attn.out_proj.bias", new int[] {c});
            s.put(p + "ln2.weight", new int[] {c});
            s.put(p + "ln2.bias", new int[] {c});
            s.put(p + "fc.weight", new int[] {4 * c, c});
            s.put(p + "fc.bias", new int[] {4 * c});
            s.put(p + "fc2.weight", new int[] {c, 4 * c});
            s.put(p + "fc2.bias", new int[] {c});
        }
        s.put("ln_f.weight", new int[] {c});
        s.put("ln_f.bias", new int[] {c});
        return s;
    }

    /** Takes token ids [T] with T ≤ context; gives logits [T, vocab]. */
    @Override
    public int[] outputShape(int[] input) {
        if (input.length != 1 || input[0] < 1 || input[0] > context) {
            throw new IllegalArgumentException(describe() + " takes token ids [T] with 1 ≤ T ≤ " + context + ", got "
                    + java.util.Arrays.toString(input));
        }
        return new int[] {input[0], vocab};
    }

    /** The whole model as ONNX nodes: see {@link GptOnnx}. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return GptOnnx.toOnnx(this, graph, prefix, input, inputShape);
    }
}

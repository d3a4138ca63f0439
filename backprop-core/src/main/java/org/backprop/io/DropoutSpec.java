package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Random;
import org.backprop.nn.Dropout;

/**
 * Dropout with probability {@code p}, as PyTorch's {@code nn.Dropout(p)}. Rebuilt with its own
 * fixed-seed {@link Random}: a loaded model runs in evaluation mode, where dropout is the identity,
 * and a model trained further after loading gets reproducible masks.
 */
public record DropoutSpec(float p) implements LayerSpec {
    /** JSON: {@code {"type": "dropout", "p": 0.25}}. */
    public static final LayerType TYPE = LayerType.of("dropout", Dropout.class, DropoutSpec::of,
            j -> new DropoutSpec(j.finiteFloat("p")), "p");

    /** The seed of a rebuilt dropout layer's mask generator. */
    public static final long SEED = 0;

    public DropoutSpec {
        if (!(p >= 0 && p <= 1)) throw new IllegalArgumentException("DropoutSpec: p must be in [0, 1], got " + p);
    }

    public static DropoutSpec of(Dropout layer) {
        return new DropoutSpec(layer.p);
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        json.addProperty("p", p);
    }

    @Override
    public boolean anyShape() {
        return true;
    }

    @Override
    public Dropout build(Random rng) {
        return new Dropout(p, new Random(SEED));
    }

    @Override
    public String describe() {
        return "Dropout(p=" + p + ")";
    }

    /** Removed: the identity in evaluation form. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return input;
    }

    @Override
    public int[] outputShape(int[] input) {
        return input.clone();
    }
}

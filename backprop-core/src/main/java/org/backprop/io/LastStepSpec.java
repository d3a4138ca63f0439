package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Arrays;
import java.util.Random;
import org.backprop.nn.LastStep;

/**
 * The last time step of a sequence, [T, F] → [F] per sample: after a unidirectional recurrent
 * layer, its top layer's final state (PyTorch's {@code gru(x)[1][-1]}, or {@code x[:, -1]} of the
 * output sequence). No settings and no parameters.
 */
public record LastStepSpec() implements LayerSpec {
    /** JSON: {@code {"type": "last_step"}}. */
    public static final LayerType TYPE = LayerType.of("last_step", LastStep.class, LastStepSpec::of, j -> new LastStepSpec());

    public static LastStepSpec of(LastStep layer) {
        return new LastStepSpec();
    }

    @Override
    public String type() {
        return TYPE.name();
    }

    @Override
    public void writeJson(JsonObject json) {
        // no settings
    }

    @Override
    public LastStep build(Random rng) {
        return new LastStep();
    }

    @Override
    public String describe() {
        return "LastStep()";
    }

    /** ONNX's Gather of index −1 (a scalar, so the time axis goes) along axis 1 of [N, T, F]. */
    @Override
    public String toOnnx(org.backprop.io.onnx.OnnxGraph graph, String prefix, String input, int[] inputShape) {
        return graph.node("Gather", java.util.Map.of("axis", 1), input, graph.constantInts(prefix + "last", new long[] {-1}));
    }

    @Override
    public int[] outputShape(int[] input) {
        if (input.length != 2 || input[0] < 1) {
            throw new IllegalArgumentException(describe() + " takes sequences [T, F] of at least one step, got " + Arrays.toString(input));
        }
        return new int[] {input[1]};
    }
}

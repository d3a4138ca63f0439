package org.backprop.io;

import com.google.gson.JsonObject;
import java.util.Map;
import java.util.Random;
import org.backprop.io.onnx.OnnxGraph;
import org.backprop.nn.Module;

/**
 * One layer of a saved {@link ArchitectureSpec}: enough to rebuild the layer without code. Each
 * kind is a record in this package with its {@link LayerType} beside it, listed in
 * {@link LayerTypes}; everything that handles layers generically (the JSON codec, the model-file
 * reader, {@code backprop info}) goes through these methods rather than a switch over kinds.
 */
public interface LayerSpec {

    /** The JSON {@code type}, e.g. {@code linear}; the name of this spec's {@link LayerType}. */
    String type();

    /** Adds this layer's settings (every field of its {@link LayerType} but {@code type}) to {@code json}. */
    void writeJson(JsonObject json);

    /** A new module for this layer; parameters are drawn from {@code rng} (and usually overwritten by a load). */
    Module build(Random rng);

    /** Short human-readable form, e.g. {@code Linear(in=4, out=3, bias=true)} or {@code leaky_relu(0.01)}. */
    String describe();

    /** The trainable tensors of this layer by state-dict name relative to the layer, with their shapes. */
    default Map<String, int[]> parameterShapes() {
        return Map.of();
    }

    /**
     * Everything the layer's state dict holds (parameters, then buffers such as batch-norm
     * running statistics), relative to the layer, in {@link Module#stateDict()} order.
     */
    default Map<String, int[]> stateShapes() {
        return parameterShapes();
    }

    /**
     * The shape of one sample's output for one sample's input (both without the batch axis).
     *
     * @throws IllegalArgumentException if the layer cannot take an input of that shape, saying why
     */
    int[] outputShape(int[] input);

    /**
     * Adds this layer to an ONNX graph (opset 17) in evaluation form, and returns the name of its
     * output value. Each layer maps itself here, so a new layer type brings its own mapping.
     *
     * @param graph      the graph being built; {@code graph.weight(prefix + "weight")} adds a tensor
     *                   of the model's state dict
     * @param prefix     this layer's state-dict prefix, e.g. {@code "3."}
     * @param input      the name of the value the layer takes
     * @param inputShape one sample's shape at that value (without the batch axis)
     * @throws UnsupportedOperationException if the layer has no ONNX form
     */
    default String toOnnx(OnnxGraph graph, String prefix, String input, int[] inputShape) {
        throw new UnsupportedOperationException("ONNX export: layer " + describe() + " has no ONNX mapping yet");
    }

    /** Whether the layer takes inputs of any shape and returns the same shape (activations, dropout). */
    default boolean anyShape() {
        return false;
    }

    /** Whether the output shape always equals the input shape (also normalisations, which constrain the input). */
    default boolean keepsShape() {
        return anyShape();
    }
}

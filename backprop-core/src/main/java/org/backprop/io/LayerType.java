package org.backprop.io;

import java.util.Set;
import java.util.function.Function;
import org.backprop.nn.Module;

/**
 * One kind of layer as a model file knows it: its JSON {@code type}, the JSON fields it has
 * besides {@code type}, the module class it describes, and how to get its spec from a module or
 * from JSON. Each spec declares its kind next to itself (e.g. {@link LinearSpec#TYPE}), and
 * {@link LayerTypes} lists them all: the model-file reader, {@code backprop info}, the PyTorch
 * round trip and exporters find layers there, never through a switch of their own.
 *
 * @param name     the JSON {@code type}, e.g. {@code linear}
 * @param fields   the other JSON fields, all required (none other is accepted)
 * @param module   the module class it describes; a module is described by the first kind whose
 *                 class it is an instance of
 * @param describe the spec of such a module
 * @param read     the spec from a JSON object already checked to hold exactly {@code fields}
 */
public record LayerType(String name, Set<String> fields, Class<? extends Module> module,
        Function<Module, LayerSpec> describe, Function<LayerJson, LayerSpec> read) {

    public LayerType {
        fields = Set.copyOf(fields);
    }

    /** A kind whose describer takes its own module class, so the spec's {@code of} fits as it is. */
    public static <M extends Module> LayerType of(String name, Class<M> module, Function<M, LayerSpec> describe,
            Function<LayerJson, LayerSpec> read, String... fields) {
        return new LayerType(name, Set.of(fields), module, m -> describe.apply(module.cast(m)), read);
    }
}

package org.backprop.io;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;

/**
 * The registry of layer kinds a model file can hold: one line per spec below. Adding a layer is
 * its module class, its spec (a record with its {@code TYPE}, in this package) and its line here;
 * the JSON codec, the model-file reader, {@code backprop info} and the PyTorch round-trip test
 * then know it (docs/ARCHITECTURE.md, "Cost of a new layer").
 */
public final class LayerTypes {
    private static final List<LayerType> ALL = Stream.of(
            List.of(LinearSpec.TYPE),
            ActivationSpec.TYPES,
            List.of(Conv2dSpec.TYPE, MaxPool2dSpec.TYPE, AvgPool2dSpec.TYPE, FlattenSpec.TYPE),
            BatchNormSpec.TYPES,
            List.of(DropoutSpec.TYPE, LayerNormSpec.TYPE, SequentialSpec.TYPE, GptSpec.TYPE),
            List.of(EmbeddingSpec.TYPE), RecurrentSpec.TYPES, List.of(LastStepSpec.TYPE)
    ).flatMap(List::stream).toList();

    private static final Map<String, LayerType> BY_NAME = index();

    private LayerTypes() {}

    private static Map<String, LayerType> index() {
        Map<String, LayerType> byName = new LinkedHashMap<>();
        Set<Class<?>> modules = new HashSet<>();
        for (LayerType t : ALL) {
            if (byName.put(t.name(), t) != null) throw new IllegalStateException("two layer types named " + t.name());
            if (!modules.add(t.module())) throw new IllegalStateException("two layer types for " + t.module());
        }
        return byName;
    }

    /** Every layer kind, in the order error messages list them. */
    public static List<LayerType> all() {
        return ALL;
    }

    /** The kind with that JSON {@code type}. */
    public static Optional<LayerType> named(String type) {
        return Optional.ofNullable(BY_NAME.get(type));
    }

    /** The JSON types, comma-separated: for messages that list what is known. */
    public static String names() {
        return String.join(", ", BY_NAME.keySet());
    }

    /** The kind that describes {@code module}, if any. */
    public static Optional<LayerType> describing(Module module) {
        for (LayerType t : ALL) if (t.module().isInstance(module)) return Optional.of(t);
        return Optional.empty();
    }

    /**
     * The specs of a network's layers, nested sequentials included; each layer no kind describes
     * is added to {@code unsupported} as {@code <path> (<class>)}, and then the list returned is empty.
     */
    static List<LayerSpec> describeAll(Sequential model, String prefix, List<String> unsupported) {
        List<LayerSpec> specs = new ArrayList<>();
        List<Module> layers = model.layers();
        for (int i = 0; i < layers.size(); i++) {
            Module m = layers.get(i);
            if (m instanceof Sequential block) { // the container: its layers are described with their path
                specs.add(new SequentialSpec(describeAll(block, prefix + i + ".", unsupported)));
                continue;
            }
            Optional<LayerType> type = describing(m);
            if (type.isPresent()) {
                specs.add(type.get().describe().apply(m));
            } else {
                String name = m.getClass().getSimpleName();
                unsupported.add(prefix + i + " (" + (name.isEmpty() ? m.getClass().getName() : name) + ")");
            }
        }
        return unsupported.isEmpty() ? specs : List.of();
    }

    // ---------------------------------------------------------------- JSON

    static JsonArray writeAll(List<LayerSpec> layers) {
        JsonArray array = new JsonArray();
        for (LayerSpec layer : layers) {
            JsonObject o = new JsonObject();
            o.addProperty("type", layer.type());
            layer.writeJson(o);
            array.add(o);
        }
        return array;
    }

    static List<LayerSpec> readAll(JsonElement element, String where) {
        if (element == null || !element.isJsonArray()) {
            throw new IllegalArgumentException(where + ": \"layers\" must be an array, found " + element);
        }
        JsonArray array = element.getAsJsonArray();
        List<LayerSpec> layers = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) layers.add(read(array.get(i), where + " layer " + i));
        return layers;
    }

    private static LayerSpec read(JsonElement element, String where) {
        if (!element.isJsonObject()) throw new IllegalArgumentException(where + " must be a JSON object, found " + element);
        JsonObject o = element.getAsJsonObject();
        if (!o.has("type")) throw new IllegalArgumentException(where + ": missing \"type\"");
        String name = Json.string(o.get("type"), where + " \"type\"");
        LayerType type = named(name).orElseThrow(() -> new IllegalArgumentException(where + ": unknown layer type '"
                + name + "' (known: " + names() + ")"));
        String at = where + " (" + name + ")";
        Set<String> fields = new HashSet<>(type.fields());
        fields.add("type");
        Json.requireFields(o, at, fields, fields);
        try {
            return type.read().apply(new LayerJson(o, at));
        } catch (IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(at)) throw e;
            throw new IllegalArgumentException(at + ": " + e.getMessage(), e); // a record's own check
        }
    }
}

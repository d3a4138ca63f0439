package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.backprop.nn.Activation;
import org.junit.jupiter.api.Test;

/** Every registered kind agrees with its spec: what it writes, what it reads, what it describes. */
class LayerTypesTest {

    private static List<LayerSpec> oneOfEach() {
        List<LayerSpec> specs = new ArrayList<>(ImageModelFileTest.everyNewKind());
        specs.add(new LinearSpec(4, 3, true));
        for (String name : Activation.NAMES) specs.add(ActivationSpec.named(name));
        specs.add(new EmbeddingSpec(10, 4, -1));
        for (org.backprop.nn.Recurrent.Cell cell : org.backprop.nn.Recurrent.Cell.values()) {
            specs.add(new RecurrentSpec(cell, 3, 5, 1, false, true, 0f));
        }
        return specs;
    }

    @Test
    void eachSpecWritesItsKindsFieldsAndIsDescribedBackFromItsModule() {
        Set<String> seen = new HashSet<>();
        for (LayerSpec spec : oneOfEach()) {
            LayerType type = LayerTypes.named(spec.type()).orElseThrow(() -> new AssertionError("unregistered " + spec.type()));
            JsonObject json = new JsonObject();
            spec.writeJson(json);
            assertEquals(type.fields(), json.keySet(), spec.describe());
            assertEquals(type, LayerTypes.describing(spec.build(new Random(1))).orElseThrow(), spec.describe());
            assertEquals(spec, type.describe().apply(spec.build(new Random(1))), spec.describe());
            seen.add(type.name());
        }
        Set<String> all = new HashSet<>();
        LayerTypes.all().forEach(t -> all.add(t.name()));
        assertEquals(all, seen, "a kind of the registry has no example here");
    }

    @Test
    void unknownTypesListTheRegistry() {
        String json = "{\"format\":\"backprop.sequential\",\"version\":1,\"layers\":[{\"type\":\"swish\"}]}";
        String msg = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> ArchitectureSpec.fromJson(json)).getMessage();
        assertTrue(msg.contains("unknown layer type 'swish' (known: " + LayerTypes.names() + ")"), msg);
        assertTrue(LayerTypes.names().startsWith("linear, relu, leaky_relu"), LayerTypes.names());
    }
}

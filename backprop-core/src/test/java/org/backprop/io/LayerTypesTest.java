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
import org.backprop.nn.Recurrent;
import org.junit.jupiter.api.Test;

/** Every registered kind agrees with its spec: what it writes, what it reads, what it describes. */
class LayerTypesTest {

    private static List<LayerSpec> oneOfEach() {
        List<LayerSpec> specs = new ArrayList<>(ImageModelFileTest.everyNewKind());
        specs.add(new LinearSpec(4, 3, true));
        specs.add(new GptSpec(11, 8, 2, 2, 16, 0.1f));
        for (String name : Activation.NAMES) specs.add(ActivationSpec.named(name));
        specs.add(new EmbeddingSpec(10, 4, 2));
        specs.add(new RecurrentSpec(Recurrent.Cell.LSTM, 4, 5, 2, false, true, 0.25f));
        specs.add(new RecurrentSpec(Recurrent.Cell.GRU, 4, 5, 1, true, false, 0f));
        specs.add(new RecurrentSpec(Recurrent.Cell.RNN_RELU, 3, 2, 1, true, true, 0f));
        specs.add(new RecurrentSpec(Recurrent.Cell.RNN_TANH, 3, 2, 3, false, false, 0.5f));
        specs.add(new LastStepSpec());
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

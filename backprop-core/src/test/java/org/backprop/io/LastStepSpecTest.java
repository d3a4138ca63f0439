package org.backprop.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.backprop.nn.Models;
import org.junit.jupiter.api.Test;

/** The spoken-digit GRU (GRU, LastStep, Linear) described, written as JSON and read back, with its shapes. */
class LastStepSpecTest {
    @Test
    void theSpeechGruIsDescribedWithItsShapesAndReadBackFromJson() {
        ArchitectureSpec spec = ArchitectureSpec.of(Models.fsddGru(new Random(0)), List.of(100, 40));
        assertEquals(List.of("gru", "last_step", "linear"), spec.layers().stream().map(LayerSpec::type).toList());
        assertArrayEquals(new int[] {64}, new LastStepSpec().outputShape(new int[] {100, 64}));
        ArchitectureSpec back = ArchitectureSpec.fromJson(spec.toJson());
        assertEquals(spec.layers(), back.layers());
        assertTrue(spec.toJson().contains("{\"type\":\"last_step\"}"), spec.toJson());

        String msg = assertThrows(IllegalArgumentException.class, () -> new LastStepSpec().outputShape(new int[] {64})).getMessage();
        assertEquals("LastStep() takes sequences [T, F] of at least one step, got [64]", msg);
        assertThrows(IllegalArgumentException.class, () -> new LastStepSpec().outputShape(new int[] {0, 64}));
    }
}

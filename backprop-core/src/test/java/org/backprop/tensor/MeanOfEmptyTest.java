package org.backprop.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** An empty batch must not average to a plausible-looking 0. */
class MeanOfEmptyTest {
    @Test
    void meanOfAnEmptyTensorIsNaN() {
        assertTrue(Float.isNaN(Tensor.zeros(0, 3).mean().item()));
        assertEquals(0f, Tensor.zeros(0, 3).sum().item());
    }
}

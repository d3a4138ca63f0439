package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ConfusionMatrixTest {

    @Test
    void rowsAreTrueClassesColumnsPredictedOnes() {
        // predictions (argmax): 0, 2, 2, 1; truth: 0, 1, 2, 1
        Tensor logits = Tensor.of(new float[][] {{3, 1, 0}, {0, 1, 5}, {0, 0, 1}, {0, 2, 1}});
        ConfusionMatrix m = ConfusionMatrix.of(logits, Tensor.of(new float[] {0, 1, 2, 1}, 4));
        assertEquals(3, m.classes());
        assertEquals(1, m.count(0, 0));
        assertEquals(1, m.count(1, 2), "a 1 taken for a 2");
        assertEquals(1, m.count(1, 1));
        assertEquals(1, m.count(2, 2));
        assertEquals(0, m.count(2, 1));
        assertEquals(2, m.rowTotal(1));
        assertEquals(4, m.total());
        assertEquals(0.75, m.accuracy());
        assertEquals(Metrics.accuracy(logits, Tensor.of(new float[] {0, 1, 2, 1}, 4)), m.accuracy(), 1e-12);
    }

    @Test
    void refusesTargetsThatAreNotClassIndices() {
        Tensor logits = Tensor.of(new float[][] {{1, 0}});
        var e = assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(logits, Tensor.of(new float[] {2}, 1)));
        assertTrue(e.getMessage().contains("not a class index in [0, 2)"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ConfusionMatrix.of(logits, Tensor.of(new float[] {0, 1}, 2)));
    }
}

package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.tensor.Fixtures;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class LastStepTest {
    @Test
    void picksTheLastStepAndPassesItsGradientBack() {
        Tensor x = Fixtures.uniform(new Random(3), -1, 1, 2, 4, 3);
        Tensor y = new LastStep().forward(x);
        assertArrayEquals(new int[] {2, 3}, y.shape());
        for (int n = 0; n < 2; n++) for (int f = 0; f < 3; f++) assertEquals(x.get(n, 3, f), y.get(n, f), 0f);
        Fixtures.gradcheck(in -> new LastStep().forward(in[0]).mul(new LastStep().forward(in[0])).sum(), x);
        assertThrows(IllegalArgumentException.class, () -> new LastStep().forward(Tensor.zeros(2, 3)));
    }

    /** The peer's fsdd_gru: its parameter count, and the top layer's final state is what the head reads. */
    @Test
    void fsddGruMatchesThePeersNetwork() {
        Sequential gru = Models.fsddGru(new Random(0));
        assertEquals(45_962, gru.parameterCount());
        Tensor x = Fixtures.uniform(new Random(1), -1, 1, 3, 100, 40).requiresGrad(false);
        try (var s = GradMode.noGrad()) {
            assertArrayEquals(new int[] {3, 10}, gru.forward(x).shape());
            Recurrent.Output o = ((GRU) gru.layers().get(0)).forward(x, null, null, null);
            Tensor last = new LastStep().forward(o.output());
            for (int n = 0; n < 3; n++) for (int h = 0; h < 64; h++) assertEquals(o.h().get(1, n, h), last.get(n, h), 1e-6f);
        }
    }
}

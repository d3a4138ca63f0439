package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** AdamW's two parameter groups (nanoGPT's) and the warm-up-then-cosine schedule. */
class AdamWGroupsTest {

    @Test
    void weightDecayReachesTheMatricesOnly() {
        Parameter matrix = new Parameter(Tensor.full(1f, 2, 2));
        Parameter bias = new Parameter(Tensor.full(1f, 2));
        AdamW opt = AdamW.decayingMatricesOnly(List.of(bias, matrix), AdamW.defaults().lr(0.1).weightDecay(0.5));
        assertEquals(List.of(matrix, bias), opt.parameters(), "decay group first, as PyTorch numbers them");
        assertTrue(opt.decays(0));
        assertFalse(opt.decays(1));
        matrix.value().accumulateGrad(Tensor.zeros(2, 2)); // a zero gradient: only the decay moves a weight
        bias.value().accumulateGrad(Tensor.zeros(2));
        opt.step();
        assertEquals(1 - 0.1 * 0.5, matrix.data()[0], 1e-7);
        assertEquals(1f, bias.data()[0]);
    }

    @Test
    void warmupThenCosineToTheFloorAsNanoGpt() {
        Parameter p = new Parameter(Tensor.zeros(1));
        AdamW opt = new AdamW(List.of(p), 5.0);
        WarmupCosineLR s = new WarmupCosineLR(opt, 1e-3, 1e-4, 100, 2000);
        assertEquals(1e-3 / 101, opt.lr(), 1e-15);
        for (int i = 0; i < 99; i++) s.step(0);
        assertEquals(1e-3 * 100 / 101, opt.lr(), 1e-15);
        s.step(0);
        assertEquals(1e-3, opt.lr(), 1e-15);                           // it = 100: cosine starts at the peak
        assertEquals(1e-4 + 0.5 * (1 + Math.cos(Math.PI * 0.5)) * 9e-4, s.lrAt(1050), 1e-15);
        assertEquals(1e-4, s.lrAt(2000), 1e-15);
        assertEquals(1e-4, s.lrAt(5000), 1e-15);                       // the floor after the end
        s.seek(1050);
        assertEquals(s.lrAt(1050), opt.lr());
        assertThrows(IllegalArgumentException.class, () -> new WarmupCosineLR(opt, 1e-3, 1e-4, -1, 10));
    }
}

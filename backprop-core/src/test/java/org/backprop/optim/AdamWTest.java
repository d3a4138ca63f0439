package org.backprop.optim;

import static org.backprop.optim.AdamTest.SHRINKING;
import static org.backprop.optim.AdamTest.reference;
import static org.backprop.optim.OptimTesting.GRADS;
import static org.backprop.optim.OptimTesting.W0;
import static org.backprop.optim.OptimTesting.assertDiffers;
import static org.backprop.optim.OptimTesting.assertTrajectory;
import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.run;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.backprop.nn.Parameter;
import org.junit.jupiter.api.Test;

class AdamWTest {

    static double[][] adamW(Adam.Options o, double[][] grads) {
        return run(ps -> new AdamW(ps, o), W0, grads);
    }

    @Test
    void defaultsFollowTheFormula() {
        assertTrajectory(reference(1e-3, 0.9, 0.999, 1e-8, 1e-2, true, false, GRADS), adamW(AdamW.defaults(), GRADS));
        assertTrajectory(reference(1e-3, 0.9, 0.999, 1e-8, 1e-2, true, false, GRADS), run(AdamW::new, W0, GRADS));
    }

    @Test
    void decoupledWeightDecayShrinksTheWeights() {
        double[][] actual = adamW(AdamW.defaults().lr(0.1).weightDecay(0.5), GRADS);
        assertTrajectory(reference(0.1, 0.9, 0.999, 1e-8, 0.5, true, false, GRADS), actual);
        assertDiffers(reference(0.1, 0.9, 0.999, 1e-8, 0.5, false, false, GRADS), actual);
        assertDiffers(reference(0.1, 0.9, 0.999, 1e-8, 0, true, false, GRADS), actual);
    }

    @Test
    void amsgradUsesTheLargestSecondMoment() {
        var o = AdamW.defaults().lr(0.1).betas(0.9, 0.5).eps(1e-3).weightDecay(0.2).amsgrad(true);
        double[][] actual = adamW(o, SHRINKING);
        assertTrajectory(reference(0.1, 0.9, 0.5, 1e-3, 0.2, true, true, SHRINKING), actual);
        assertDiffers(reference(0.1, 0.9, 0.5, 1e-3, 0.2, true, false, SHRINKING), actual);
    }

    @Test
    void goldenNumbersWorkedByHand() {
        // lr = 0.01, weight decay 0.1, w = 1, g = 0.5:
        //   decay first: w = 1·(1 − 0.01·0.1) = 0.999;
        //   then Adam's first step moves by lr·sign(g) (m̂ = g, v̂ = g²): w = 0.999 − 0.01 = 0.989.
        // A weight with zero gradient only decays: 2·0.999 = 1.998.
        Parameter p = param(1.0, 2.0);
        AdamW opt = new AdamW(List.of(p), AdamW.defaults().lr(0.01).weightDecay(0.1));
        setGrad(p, 0.5, 0.0);
        opt.step();
        assertEquals(0.989, p.data()[0], 1e-7);
        assertEquals(1.998, p.data()[1], 1e-7);
    }

    @Test
    void defaultsAreThoseOfPyTorch() {
        assertEquals(new Adam.Options(1e-3, 0.9, 0.999, 1e-8, 1e-2, false), AdamW.defaults());
    }

    @Test
    void invalidHyperparametersAreNamed() {
        var d = AdamW.defaults();
        assertEquals("Invalid beta parameter at index 0: 1.5 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.betas(1.5, 0.999)).getMessage());
        assertEquals("Invalid weight_decay value: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.weightDecay(-1)).getMessage());
        assertEquals("Invalid epsilon value: NaN (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.eps(Double.NaN)).getMessage());
    }
}

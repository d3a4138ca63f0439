package org.backprop.optim;

import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.backprop.nn.Parameter;
import org.backprop.optim.ReduceLROnPlateau.Mode;
import org.backprop.optim.ReduceLROnPlateau.ThresholdMode;
import org.junit.jupiter.api.Test;

class SchedulerTest {

    private static SGD sgd(double lr) {
        return new SGD(List.of(param(0.0)), lr);
    }

    /** The learning rate at creation, then after each of {@code values.length} steps. */
    private static double[] lrs(Optimizer opt, LrScheduler schedule, double... values) {
        double[] out = new double[values.length + 1];
        out[0] = opt.lr();
        for (int e = 0; e < values.length; e++) {
            schedule.step(values[e]);
            out[e + 1] = opt.lr();
        }
        return out;
    }

    private static double[] epochs(Optimizer opt, LrScheduler schedule, int n) {
        return lrs(opt, schedule, new double[n]);
    }

    @Test
    void stepLRHalvesEveryThreeEpochs() {
        SGD opt = sgd(0.1);
        StepLR s = new StepLR(opt, 3, 0.5);
        assertArrayEquals(new double[] {0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.025, 0.025, 0.025, 0.0125}, epochs(opt, s, 9), 1e-15);
        assertEquals(9, s.epoch());
        // The default γ is 0.1.
        SGD opt2 = sgd(1.0);
        assertArrayEquals(new double[] {1.0, 0.1, 0.01}, epochs(opt2, new StepLR(opt2, 1), 2), 1e-15);
    }

    @Test
    void exponentialLRMultipliesEveryEpoch() {
        SGD opt = sgd(0.1);
        assertArrayEquals(new double[] {0.1, 0.05, 0.025, 0.0125, 0.00625, 0.003125}, epochs(opt, new ExponentialLR(opt, 0.5), 5), 1e-15);
    }

    @Test
    void cosineAnnealingFollowsHalfACosineAndBackUp() {
        // η_e = 0.02 + 0.08·(1 + cos(πe/4))/2: cos(π/4) = 0.7071068 gives 0.02 + 0.08·0.8535534 = 0.0882843,
        // cos(π/2) = 0 gives 0.06, cos(3π/4) gives 0.02 + 0.08·0.1464466 = 0.0317157, cos(π) = −1 gives 0.02;
        // past T_max the cosine rises again, as PyTorch's does.
        SGD opt = sgd(0.1);
        assertArrayEquals(new double[] {0.1, 0.0882843, 0.06, 0.0317157, 0.02, 0.0317157, 0.06},
                epochs(opt, new CosineAnnealingLR(opt, 4, 0.02), 6), 1e-7);
        SGD opt2 = sgd(1.0);
        assertArrayEquals(new double[] {1.0, 0.5, 0.0}, epochs(opt2, new CosineAnnealingLR(opt2, 2), 2), 1e-15);
    }

    @Test
    void theOptimizerUsesTheScheduledRate() {
        Parameter p = param(1.0);
        SGD opt = new SGD(List.of(p), 0.1);
        new StepLR(opt, 1, 0.5).step(0);
        setGrad(p, 1.0);
        opt.step();
        assertEquals(0.95, p.data()[0], 1e-7); // 1 − 0.05·1
    }

    @Test
    void plateauReducesAfterPatienceRunsOut() {
        // patience 2: the third epoch in a row without improvement reduces the rate.
        // 10, 9 improve; 9, 9, 9 are bad epochs 1, 2, 3 → reduce at the 5th value; 8 improves;
        // 8, 8, 8 are bad 1, 2, 3 → reduce at the 9th value.
        SGD opt = sgd(1.0);
        var s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().factor(0.5).patience(2));
        assertArrayEquals(new double[] {1, 1, 1, 1, 1, 0.5, 0.5, 0.5, 0.5, 0.25}, lrs(opt, s, 10, 9, 9, 9, 9, 8, 8, 8, 8), 0);
        assertEquals(8.0, s.best());
    }

    @Test
    void plateauCooldownIgnoresBadEpochsAfterAReduction() {
        // patience 1, cooldown 2, constant value 5: the 1st value improves on +∞; bad 1, bad 2 → reduce
        // (value 3) and start the cooldown; values 4 and 5 are in the cooldown and not counted;
        // values 6 and 7 are bad 1, 2 → reduce again at value 7.
        SGD opt = sgd(1.0);
        var s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(1).cooldown(2));
        assertArrayEquals(new double[] {1, 1, 1, 0.1, 0.1, 0.1, 0.1, 0.01}, lrs(opt, s, 5, 5, 5, 5, 5, 5, 5), 1e-15);
        // Without the cooldown the second reduction comes two epochs earlier (value 5), a third at value 7.
        SGD opt2 = sgd(1.0);
        var s2 = new ReduceLROnPlateau(opt2, ReduceLROnPlateau.Options.defaults().patience(1));
        assertArrayEquals(new double[] {1, 1, 1, 0.1, 0.1, 0.01, 0.01, 0.001}, lrs(opt2, s2, 5, 5, 5, 5, 5, 5, 5), 1e-15);
    }

    @Test
    void plateauStopsAtMinLrAndSkipsReductionsSmallerThanEps() {
        // patience 0: every non-improving epoch reduces. 1 → 0.1 → max(0.01, 0.05) = 0.05 → 0.05.
        SGD opt = sgd(1.0);
        var s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(0).minLr(0.05));
        assertArrayEquals(new double[] {1, 1, 0.1, 0.05, 0.05}, lrs(opt, s, 3, 3, 3, 3), 1e-15);
        // From 1e-9 a reduction to 1e-10 changes the rate by 9e-10 < eps = 1e-8: skipped.
        SGD tiny = sgd(1e-9);
        var s2 = new ReduceLROnPlateau(tiny, ReduceLROnPlateau.Options.defaults().patience(0));
        assertArrayEquals(new double[] {1e-9, 1e-9, 1e-9}, lrs(tiny, s2, 3, 3), 0);
    }

    @Test
    void plateauThresholds() {
        // Relative, mode min, best 1: an improvement must go below 1·(1 − 1e-4) = 0.9999.
        SGD opt = sgd(1.0);
        var s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(0));
        assertArrayEquals(new double[] {1, 1, 0.1, 0.1}, lrs(opt, s, 1.0, 0.99995, 0.9998), 1e-15);
        assertEquals(0.9998, s.best());

        // Mode max, absolute threshold 0.01: 0.605 does not beat 0.6 + 0.01, 0.62 does.
        SGD opt2 = sgd(1.0);
        var s2 = new ReduceLROnPlateau(opt2, ReduceLROnPlateau.Options.defaults().mode(Mode.MAX).patience(0)
                .threshold(0.01).thresholdMode(ThresholdMode.ABS).factor(0.5));
        assertArrayEquals(new double[] {1, 1, 0.5, 0.5}, lrs(opt2, s2, 0.6, 0.605, 0.62), 0);

        // Mode max, relative: 0.60005 does not beat 0.6·(1 + 1e-4) = 0.60006.
        SGD opt3 = sgd(1.0);
        var s3 = new ReduceLROnPlateau(opt3, ReduceLROnPlateau.Options.defaults().mode(Mode.MAX).patience(0).factor(0.5));
        assertArrayEquals(new double[] {1, 1, 0.5}, lrs(opt3, s3, 0.6, 0.60005), 0);
    }

    @Test
    void plateauCountsNaNAsABadEpoch() {
        SGD opt = sgd(1.0);
        var s = new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(0).factor(0.5));
        assertArrayEquals(new double[] {1, 1, 0.5}, lrs(opt, s, 2.0, Double.NaN), 0);
        assertEquals(2.0, s.best());
    }

    @Test
    void invalidSettingsAreNamed() {
        SGD opt = sgd(0.1);
        assertEquals("Invalid step_size value: 0 (must be >= 1)",
                assertThrows(IllegalArgumentException.class, () -> new StepLR(opt, 0, 0.5)).getMessage());
        assertEquals("Invalid gamma value: 0.0 (must be finite and > 0)",
                assertThrows(IllegalArgumentException.class, () -> new ExponentialLR(opt, 0)).getMessage());
        assertEquals("Invalid T_max value: 0 (must be >= 1)",
                assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 0)).getMessage());
        assertEquals("Invalid eta_min value: -0.1 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> new CosineAnnealingLR(opt, 5, -0.1)).getMessage());
        var d = ReduceLROnPlateau.Options.defaults();
        assertEquals("Invalid factor value: 1.0 (must be in [0, 1))",
                assertThrows(IllegalArgumentException.class, () -> d.factor(1.0)).getMessage());
        assertEquals("Invalid patience value: -1 (must be >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.patience(-1)).getMessage());
        assertEquals("Invalid cooldown value: -2 (must be >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.cooldown(-2)).getMessage());
        assertEquals("Invalid min_lr value: -1.0 (must be finite and >= 0)",
                assertThrows(IllegalArgumentException.class, () -> d.minLr(-1)).getMessage());
        assertEquals("Invalid mode: null (must be MIN or MAX)",
                assertThrows(IllegalArgumentException.class, () -> d.mode(null)).getMessage());
        assertEquals("Invalid threshold value: 1.0 (a relative threshold in mode MIN must be < 1)",
                assertThrows(IllegalArgumentException.class, () -> new ReduceLROnPlateau(opt, d.threshold(1.0))).getMessage());
    }

    @Test
    void plateauDefaultsAreThoseOfPyTorch() {
        assertEquals(new ReduceLROnPlateau.Options(Mode.MIN, 0.1, 10, 1e-4, ThresholdMode.REL, 0, 0, 1e-8),
                ReduceLROnPlateau.Options.defaults());
    }
}

package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.junit.jupiter.api.Test;

class GradientHealthTest {
    private static final Dataset DIGITS = BuiltinDatasets.digits();

    /** 64 → 32 × 9 → 10: ten Linear layers with {@code act} between them. */
    private static Sequential deep(String act, Init init) {
        Random rng = new Random(7);
        Sequential net = new Sequential();
        int width = 64;
        for (int i = 0; i < 9; i++) {
            net.add(new Linear(width, 32, true, init, rng));
            net.add(Activation.named(act));
            width = 32;
        }
        net.add(new Linear(width, 10, true, Init.xavierUniform(), rng));
        return net;
    }

    /** Trains one epoch of the digits with SGD and returns the monitor and the warnings its listener heard. */
    private static GradientHealth trainOneEpoch(Module model, double lr, List<HealthWarning> heard) {
        GradientHealth health = new GradientHealth(model).listener(heard::add);
        new Trainer(model, TestSupport.CROSS_ENTROPY, new SGD(model.parameters(), lr)).callback(health)
                .fit(DIGITS, FitConfig.of(Task.CLASSIFICATION).withEpochs(1).withBatchSize(64));
        return health;
    }

    @Test
    void deepSigmoidNetworkWarnsOfVanishingGradientsAfterTheFirstEpoch() {
        List<HealthWarning> heard = new ArrayList<>();
        GradientHealth health = trainOneEpoch(deep("sigmoid", Init.xavierUniform()), 0.1, heard);

        assertEquals(1, heard.size(), heard.toString());
        HealthWarning w = heard.getFirst();
        assertEquals(HealthWarning.Kind.VANISHING, w.kind());
        assertEquals(1, w.epoch());
        assertEquals("0.weight", w.parameter(), "the first layer is the one starved of gradient");
        assertTrue(w.message().startsWith("layer 1 (0.weight) gradient norm "), w.message());
        assertTrue(w.message().contains("vanishing gradients — sigmoid saturation? try ReLU + He init"), w.message());
        assertEquals(heard, health.warnings());

        GradientStats s = health.epochs().getFirst();
        double first = s.meanGradNorm().get("0.weight"), last = s.meanGradNorm().get("18.weight");
        assertTrue(last / first >= 1e3, "first " + first + ", last " + last);
        assertEquals(10, health.layerWeightNames().size());
        assertEquals(List.of("0.weight", "2.weight"), health.layerWeightNames().subList(0, 2));
    }

    @Test
    void reluWithHeInitOfTheSameDepthStaysQuiet() {
        List<HealthWarning> heard = new ArrayList<>();
        GradientHealth health = trainOneEpoch(deep("relu", Init.heNormal()), 0.05, heard);

        assertEquals(List.of(), heard);
        GradientStats s = health.epochs().getFirst();
        double lo = s.meanGradNorm().values().stream().filter(v -> v > 0).mapToDouble(Double::doubleValue).min().orElseThrow();
        assertTrue(s.maxGlobalNorm() < GradientHealth.EXPLODING_NORM, "max global norm " + s.maxGlobalNorm());
        assertTrue(lo > 0, "every parameter received a gradient");
    }

    @Test
    void hugeLearningRateWarnsOfExplodingGradientsBeforeTrainingDiverges() {
        List<HealthWarning> heard = new ArrayList<>();
        Sequential model = deep("relu", Init.heNormal());
        GradientHealth health = new GradientHealth(model).listener(heard::add);
        Trainer trainer = new Trainer(model, TestSupport.CROSS_ENTROPY, new SGD(model.parameters(), 50.0)).callback(health);
        try {
            trainer.fit(DIGITS, FitConfig.of(Task.CLASSIFICATION).withEpochs(2).withBatchSize(64));
        } catch (TrainingDivergedException expected) {
            // the usual end of such a run; the warning must have come first
        }
        assertEquals(1, heard.stream().filter(w -> w.kind() == HealthWarning.Kind.EXPLODING).count(), heard.toString());
        HealthWarning w = heard.stream().filter(x -> x.kind() == HealthWarning.Kind.EXPLODING).findFirst().orElseThrow();
        assertTrue(w.value() >= GradientHealth.EXPLODING_NORM, w.toString());
        assertTrue(w.message().contains("exploding gradients — lower the learning rate or clip"), w.message());
    }

    @Test
    void updateRatioIsMeasuredAroundTheOptimizerStep() {
        // One parameter, one step of plain SGD: Δw = −lr·g exactly, so the ratio is lr·‖g‖/‖w‖.
        Sequential model = new Sequential(new Linear(2, 1, false, Init.constant(1f), new Random(1)));
        GradientHealth health = new GradientHealth(model);
        Dataset one = TestSupport.linear(1, 3, 0);
        new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.01)).callback(health)
                .fit(one, FitConfig.of(Task.REGRESSION).withEpochs(1).withBatchSize(1));
        GradientStats s = health.epochs().getFirst();
        double g = s.meanGradNorm().get("0.weight");
        assertEquals(1, s.steps());
        assertEquals(0.01 * g / Math.sqrt(2), s.updateRatio().get("0.weight"), 1e-6 * g);
        assertEquals(g, s.maxGlobalNorm(), 1e-12);
        assertFalse(health.layerWeightNames().isEmpty());
    }

    @Test
    void epochsAndWarningsAreReadOnly() {
        GradientHealth health = new GradientHealth(TestSupport.mlp(1, 2, 1));
        assertThrows(UnsupportedOperationException.class, () -> health.epochs().add(null));
        assertThrows(UnsupportedOperationException.class, () -> health.warnings().add(null));
    }
}

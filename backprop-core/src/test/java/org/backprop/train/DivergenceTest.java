package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.backprop.data.Dataset;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class DivergenceTest {

    private static void assertMentions(Exception e, String... parts) {
        for (String part : parts) assertTrue(e.getMessage().contains(part), "'" + part + "' missing from: " + e.getMessage());
    }

    @Test
    void nanLossNamesEpochStepAndFirstParameterAndLeavesTheWeightsFinite() {
        // 16 samples in batches of 4: call 1 of the loss scores the untrained model, call 8 is epoch 2, step 3
        int[] calls = {0};
        Loss poisoned = (h, y) -> {
            Tensor mse = TestSupport.MSE.apply(h, y);
            return ++calls[0] == 8 ? mse.mul(Float.NaN) : mse;
        };
        Sequential model = TestSupport.mlp(1, 2, 3, 1);
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(model, poisoned,
                new SGD(model.parameters(), 0.01)).fit(TestSupport.linear(16, 1, 0),
                FitConfig.of(Task.REGRESSION).withEpochs(5).withBatchSize(4)));
        assertEquals(2, e.epoch());
        assertEquals(3, e.step());
        assertTrue(Double.isNaN(e.loss()));
        assertEquals("0.weight", e.parameter());
        assertEquals("training diverged at epoch 2, step 3 of 4: the loss is NaN; the gradient of parameter '0.weight' is not"
                + " finite (the first such parameter). Try a lower learning rate (now 0.01), gradient clipping, or"
                + " standardised inputs and targets; check the data for extreme values.", e.getMessage());
        // the optimizer never stepped with the NaN gradients
        for (Map.Entry<String, Tensor> w : model.stateDict().entrySet()) {
            for (float v : w.getValue().toFloatArray()) assertTrue(Float.isFinite(v), w.getKey() + " holds " + v);
        }
    }

    /** out = x·scale + 0·√shift: finite, but at shift = 0 the gradient of √ is infinite and 0·∞ is NaN. */
    private static final class SqrtAtZero extends Module {
        final Parameter scale = registerParameter("scale", new Parameter(Tensor.ones(1)));
        final Parameter shift = registerParameter("shift", new Parameter(Tensor.zeros(1)));

        @Override
        public Tensor forward(Tensor x) {
            return x.mul(scale.value()).add(shift.value().sqrt().mul(0f));
        }
    }

    @Test
    void aFiniteLossWithANonFiniteGradientNamesThatParameter() {
        Sequential model = new Sequential(new SqrtAtZero());
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(model, TestSupport.MSE,
                new SGD(model.parameters(), 0.01)).fit(new Dataset(Tensor.ones(4, 1), Tensor.ones(4, 1)),
                FitConfig.of(Task.REGRESSION)));
        assertEquals("0.shift", e.parameter(), "the first parameter, 0.scale, has a finite gradient");
        assertEquals(1, e.epoch());
        assertEquals(1, e.step());
        assertTrue(Double.isFinite(e.loss()));
        assertMentions(e, "epoch 1, step 1 of 1", "'0.shift' is not finite");
    }

    @Test
    void aHugeLearningRateIsCaughtWithAHint() {
        Sequential model = TestSupport.mlp(1, 2, 8, 1);
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(model, TestSupport.MSE,
                new SGD(model.parameters(), 1e4)).fit(TestSupport.linear(64, 1, 0.1),
                FitConfig.of(Task.REGRESSION).withEpochs(50).withBatchSize(8)));
        assertMentions(e, "training diverged at epoch " + e.epoch() + ", step " + e.step() + " of 8",
                "lower learning rate (now 10000.0)", "gradient clipping");
    }

    @Test
    void anInfiniteLossWithFiniteGradientsSaysSo() {
        Sequential model = TestSupport.mlp(1, 2, 1);
        Loss infinite = (h, y) -> h.mul(0f).sum().add(Float.POSITIVE_INFINITY);
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(model, infinite,
                new SGD(model.parameters(), 0.1)).fit(TestSupport.linear(4, 1, 0), FitConfig.of(Task.REGRESSION)));
        assertNull(e.parameter());
        assertMentions(e, "the loss is Infinity", "every gradient is finite");
    }

    /** Two classes split by the sign of x₀: an MLP with sane settings learns it. */
    private static Dataset signs(int n) {
        Dataset d = TestSupport.linear(n, 3, 0);
        float[] x = d.features().toFloatArray();
        float[] y = new float[n];
        for (int i = 0; i < n; i++) y[i] = x[2 * i] > 0 ? 1 : 0;
        return new Dataset(d.features(), Tensor.wrap(y, n));
    }

    @Test
    void adamAtAHugeLearningRateKeepsEveryValueFiniteButIsStoppedAsARunaway() {
        Sequential model = TestSupport.mlp(4, 2, 16, 2);
        var e = assertThrows(TrainingDivergedException.class, () -> new Trainer(model, TestSupport.CROSS_ENTROPY,
                new Adam(model.parameters(), Adam.Options.defaults().lr(1e6))).fit(signs(128),
                FitConfig.of(Task.CLASSIFICATION).withEpochs(20).withBatchSize(16)));
        assertEquals(1, e.epoch(), "the first epoch already ran away");
        assertNull(e.parameter(), "no value is non-finite");
        assertTrue(Double.isFinite(e.loss()) && e.loss() > Divergence.RUNAWAY_FACTOR * Math.log(2), "loss " + e.loss());
        assertMentions(e, "training diverged at epoch 1: the mean training loss rose to", "running away",
                "lower learning rate (now 1000000.0)");
        for (Map.Entry<String, Tensor> w : model.stateDict().entrySet()) {
            for (float v : w.getValue().toFloatArray()) assertTrue(Float.isFinite(v), w.getKey() + " holds " + v);
        }
    }

    @Test
    void noisySingleSampleStepsAtASaneLearningRateAreNotARunaway() {
        // batch 1: one sample's loss may be tiny by chance; the reference is the untrained loss over many samples
        Sequential model = TestSupport.mlp(5, 2, 8, 2);
        History h = new Trainer(model, TestSupport.CROSS_ENTROPY, new Adam(model.parameters(), Adam.Options.defaults()))
                .fit(signs(64), FitConfig.of(Task.CLASSIFICATION).withEpochs(5).withBatchSize(1));
        assertEquals(5, h.epochs().size());
        assertTrue(h.epochs().get(4).trainLoss() < h.epochs().get(0).trainLoss(), "it learns");
    }
}

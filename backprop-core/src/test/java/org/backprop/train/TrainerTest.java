package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.backprop.autograd.GradMode;
import org.backprop.data.Dataset;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class TrainerTest {

    private static FitConfig regression() {
        return FitConfig.of(Task.REGRESSION).withBatchSize(8).withEpochs(4).withSeed(3);
    }

    @Test
    void callbacksSeeEveryEpochAndStepInOrder() {
        Sequential model = TestSupport.mlp(1, 2, 4, 1);
        List<String> events = new ArrayList<>();
        List<StepInfo> steps = new ArrayList<>();
        List<EpochResult> ends = new ArrayList<>();
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.05))
                .callback(new Callback() {
                    @Override
                    public void onEpochStart(int epoch) {
                        events.add("start " + epoch);
                    }

                    @Override
                    public void beforeStep(List<Parameter> parameters) {
                        assertEquals(model.parameters(), parameters);
                        for (Parameter p : parameters) assertNotNull(p.grad(), "gradients exist before the step");
                        events.add("before");
                    }

                    @Override
                    public void onBatchEnd(StepInfo step) {
                        steps.add(step);
                        events.add("batch");
                    }

                    @Override
                    public void onEpochEnd(EpochResult result) {
                        ends.add(result);
                        events.add("end " + result.epoch());
                    }
                })
                .fit(TestSupport.linear(20, 1, 0.1), regression().withEpochs(2));
        List<String> epoch = List.of("before", "batch", "before", "batch", "before", "batch");
        List<String> expected = new ArrayList<>();
        for (int e = 1; e <= 2; e++) {
            expected.add("start " + e);
            expected.addAll(epoch);
            expected.add("end " + e);
        }
        assertEquals(expected, events);
        assertEquals(new StepInfo(2, 3, 3, steps.getLast().batchLoss(), 20), steps.getLast());
        assertEquals(List.of(8, 16, 20), steps.subList(0, 3).stream().map(StepInfo::samplesSeen).toList());
        assertEquals(h.epochs(), ends);
        // the epoch's training loss is the batch losses weighted by batch size
        double weighted = (steps.get(3).batchLoss() * 8 + steps.get(4).batchLoss() * 8 + steps.get(5).batchLoss() * 4) / 20;
        assertEquals(weighted, h.epochs().get(1).trainLoss(), 1e-6);
    }

    @Test
    void beforeStepRunsBetweenBackwardAndTheUpdate() {
        // a hook that zeroes every gradient leaves plain SGD nothing to do
        Sequential model = TestSupport.mlp(2, 2, 4, 1);
        Map<String, float[]> before = TestSupport.weights(model);
        new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.1))
                .callback(new Callback() {
                    @Override
                    public void beforeStep(List<Parameter> parameters) {
                        for (Parameter p : parameters) p.zeroGrad();
                    }
                })
                .fit(TestSupport.linear(16, 1, 0), regression());
        Map<String, float[]> after = TestSupport.weights(model);
        for (String k : before.keySet()) assertArrayEquals(before.get(k), after.get(k), k);
    }

    @Test
    void schedulerGetsTheValidationLossOrElseTheTrainingLossAndSetsTheNextEpochsRate() {
        Dataset data = TestSupport.linear(40, 2, 0.1);
        for (boolean withValidation : new boolean[] {true, false}) {
            Sequential model = TestSupport.mlp(1, 2, 1);
            Optimizer sgd = new SGD(model.parameters(), 0.1);
            List<Double> seen = new ArrayList<>();
            FitConfig config = withValidation ? regression().withValidationFraction(0.25) : regression();
            History h = new Trainer(model, TestSupport.MSE, sgd)
                    .scheduler(monitored -> {
                        seen.add(monitored);
                        sgd.setLr(sgd.lr() / 2);
                    })
                    .fit(data, config);
            List<Double> expected = h.epochs().stream()
                    .map(r -> withValidation ? r.validationLoss() : r.trainLoss()).toList();
            assertEquals(expected, seen);
            assertEquals(List.of(0.1, 0.05, 0.025, 0.0125), h.epochs().stream().map(EpochResult::lr).toList());
        }
    }

    @Test
    void validationFractionSplitsOffThatShareWithTheSeed() {
        Sequential model = TestSupport.mlp(1, 2, 1);
        int[] seen = {0};
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.1))
                .callback(new Callback() {
                    @Override
                    public void onBatchEnd(StepInfo step) {
                        seen[0] = step.samplesSeen();
                    }
                })
                .fit(TestSupport.linear(50, 1, 0.1), regression().withValidationFraction(0.2));
        assertEquals(40, seen[0]);
        assertEquals(40, h.last().train().samples());
        assertEquals(10, h.last().validation().samples());
        assertTrue(h.last().hasValidation());
    }

    @Test
    void theSameSeedGivesTheSameRun() {
        List<List<Double>> runs = new ArrayList<>();
        for (int run = 0; run < 2; run++) {
            Sequential model = TestSupport.mlp(9, 2, 4, 1);
            History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.05))
                    .fit(TestSupport.linear(30, 1, 0.2), regression().withValidationFraction(0.2));
            runs.add(h.epochs().stream().map(EpochResult::trainLoss).toList());
        }
        assertEquals(runs.get(0), runs.get(1));
    }

    @Test
    void nothingToTrainOnIsAClearError() {
        Sequential model = TestSupport.mlp(1, 2, 1);
        Trainer trainer = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.1));
        Dataset empty = new Dataset(Tensor.zeros(0, 2), Tensor.zeros(0, 1));
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(empty, regression()));
        assertTrue(e.getMessage().contains("training set is empty"), e.getMessage());
        var d = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(TestSupport.linear(5, 1, 0), regression().withDropLast(true)));
        assertTrue(d.getMessage().contains("5 training samples with batch size 8"), d.getMessage());
    }

    @Test
    void evaluateScoresInEvalModeWithoutGradientsAndRestoresTheMode() {
        Sequential model = TestSupport.mlp(4, 2, 4, 1);
        Dataset data = TestSupport.linear(10, 6, 0.3);
        Tensor prediction;
        try (var _ = GradMode.noGrad()) {
            prediction = model.forward(data.features());
        }
        Evaluation whole = Metrics.of(Task.REGRESSION, prediction, data.targets());
        Evaluation e = Trainer.evaluate(model, data, TestSupport.MSE, Task.REGRESSION, 3); // batches 3, 3, 3, 1
        assertEquals(10, e.samples());
        assertEquals(whole.r2(), e.r2(), 1e-6);
        assertEquals(whole.mae(), e.mae(), 1e-6);
        assertEquals(whole.mse(), e.loss(), 1e-6, "MSE loss averaged over samples equals the MSE");
        assertTrue(model.isTraining());
        model.eval();
        Trainer.evaluate(model, data, null, Task.REGRESSION, 4);
        assertFalse(model.isTraining());
        for (Parameter p : model.parameters()) assertNull(p.grad(), "evaluation must not backpropagate");
        assertTrue(Double.isNaN(Trainer.evaluate(model, data, null, Task.REGRESSION, 4).loss()));
    }

    @Test
    void predictInBatchesGivesTheWholePassOutputsInOrder() {
        Sequential model = TestSupport.mlp(4, 2, 5, 3); // 2 features in, 3 outputs
        Dataset data = TestSupport.linear(11, 5, 0.2);
        Tensor whole;
        try (var _ = GradMode.noGrad()) {
            whole = model.forward(data.features());
        }
        Tensor batched = Predictions.of(model, data, 4); // batches 4, 4, 3
        assertArrayEquals(whole.shape(), batched.shape());
        assertArrayEquals(whole.toFloatArray(), batched.toFloatArray(), 1e-6f);
        assertTrue(model.isTraining(), "the mode is left as it was");
        for (Parameter p : model.parameters()) assertNull(p.grad(), "prediction must not backpropagate");
    }

    @Test
    void configRejectsNonsense() {
        FitConfig base = FitConfig.of(Task.CLASSIFICATION);
        assertThrows(IllegalArgumentException.class, () -> base.withEpochs(0));
        assertThrows(IllegalArgumentException.class, () -> base.withBatchSize(0));
        assertThrows(IllegalArgumentException.class, () -> base.withValidationFraction(1));
        assertThrows(IllegalArgumentException.class, () -> base.withConvergence(1e-4, 0));
        assertThrows(IllegalArgumentException.class, () -> base.withEarlyStopping(-1, 0));
        Dataset d = TestSupport.linear(4, 1, 0);
        assertThrows(IllegalArgumentException.class, () -> new FitConfig(Task.REGRESSION, 1, 1, 0, true, false, d, 0.5,
                0, 0, 0, 0));
        FitConfig v = base.withValidationFraction(0.1).withValidation(d);
        assertSame(d, v.validation());
        assertEquals(0, v.validationFraction());
    }

    @Test
    void augmentationChangesEveryTrainingBatchButNeverValidationAndRepeatsWithTheSeed() {
        Dataset data = TestSupport.linear(40, 1, 0.1); // 32 train + 8 validation rows: 4 steps of 8 an epoch
        List<Integer> sizes = new ArrayList<>();
        List<Float> firstValues = new ArrayList<>();
        // adds noise drawn from the trainer's generator; records what it was given
        org.backprop.data.BatchTransform noisy = (features, rng) -> {
            sizes.add(features.size(0));
            float[] v = features.toFloatArray();
            for (int i = 0; i < v.length; i++) v[i] += (float) rng.nextGaussian() * 0.01f;
            firstValues.add(v[0]);
            return Tensor.wrap(v, features.shape());
        };
        Sequential model = TestSupport.mlp(1, 2, 4, 1);
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.05)).augmentation(noisy)
                .fit(data, regression().withValidationFraction(0.2).withEpochs(3));
        assertEquals(List.of(8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8), sizes, "every training batch of 3 epochs, no validation batch");

        List<Float> again = new ArrayList<>(firstValues);
        firstValues.clear();
        Sequential same = TestSupport.mlp(1, 2, 4, 1);
        History h2 = new Trainer(same, TestSupport.MSE, new SGD(same.parameters(), 0.05)).augmentation(noisy)
                .fit(data, regression().withValidationFraction(0.2).withEpochs(3));
        assertEquals(again, firstValues, "the same seed draws the same augmentation");
        assertEquals(h.epochs().getLast().trainLoss(), h2.epochs().getLast().trainLoss());
        assertFalse(org.backprop.data.DataLoader.stepRandom(1, 2, 3).nextLong() == org.backprop.data.DataLoader.stepRandom(1, 2, 4).nextLong(),
                "steps draw from different streams");
    }
}

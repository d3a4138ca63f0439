package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.data.Dataset;
import org.backprop.loss.Loss;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class StoppingRulesTest {

    @Test
    void maxEpochsRunsExactlyThatMany() {
        Sequential model = TestSupport.mlp(1, 2, 1);
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.01))
                .fit(TestSupport.linear(32, 1, 0.1), FitConfig.of(Task.REGRESSION).withEpochs(3).withBatchSize(8));
        assertEquals(3, h.epochs().size());
        assertEquals(List.of(1, 2, 3), h.epochs().stream().map(EpochResult::epoch).toList());
        assertEquals(StopReason.MAX_EPOCHS, h.stopReason());
        assertEquals("max epochs (3)", h.stopMessage());
        assertFalse(h.restoredBestWeights());
    }

    @Test
    void convergenceStopsAtTheFirstRunOfSmallChanges() {
        double tol = 1e-5;
        int patience = 3;
        Sequential model = TestSupport.mlp(2, 2, 1);
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.1))
                .fit(TestSupport.linear(64, 2, 0), FitConfig.of(Task.REGRESSION).withEpochs(500).withBatchSize(16)
                        .withConvergence(tol, patience));
        assertEquals(StopReason.CONVERGED, h.stopReason());
        int n = h.epochs().size();
        assertTrue(n < 500, "stopped at epoch " + n);
        assertTrue(h.stopMessage().startsWith("converged at epoch " + n), h.stopMessage());
        // recheck the rule on the recorded losses: the last `patience` changes are small, and no
        // earlier run of `patience` small changes exists
        double[] loss = h.epochs().stream().mapToDouble(EpochResult::trainLoss).toArray();
        int run = 0;
        for (int e = 1; e < n; e++) {
            run = Math.abs(loss[e] - loss[e - 1]) < tol ? run + 1 : 0;
            if (e < n - 1) assertTrue(run < patience, "should have stopped after epoch " + (e + 1));
        }
        assertEquals(patience, run);
        assertTrue(loss[n - 1] < 1e-3, "a noiseless linear target is learned; loss " + loss[n - 1]);
    }

    /**
     * Training targets y = 2x, validation targets y = x, weight starting at 0: as w grows towards 2
     * the validation loss first falls (until w passes 1), then rises, so its minimum lies mid-run.
     */
    @Test
    void earlyStoppingRestoresTheWeightsOfTheBestEpoch() {
        Random rng = new Random(4);
        int n = 64;
        float[] x = new float[n], y2 = new float[n], y1 = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = rng.nextFloat() * 2 - 1;
            y2[i] = 2 * x[i];
            y1[i] = x[i];
        }
        Dataset train = new Dataset(Tensor.wrap(x, n, 1), Tensor.wrap(y2, n, 1));
        Dataset val = new Dataset(Tensor.of(x, n, 1), Tensor.wrap(y1, n, 1));
        Linear layer = new Linear(1, 1, new Random(1));
        layer.weight.data()[0] = 0;
        layer.bias.data()[0] = 0;
        Sequential model = new Sequential(layer);

        List<Map<String, float[]>> snapshots = new ArrayList<>();
        int patience = 3;
        History h = new Trainer(model, TestSupport.MSE, new SGD(model.parameters(), 0.05))
                .callback(new Callback() {
                    @Override
                    public void onEpochEnd(EpochResult result) {
                        snapshots.add(TestSupport.weights(model));
                    }
                })
                .fit(train, FitConfig.of(Task.REGRESSION).withEpochs(100).withBatchSize(16).withValidation(val)
                        .withEarlyStopping(patience, 0));

        double[] valLoss = h.epochs().stream().mapToDouble(EpochResult::validationLoss).toArray();
        int best = 0;
        for (int e = 1; e < valLoss.length; e++) if (valLoss[e] < valLoss[best]) best = e;
        int bestEpoch = best + 1, last = valLoss.length;
        assertTrue(bestEpoch > 1 && last < 100, "best epoch " + bestEpoch + ", stopped at " + last);
        assertEquals(StopReason.EARLY_STOPPING, h.stopReason());
        assertEquals(bestEpoch, h.bestEpoch());
        assertEquals(bestEpoch + patience, last);
        assertEquals("early stopping at epoch " + last + ", best epoch " + bestEpoch, h.stopMessage());
        assertTrue(h.restoredBestWeights());

        Map<String, float[]> now = TestSupport.weights(model);
        Map<String, float[]> atBest = snapshots.get(bestEpoch - 1);
        Map<String, float[]> atEnd = snapshots.get(last - 1);
        for (String k : now.keySet()) {
            assertArrayEquals(atBest.get(k), now.get(k), k + " must hold its value from the best epoch");
        }
        assertFalse(Arrays.equals(atEnd.get("0.weight"), now.get("0.weight")), "training moved past the best weights");
        // and the restored model scores the best validation loss again
        assertEquals(valLoss[best], Trainer.evaluate(model, val, TestSupport.MSE, Task.REGRESSION, 64).loss(), 1e-6);
    }

    @Test
    void minDeltaIgnoresTinyImprovements() {
        // a loss that falls by 1e-5 per call: below a min delta of 1e-3 it never counts as progress
        Dataset d = TestSupport.linear(16, 1, 0);
        for (double minDelta : new double[] {1e-3, 0}) {
            int[] calls = {0};
            Loss shrinking = (p, y) -> p.mul(0f).sum().add(1f - 1e-5f * ++calls[0]);
            Sequential model = TestSupport.mlp(1, 2, 1);
            History h = new Trainer(model, shrinking, new SGD(model.parameters(), 0.1))
                    .fit(d, FitConfig.of(Task.REGRESSION).withEpochs(10).withValidation(d).withEarlyStopping(2, minDelta));
            if (minDelta > 0) {
                assertEquals("early stopping at epoch 3, best epoch 1", h.stopMessage());
            } else {
                assertEquals(StopReason.MAX_EPOCHS, h.stopReason());
                assertEquals(10, h.bestEpoch());
            }
        }
    }

    @Test
    void earlyStoppingNeedsValidationData() {
        Sequential model = TestSupport.mlp(1, 2, 1);
        var e = assertThrows(IllegalArgumentException.class, () -> new Trainer(model, TestSupport.MSE,
                new SGD(model.parameters(), 0.1)).fit(TestSupport.linear(8, 1, 0),
                FitConfig.of(Task.REGRESSION).withEarlyStopping(3, 0)));
        assertTrue(e.getMessage().contains("validation"), e.getMessage());
    }
}

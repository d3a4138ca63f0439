package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.io.SafeTensors;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.SGD;
import org.backprop.optim.StepLR;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CheckpointTest {
    private static final Dataset DIGITS = BuiltinDatasets.digits();

    /** Shuffled, validated, early stopping armed, convergence armed: every piece of loop state is in play. */
    private static FitConfig config(int epochs) {
        return FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(64).withSeed(11)
                .withValidationFraction(0.2).withEarlyStopping(50, 0).withConvergence(1e-12, 50);
    }

    /** A model, Adam (state per parameter) and a step schedule that changes the rate during the run. */
    private record Run(Sequential model, Adam optimizer, Trainer trainer) {
        static Run fresh(long initSeed) {
            Sequential model = TestSupport.mlp(initSeed, 64, 32, 10);
            Adam adam = new Adam(model.parameters(), 3e-3);
            Trainer trainer = new Trainer(model, TestSupport.CROSS_ENTROPY, adam).scheduler(new StepLR(adam, 2, 0.5));
            return new Run(model, adam, trainer);
        }
    }

    @Test
    void threePlusThreeEpochsWithASaveAndLoadGiveTheBitIdenticalWeightsOfSixStraight(@TempDir Path dir) throws IOException {
        Run straight = Run.fresh(5);
        History full = straight.trainer().fit(DIGITS, config(6));

        Path file = dir.resolve("run.ckpt.safetensors");
        Run firstHalf = Run.fresh(5);
        firstHalf.trainer().checkpoint(file, 3).fit(DIGITS, config(3));

        // A new process: different initial weights, new optimizer and schedule, all state from the file.
        Run secondHalf = Run.fresh(99);
        Checkpoint c = Checkpoint.load(file);
        assertEquals(3, c.epoch());
        History resumed = secondHalf.trainer().resume(c).fit(DIGITS, config(6));

        Map<String, float[]> expected = TestSupport.weights(straight.model()), actual = TestSupport.weights(secondHalf.model());
        assertEquals(expected.keySet(), actual.keySet());
        expected.forEach((k, v) -> assertArrayEquals(v, actual.get(k), "parameter " + k));
        assertEquals(straight.optimizer().lr(), secondHalf.optimizer().lr());
        assertEquals(straight.optimizer().stepCount(), secondHalf.optimizer().stepCount());
        assertEquals(6, resumed.epochs().size());
        for (int i = 0; i < 6; i++) {
            assertEquals(full.epochs().get(i).trainLoss(), resumed.epochs().get(i).trainLoss(), "train loss of epoch " + (i + 1));
            assertEquals(full.epochs().get(i).validationLoss(), resumed.epochs().get(i).validationLoss());
            assertEquals(full.epochs().get(i).lr(), resumed.epochs().get(i).lr(), "lr of epoch " + (i + 1));
        }
        assertEquals(full.bestEpoch(), resumed.bestEpoch());
    }

    @Test
    void checkpointRoundTripsEveryField(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.safetensors");
        Run run = Run.fresh(1);
        History h = run.trainer().checkpoint(file, 1).fit(DIGITS, config(2));
        Checkpoint c = Checkpoint.load(file);
        assertEquals(2, c.epoch());
        assertEquals(h.epochs(), c.history(), "epoch results, NaN metrics included");
        assertEquals(Adam.class.getName(), c.optimizerType());
        assertEquals(run.optimizer().lr(), c.lr());
        assertEquals(new Checkpoint.Settings(Task.CLASSIFICATION, 11, 64, true, false, 0.2), c.settings());
        assertEquals(h.bestEpoch(), c.bestEpoch());
        assertEquals(h.best().validationLoss(), c.bestLoss());
        assertEquals(run.model().stateDict().keySet(), c.model().keySet());
        assertEquals(run.model().stateDict().keySet(), c.bestModel().keySet());
        assertEquals(run.optimizer().stateDict().keySet(), c.optimizer().keySet());
    }

    @Test
    void savesEveryNthEpochAndAfterTheLast(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.safetensors");
        List<Integer> seenAtEpochStart = new ArrayList<>();
        Run run = Run.fresh(1);
        run.trainer().checkpoint(file, 2).callback(new Callback() {
            @Override
            public void onEpochStart(int epoch) {
                try {
                    seenAtEpochStart.add(Files.exists(file) ? Checkpoint.load(file).epoch() : 0);
                } catch (IOException e) {
                    throw new AssertionError(e);
                }
            }
        }).fit(DIGITS, config(5));
        assertEquals(List.of(0, 0, 2, 2, 4), seenAtEpochStart);
        assertEquals(5, Checkpoint.load(file).epoch());
    }

    @Test
    void resumeRefusesOtherSettingsAnotherOptimizerOrNothingLeftToDo(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("c.safetensors");
        Run.fresh(1).trainer().checkpoint(file, 1).fit(DIGITS, config(2));
        Checkpoint c = Checkpoint.load(file);

        var seed = assertThrows(IllegalArgumentException.class,
                () -> Run.fresh(1).trainer().resume(c).fit(DIGITS, config(4).withSeed(12)));
        assertTrue(seed.getMessage().contains("seed=11") && seed.getMessage().contains("seed=12"), seed.getMessage());

        Sequential m = TestSupport.mlp(1, 64, 32, 10);
        var opt = assertThrows(IllegalArgumentException.class, () -> new Trainer(m, TestSupport.CROSS_ENTROPY,
                new SGD(m.parameters(), 0.1)).resume(c).fit(DIGITS, config(4)));
        assertTrue(opt.getMessage().contains("Adam") && opt.getMessage().contains("SGD"), opt.getMessage());

        var done = assertThrows(IllegalArgumentException.class, () -> Run.fresh(1).trainer().resume(c).fit(DIGITS, config(2)));
        assertTrue(done.getMessage().contains("raise the number of epochs"), done.getMessage());

        // Without the schedule the rate after epoch 2 (halved by StepLR) cannot be reproduced.
        Sequential m2 = TestSupport.mlp(1, 64, 32, 10);
        var lr = assertThrows(IllegalArgumentException.class, () -> new Trainer(m2, TestSupport.CROSS_ENTROPY,
                new Adam(m2.parameters(), 3e-3)).resume(c).fit(DIGITS, config(4)));
        assertTrue(lr.getMessage().contains("learning rate"), lr.getMessage());
    }

    @Test
    void aModelFileIsNotACheckpoint(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("model.safetensors");
        SafeTensors.write(file, Map.of("w", Tensor.of(new float[] {1, 2}, 2)));
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("is not a training checkpoint"), e.getMessage());
    }
}

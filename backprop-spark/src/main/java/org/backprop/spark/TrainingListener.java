package org.backprop.spark;

import java.util.List;
import org.backprop.nn.Module;
import org.backprop.optim.Optimizer;

/**
 * Hooks the driver calls during {@link SparkTrainer#fit}: progress display, learning-rate
 * schedules (call {@code scheduler.step(loss)} in {@link #onEpochEnd}), early stopping by
 * exception, checkpoints. They run on the driver, between rounds, so they may read and change
 * the model and optimizer.
 */
public interface TrainingListener {

    /**
     * After each round of communication: every step in synchronous mode, every
     * {@code localSteps} steps in local SGD.
     *
     * @param round statistics of the round just finished
     */
    default void onRound(RoundStats round) {}

    /**
     * When {@code fit} starts, before the first round: its settings and the losses of the epochs
     * done before a resume (empty when the run starts at epoch 1).
     */
    default void onStart(SparkTrainConfig config, List<Double> earlierEpochLosses) {}

    /** After each epoch, with the mean training loss over the epoch's samples. */
    default void onEpochEnd(int epoch, double meanLoss, Module model, Optimizer optimizer) {}
}

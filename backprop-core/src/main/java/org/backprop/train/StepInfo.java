package org.backprop.train;

/**
 * Progress after one optimisation step, for {@link Callback#onBatchEnd}.
 *
 * @param epoch          1-based epoch
 * @param step           1-based step within the epoch
 * @param stepsPerEpoch  steps in every epoch
 * @param batchLoss      this batch's loss
 * @param samplesSeen    training samples processed so far in this epoch
 */
public record StepInfo(int epoch, int step, int stepsPerEpoch, double batchLoss, int samplesSeen) {}

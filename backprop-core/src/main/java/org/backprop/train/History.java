package org.backprop.train;

import java.util.List;

/**
 * The record of a {@link Trainer#fit} run.
 *
 * @param epochs              one result per epoch run, in order
 * @param stopMessage         why training stopped, e.g. {@code "early stopping at epoch 14, best epoch 9"}
 * @param bestEpoch           the epoch with the lowest validation loss (training loss without validation)
 * @param restoredBestWeights whether early stopping put the weights of {@code bestEpoch} back into the model
 */
public record History(List<EpochResult> epochs, StopReason stopReason, String stopMessage, int bestEpoch,
                      boolean restoredBestWeights) {

    public History {
        epochs = List.copyOf(epochs);
    }

    /** The last epoch run. */
    public EpochResult last() {
        return epochs.getLast();
    }

    /** The result of {@link #bestEpoch()}. */
    public EpochResult best() {
        return epochs.get(bestEpoch - 1);
    }

    @Override
    public String toString() {
        return "History(" + epochs.size() + " epochs, " + stopMessage + ")";
    }
}

package org.backprop.train;

/**
 * What one epoch produced.
 *
 * <p>The training loss and metrics are averaged over the epoch's batches as they were trained
 * (each batch scored just before its update, as Keras reports them), which costs no extra pass;
 * the validation ones are computed after the epoch, with the model in evaluation mode.
 *
 * @param epoch      1-based epoch number
 * @param validation {@code null} when there is no validation set
 * @param lr         the learning rate used during this epoch
 * @param seconds    wall time of the epoch, validation included
 */
public record EpochResult(int epoch, Evaluation train, Evaluation validation, double lr, double seconds) {

    public double trainLoss() {
        return train.loss();
    }

    /** The validation loss, or NaN without a validation set. */
    public double validationLoss() {
        return validation == null ? Double.NaN : validation.loss();
    }

    public boolean hasValidation() {
        return validation != null;
    }

    @Override
    public String toString() {
        return "epoch " + epoch + ": train " + train + (validation == null ? "" : "; validation " + validation)
                + String.format(java.util.Locale.ROOT, "; lr %.3g; %.2f s", lr, seconds);
    }
}

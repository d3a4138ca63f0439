package org.backprop.train;

/** Why {@link Trainer#fit} stopped. */
public enum StopReason {
    /** The configured number of epochs ran. */
    MAX_EPOCHS,
    /** The training loss changed by less than the tolerance for the configured number of epochs in a row. */
    CONVERGED,
    /** The validation loss stopped improving for the configured patience. */
    EARLY_STOPPING
}

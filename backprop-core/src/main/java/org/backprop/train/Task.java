package org.backprop.train;

/** What a model predicts, which decides the metrics reported beside the loss. */
public enum Task {
    /** Class indices from logits {@code [N, C]}: accuracy. */
    CLASSIFICATION,
    /** Real values {@code [N, k]}: RMSE, MAE and R². */
    REGRESSION
}

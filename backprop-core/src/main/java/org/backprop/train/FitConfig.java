package org.backprop.train;

import org.backprop.data.Dataset;

/**
 * Settings of {@link Trainer#fit}. Start from {@link #of(Task)} and change what is needed:
 * <pre>{@code
 * FitConfig config = FitConfig.of(Task.CLASSIFICATION)
 *         .withEpochs(50).withBatchSize(64).withSeed(42)
 *         .withValidationFraction(0.1)
 *         .withEarlyStopping(5, 1e-4);
 * }</pre>
 *
 * @param task                   decides the metrics (accuracy, or RMSE/MAE/R²)
 * @param epochs                 the most epochs to run
 * @param batchSize              samples per step
 * @param seed                   seeds the per-epoch shuffle and the validation split
 * @param shuffle                whether each epoch visits the training samples in a new random order
 * @param dropLast               whether to skip each epoch's last batch when it is smaller than {@code batchSize}
 * @param validation             a validation set, or {@code null}
 * @param validationFraction     when above 0, the share of the training data split off (with the seed) as
 *                               validation set; exclusive with {@code validation}
 * @param convergenceTolerance   when above 0, stop once the training loss changed by less than this
 *                               (absolute) between epochs for {@code convergencePatience} epochs in a row
 * @param convergencePatience    see {@code convergenceTolerance}
 * @param earlyStoppingPatience  when above 0, stop once the validation loss has not improved for this many
 *                               epochs, and restore the weights of the best epoch
 * @param earlyStoppingMinDelta  how much lower than the best so far a validation loss must be to count as
 *                               an improvement
 */
public record FitConfig(Task task, int epochs, int batchSize, long seed, boolean shuffle, boolean dropLast,
                        Dataset validation, double validationFraction, double convergenceTolerance,
                        int convergencePatience, int earlyStoppingPatience, double earlyStoppingMinDelta) {

    public FitConfig {
        if (task == null) throw new IllegalArgumentException("FitConfig: the task is required");
        if (epochs < 1) throw new IllegalArgumentException("FitConfig: epochs must be at least 1, got " + epochs);
        if (batchSize < 1) throw new IllegalArgumentException("FitConfig: batch size must be at least 1, got " + batchSize);
        if (!(validationFraction >= 0 && validationFraction < 1)) {
            throw new IllegalArgumentException("FitConfig: validation fraction must be in [0, 1), got " + validationFraction);
        }
        if (validation != null && validationFraction > 0) {
            throw new IllegalArgumentException("FitConfig: give either a validation set or a validation fraction, not both");
        }
        if (!(convergenceTolerance >= 0) || convergencePatience < 0 || (convergenceTolerance > 0 && convergencePatience < 1)) {
            throw new IllegalArgumentException("FitConfig: convergence needs a tolerance >= 0 and, when the tolerance is set,"
                    + " a patience >= 1; got tolerance " + convergenceTolerance + ", patience " + convergencePatience);
        }
        if (earlyStoppingPatience < 0 || !(earlyStoppingMinDelta >= 0)) {
            throw new IllegalArgumentException("FitConfig: early stopping needs a patience >= 0 and a min delta >= 0; got "
                    + earlyStoppingPatience + " and " + earlyStoppingMinDelta);
        }
    }

    /** The batch size of {@link #of}, also the command line's. */
    public static final int DEFAULT_BATCH_SIZE = 32;

    /** 10 epochs, batches of {@value #DEFAULT_BATCH_SIZE}, seed 0, shuffled, no validation, no convergence or early stopping. */
    public static FitConfig of(Task task) {
        return new FitConfig(task, 10, DEFAULT_BATCH_SIZE, 0, true, false, null, 0, 0, 0, 0, 0);
    }

    /** Whether a validation set is given or split off. */
    public boolean hasValidation() {
        return validation != null || validationFraction > 0;
    }

    public boolean earlyStopping() {
        return earlyStoppingPatience > 0;
    }

    public boolean convergence() {
        return convergenceTolerance > 0;
    }

    public FitConfig withTask(Task task) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    public FitConfig withEpochs(int epochs) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    public FitConfig withBatchSize(int batchSize) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    public FitConfig withSeed(long seed) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    public FitConfig withShuffle(boolean shuffle) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    public FitConfig withDropLast(boolean dropLast) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    /** Uses {@code validation} as validation set (and no validation fraction). */
    public FitConfig withValidation(Dataset validation) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, 0,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    /** Splits {@code fraction} of the training data off as validation set (and no separate validation set). */
    public FitConfig withValidationFraction(double fraction) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, null, fraction,
                convergenceTolerance, convergencePatience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    /** Stops once the training loss changes by less than {@code tolerance} for {@code patience} epochs in a row. */
    public FitConfig withConvergence(double tolerance, int patience) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                tolerance, patience, earlyStoppingPatience, earlyStoppingMinDelta);
    }

    /** Stops once the validation loss has not improved by {@code minDelta} for {@code patience} epochs. */
    public FitConfig withEarlyStopping(int patience, double minDelta) {
        return new FitConfig(task, epochs, batchSize, seed, shuffle, dropLast, validation, validationFraction,
                convergenceTolerance, convergencePatience, patience, minDelta);
    }
}

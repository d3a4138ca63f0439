package org.backprop.train;

/**
 * Training produced a loss or a gradient that is NaN or infinite. Further steps would only spread
 * the non-finite values through the weights, so {@link Trainer#fit} stops at once.
 */
public final class TrainingDivergedException extends RuntimeException {
    private final int epoch;
    private final int step;
    private final double loss;
    private final String parameter;

    /**
     * @param parameter dotted name of the first parameter whose gradient is not finite, or {@code null}
     */
    public TrainingDivergedException(String message, int epoch, int step, double loss, String parameter) {
        super(message);
        this.epoch = epoch;
        this.step = step;
        this.loss = loss;
        this.parameter = parameter;
    }

    public int epoch() {
        return epoch;
    }

    public int step() {
        return step;
    }

    public double loss() {
        return loss;
    }

    /** The first parameter (in {@code namedParameters()} order) with a non-finite gradient, or {@code null}. */
    public String parameter() {
        return parameter;
    }
}

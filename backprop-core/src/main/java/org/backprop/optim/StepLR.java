package org.backprop.optim;

/**
 * Multiplies the learning rate by γ every {@code stepSize} epochs, as PyTorch's
 * {@code torch.optim.lr_scheduler.StepLR}. After e calls to {@link #step}:
 * <pre>
 *   η_e = η_0 · γ^⌊e / stepSize⌋
 * </pre>
 * where η_0 is the optimizer's learning rate when the schedule is created. The rate is set from
 * this closed form at every step, so a change made to the optimizer's rate by anything else is
 * overwritten at the next step (PyTorch's chainable form would build on it instead; with the
 * schedule as the only writer both give these values).
 *
 * <p>Default γ: {@value #DEFAULT_GAMMA}.
 */
public final class StepLR implements LrScheduler {
    public static final double DEFAULT_GAMMA = 0.1;

    private final Optimizer optimizer;
    private final double baseLr;
    private final int stepSize;
    private final double gamma;
    private int epoch;

    public StepLR(Optimizer optimizer, int stepSize) {
        this(optimizer, stepSize, DEFAULT_GAMMA);
    }

    public StepLR(Optimizer optimizer, int stepSize, double gamma) {
        if (stepSize < 1) throw new IllegalArgumentException("Invalid step_size value: " + stepSize + " (must be >= 1)");
        Check.positive("gamma", gamma);
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
        this.stepSize = stepSize;
        this.gamma = gamma;
    }

    /** Ends an epoch; the monitored value is not used. */
    @Override
    public void step(double monitoredValue) {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    /** The learning rate after {@code epoch} steps. */
    public double lrAt(int epoch) {
        return baseLr * Math.pow(gamma, epoch / stepSize);
    }

    /** Steps taken so far. */
    public int epoch() {
        return epoch;
    }
}

package org.backprop.optim;

/**
 * Multiplies the learning rate by γ every epoch, as PyTorch's
 * {@code torch.optim.lr_scheduler.ExponentialLR}. After e calls to {@link #step}:
 * <pre>
 *   η_e = η_0 · γ^e
 * </pre>
 * where η_0 is the optimizer's learning rate when the schedule is created. The rate is set from
 * this closed form at every step (see {@link StepLR} on how that differs from PyTorch's
 * chainable form when something else also changes the rate).
 */
public final class ExponentialLR implements LrScheduler {
    private final Optimizer optimizer;
    private final double baseLr;
    private final double gamma;
    private int epoch;

    public ExponentialLR(Optimizer optimizer, double gamma) {
        Check.positive("gamma", gamma);
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
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
        return baseLr * Math.pow(gamma, epoch);
    }

    /** Steps taken so far. */
    public int epoch() {
        return epoch;
    }
}

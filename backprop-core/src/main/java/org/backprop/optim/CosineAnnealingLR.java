package org.backprop.optim;

/**
 * Anneals the learning rate from η_0 to η_min along half a cosine over T_max epochs, as PyTorch's
 * {@code torch.optim.lr_scheduler.CosineAnnealingLR}, in closed form. After e calls to
 * {@link #step}:
 * <pre>
 *   η_e = η_min + (η_0 − η_min) · (1 + cos(π·e / T_max)) / 2
 * </pre>
 * where η_0 is the optimizer's learning rate when the schedule is created. η reaches η_min at
 * e = T_max; stepping past it follows the cosine back up (period 2·T_max), as PyTorch does. The
 * rate is set from this closed form at every step (see {@link StepLR}).
 *
 * <p>Default η_min: {@value #DEFAULT_ETA_MIN}.
 *
 * <p>I. Loshchilov, F. Hutter, "SGDR: Stochastic Gradient Descent with Warm Restarts", ICLR 2017
 * (this schedule is its cosine without the restarts).
 */
public final class CosineAnnealingLR implements LrScheduler {
    public static final double DEFAULT_ETA_MIN = 0;

    private final Optimizer optimizer;
    private final double baseLr;
    private final int tMax;
    private final double etaMin;
    private int epoch;

    public CosineAnnealingLR(Optimizer optimizer, int tMax) {
        this(optimizer, tMax, DEFAULT_ETA_MIN);
    }

    public CosineAnnealingLR(Optimizer optimizer, int tMax, double etaMin) {
        if (tMax < 1) throw new IllegalArgumentException("Invalid T_max value: " + tMax + " (must be >= 1)");
        Check.nonNegative("eta_min", etaMin);
        this.optimizer = optimizer;
        this.baseLr = optimizer.lr();
        this.tMax = tMax;
        this.etaMin = etaMin;
    }

    /** Ends an epoch; the monitored value is not used. */
    @Override
    public void step(double monitoredValue) {
        epoch++;
        optimizer.setLr(lrAt(epoch));
    }

    /** The learning rate after {@code epoch} steps. */
    public double lrAt(int epoch) {
        return etaMin + (baseLr - etaMin) * (1 + Math.cos(Math.PI * epoch / tMax)) / 2;
    }

    /** Steps taken so far. */
    public int epoch() {
        return epoch;
    }
}

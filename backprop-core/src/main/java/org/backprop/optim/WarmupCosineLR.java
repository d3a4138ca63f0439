package org.backprop.optim;

/**
 * nanoGPT's learning-rate schedule, stepped once per iteration: a linear warm-up, then half a
 * cosine down to a floor, then the floor. For iteration it (0-based) with peak η, floor η_min,
 * w warm-up iterations and n iterations in all:
 * <pre>
 *   it &lt; w:   η·(it + 1)/(w + 1)
 *   else:     r = min(1, (it − w)/max(1, n − w));  η_min + (η − η_min)·(1 + cos(π·r))/2
 * </pre>
 * {@link #step} sets the rate of the next iteration; the optimizer starts at iteration 0's rate.
 */
public final class WarmupCosineLR implements LrScheduler {
    private final Optimizer optimizer;
    private final double peak;
    private final double floor;
    private final int warmup;
    private final int iters;
    private int it;

    public WarmupCosineLR(Optimizer optimizer, double peak, double floor, int warmup, int iters) {
        Check.lr(peak);
        Check.nonNegative("min_lr", floor);
        if (warmup < 0 || iters < 1) {
            throw new IllegalArgumentException("WarmupCosineLR: need warmup >= 0 and iters >= 1, got warmup=" + warmup + ", iters=" + iters);
        }
        this.optimizer = optimizer;
        this.peak = peak;
        this.floor = floor;
        this.warmup = warmup;
        this.iters = iters;
        optimizer.setLr(lrAt(0));
    }

    /** The rate of iteration {@code it}. */
    public double lrAt(int it) {
        if (it < warmup) return peak * (it + 1) / (warmup + 1);
        double r = Math.min(1.0, (double) (it - warmup) / Math.max(1, iters - warmup));
        return floor + 0.5 * (1 + Math.cos(Math.PI * r)) * (peak - floor);
    }

    /** Ends an iteration: the optimizer gets the next one's rate. The value is not used. */
    @Override
    public void step(double unused) {
        optimizer.setLr(lrAt(++it));
    }

    /** Jumps to iteration {@code it} (for resuming). */
    public void seek(int it) {
        this.it = it;
        optimizer.setLr(lrAt(it));
    }

    public int iteration() {
        return it;
    }
}

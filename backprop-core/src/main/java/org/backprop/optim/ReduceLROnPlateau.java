package org.backprop.optim;

/**
 * Lowers the learning rate when the monitored value stops improving, as PyTorch's
 * {@code torch.optim.lr_scheduler.ReduceLROnPlateau}. At each {@link #step}(x):
 * <pre>
 *   if x is better than best:  best ← x,  bad ← 0      else  bad ← bad + 1
 *   if cooldown_counter &gt; 0:   cooldown_counter ← cooldown_counter − 1,  bad ← 0
 *   if bad &gt; patience:
 *       η_new ← max(η·factor, min_lr);  if η − η_new &gt; eps:  η ← η_new
 *       cooldown_counter ← cooldown,  bad ← 0
 * </pre>
 * "Better" means, with threshold θ: in mode min, x &lt; best·(1 − θ) (relative) or x &lt; best − θ
 * (absolute); in mode max, x &gt; best·(1 + θ) or x &gt; best + θ. best starts at +∞ (min) or −∞
 * (max), so the first finite value is always an improvement. A NaN value is never better, so it
 * counts as a bad epoch. As in PyTorch, the relative threshold uses best's sign as it is, so for
 * a negative best in mode min it demands less than "θ better".
 *
 * <p>Defaults: mode min, factor {@value #DEFAULT_FACTOR}, patience {@value #DEFAULT_PATIENCE},
 * threshold {@value #DEFAULT_THRESHOLD} relative, cooldown {@value #DEFAULT_COOLDOWN}, min_lr
 * {@value #DEFAULT_MIN_LR}, eps {@value #DEFAULT_EPS}.
 */
public final class ReduceLROnPlateau implements LrScheduler {
    public static final double DEFAULT_FACTOR = 0.1;
    public static final int DEFAULT_PATIENCE = 10;
    public static final double DEFAULT_THRESHOLD = 1e-4;
    public static final int DEFAULT_COOLDOWN = 0;
    public static final double DEFAULT_MIN_LR = 0;
    public static final double DEFAULT_EPS = 1e-8;

    /** Whether a lower (loss) or higher (accuracy) monitored value is better. */
    public enum Mode { MIN, MAX }

    /** Whether the threshold is a fraction of the best value or an amount. */
    public enum ThresholdMode { REL, ABS }

    /**
     * The schedule's settings; each is checked when set. Start from {@link #defaults()}:
     * {@code ReduceLROnPlateau.Options.defaults().mode(Mode.MAX).patience(3)}.
     *
     * @param factor multiplies the rate on a plateau, in [0, 1)
     * @param patience bad epochs tolerated before reducing, ≥ 0
     * @param threshold θ ≥ 0, the least change that counts as an improvement
     * @param cooldown epochs after a reduction during which bad epochs are not counted, ≥ 0
     * @param minLr the rate never goes below this, ≥ 0
     * @param eps a reduction smaller than this is skipped, ≥ 0
     */
    public record Options(Mode mode, double factor, int patience, double threshold, ThresholdMode thresholdMode,
            int cooldown, double minLr, double eps) {
        public Options {
            if (mode == null) throw new IllegalArgumentException("Invalid mode: null (must be MIN or MAX)");
            if (thresholdMode == null) throw new IllegalArgumentException("Invalid threshold_mode: null (must be REL or ABS)");
            if (!(factor >= 0 && factor < 1)) {
                throw new IllegalArgumentException("Invalid factor value: " + factor + " (must be in [0, 1))");
            }
            if (patience < 0) throw new IllegalArgumentException("Invalid patience value: " + patience + " (must be >= 0)");
            Check.nonNegative("threshold", threshold);
            if (cooldown < 0) throw new IllegalArgumentException("Invalid cooldown value: " + cooldown + " (must be >= 0)");
            Check.nonNegative("min_lr", minLr);
            Check.nonNegative("eps", eps);
        }

        public static Options defaults() {
            return new Options(Mode.MIN, DEFAULT_FACTOR, DEFAULT_PATIENCE, DEFAULT_THRESHOLD, ThresholdMode.REL,
                    DEFAULT_COOLDOWN, DEFAULT_MIN_LR, DEFAULT_EPS);
        }

        public Options mode(Mode mode) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options factor(double factor) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options patience(int patience) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options threshold(double threshold) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options thresholdMode(ThresholdMode thresholdMode) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options cooldown(int cooldown) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options minLr(double minLr) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }

        public Options eps(double eps) {
            return new Options(mode, factor, patience, threshold, thresholdMode, cooldown, minLr, eps);
        }
    }

    private final Optimizer optimizer;
    private final Options options;
    private double best;
    private int badEpochs;
    private int cooldownCounter;

    /** With every default: mode min, factor 0.1, patience 10. */
    public ReduceLROnPlateau(Optimizer optimizer) {
        this(optimizer, Options.defaults());
    }

    public ReduceLROnPlateau(Optimizer optimizer, Options options) {
        // best·(1 − θ) with best = +∞ is NaN for θ = 1 and −∞ beyond: nothing would ever improve.
        if (options.mode() == Mode.MIN && options.thresholdMode() == ThresholdMode.REL && options.threshold() >= 1) {
            throw new IllegalArgumentException("Invalid threshold value: " + options.threshold()
                    + " (a relative threshold in mode MIN must be < 1)");
        }
        this.optimizer = optimizer;
        this.options = options;
        this.best = options.mode() == Mode.MIN ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    }

    @Override
    public void step(double monitoredValue) {
        if (isBetter(monitoredValue)) {
            best = monitoredValue;
            badEpochs = 0;
        } else {
            badEpochs++;
        }
        if (cooldownCounter > 0) {
            cooldownCounter--;
            badEpochs = 0; // bad epochs during the cooldown do not count
        }
        if (badEpochs > options.patience()) {
            double old = optimizer.lr();
            double reduced = Math.max(old * options.factor(), options.minLr());
            if (old - reduced > options.eps()) optimizer.setLr(reduced);
            cooldownCounter = options.cooldown();
            badEpochs = 0;
        }
    }

    private boolean isBetter(double x) {
        double th = options.threshold();
        boolean rel = options.thresholdMode() == ThresholdMode.REL;
        return options.mode() == Mode.MIN
                ? x < (rel ? best * (1 - th) : best - th)
                : x > (rel ? best * (1 + th) : best + th);
    }

    /** The best monitored value so far (±∞ before the first step). */
    public double best() {
        return best;
    }
}

package org.backprop.cli;

import java.util.Locale;

/**
 * The text of the in-epoch progress bar and the loss smoothing behind it, without any timing or
 * output, so that both can be tested exactly:
 * <pre>
 * epoch  3/40 [==========>.........]  37/51  loss 0.2345  2,345 samples/s  ETA 1:12
 * </pre>
 * The ETA is the time left until the last epoch ends (early stopping may end the run sooner).
 */
final class ProgressBar {
    /** Characters between the brackets. */
    static final int BAR_WIDTH = 20;

    /**
     * Weight of the past in the smoothed loss. Batch losses jump by tens of percent from batch to
     * batch; 0.9 averages over about the last ten, steady enough to read, quick enough to follow.
     */
    static final double SMOOTHING = 0.9;

    private double average;
    private int count;

    /** Adds a batch loss; returns the smoothed loss so far. */
    double smooth(double loss) {
        count++;
        average = SMOOTHING * average + (1 - SMOOTHING) * loss;
        // Bias correction (as in Adam): the average starts at 0, so early values would read too low.
        return average / (1 - Math.pow(SMOOTHING, count));
    }

    /** Forgets the losses seen, for a new epoch. */
    void reset() {
        average = 0;
        count = 0;
    }

    /** {@code [=====>....]}: {@code done} of {@code total} as a bar of {@link #BAR_WIDTH} characters. */
    static String bar(int done, int total) {
        int filled = total <= 0 ? 0 : (int) ((long) BAR_WIDTH * Math.min(done, total) / total);
        StringBuilder sb = new StringBuilder(BAR_WIDTH + 2).append('[');
        for (int i = 0; i < BAR_WIDTH; i++) sb.append(i < filled ? '=' : i == filled && done < total ? '>' : '.');
        return sb.append(']').toString();
    }

    /** {@code m:ss}, or {@code h:mm:ss} from an hour on; {@code -:--} when unknown. */
    static String duration(double seconds) {
        if (!(seconds >= 0) || Double.isInfinite(seconds)) return "-:--";
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }

    /** The whole line for step {@code step} of {@code steps} in epoch {@code epoch} of {@code epochs}. */
    static String line(int epoch, int epochs, int step, int steps, double loss, double samplesPerSecond, double etaSeconds) {
        int ew = Integer.toString(epochs).length(), sw = Integer.toString(steps).length();
        return String.format(Locale.ROOT, "epoch %" + ew + "d/%d %s %" + sw + "d/%d  loss %.4f  %,.0f samples/s  ETA %s",
                epoch, epochs, bar(step, steps), step, steps, loss, samplesPerSecond, duration(etaSeconds));
    }
}

package org.backprop.cli;

import java.io.Console;
import java.io.PrintWriter;
import java.util.function.LongSupplier;
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.StepInfo;

/**
 * Shows training progress inside each epoch as a {@link ProgressBar} redrawn in place with
 * {@code \r}, when the output is a terminal. In a log (CI, a file, a pipe) carriage returns would
 * pile up hundreds of bars on one line, so there only the per-epoch lines are printed (by the
 * command's epoch printer, which runs after this callback). Other messages (warnings) go through
 * {@link #message}, which first wipes a bar that is showing.
 */
final class ProgressDisplay implements Callback {
    /** How the command shows progress ({@code --progress}). */
    enum Mode {
        /** {@link #BAR} on a terminal, {@link #LINES} otherwise. */
        AUTO,
        /** A bar redrawn in place during each epoch, and a line per epoch. */
        BAR,
        /** A line per epoch. */
        LINES,
        /** No per-epoch output. */
        NONE;

        /** The mode to use, given whether the output is a terminal. */
        Mode resolve(boolean terminal) {
            return this == AUTO ? (terminal ? BAR : LINES) : this;
        }
    }

    /** Redraws at most this often: a terminal cannot show more, and each redraw costs a write. */
    static final long REDRAW_NANOS = 100_000_000L;

    private final PrintWriter out;
    private final Mode mode;
    private final int epochs;
    private final LongSupplier clock;
    private final ProgressBar bar = new ProgressBar();
    private long runStart = -1, epochStart, lastDraw;
    private long stepsDone; // steps since this display started, for the run's rate
    private int shown; // characters of the bar now on screen, 0 when none

    /** @param mode already resolved: not {@link Mode#AUTO} */
    ProgressDisplay(PrintWriter out, Mode mode, int epochs) {
        this(out, mode, epochs, System::nanoTime);
    }

    ProgressDisplay(PrintWriter out, Mode mode, int epochs, LongSupplier clock) {
        if (mode == Mode.AUTO) throw new IllegalArgumentException("resolve the progress mode first");
        this.out = out;
        this.mode = mode;
        this.epochs = epochs;
        this.clock = clock;
    }

    /** Whether standard output is an interactive terminal (not a pipe, a file or a CI log). */
    static boolean stdoutIsTerminal() {
        Console c = System.console();
        return c != null && c.isTerminal();
    }

    Mode mode() {
        return mode;
    }

    /** Whether the per-epoch lines should be printed. */
    boolean printsEpochLines() {
        return mode != Mode.NONE;
    }

    @Override
    public void onEpochStart(int epoch) {
        bar.reset();
        epochStart = lastDraw = clock.getAsLong();
        if (runStart < 0) runStart = epochStart;
    }

    @Override
    public void onBatchEnd(StepInfo s) {
        if (mode != Mode.BAR) return;
        double loss = bar.smooth(s.batchLoss());
        stepsDone++;
        long now = clock.getAsLong();
        if (now - lastDraw < REDRAW_NANOS && s.step() < s.stepsPerEpoch()) return;
        lastDraw = now;
        // The run's pace so far (validation passes included, as they are part of each epoch's time),
        // times the steps left until the last epoch ends.
        double elapsed = (now - runStart) / 1e9, inEpoch = (now - epochStart) / 1e9;
        double perStep = elapsed / stepsDone;
        long stepsLeft = (long) (s.stepsPerEpoch() - s.step()) + (long) Math.max(0, epochs - s.epoch()) * s.stepsPerEpoch();
        String text = ProgressBar.line(s.epoch(), epochs, s.step(), s.stepsPerEpoch(), loss,
                inEpoch > 0 ? s.samplesSeen() / inEpoch : Double.NaN, perStep * stepsLeft);
        // Pad over a longer previous line, so no stale characters remain at its end.
        out.print("\r" + text + " ".repeat(Math.max(0, shown - text.length())));
        out.flush();
        shown = text.length();
    }

    @Override
    public void onEpochEnd(EpochResult result) {
        clear(); // the epoch line is printed next, on a clean line
    }

    /** Prints {@code line} on a line of its own, wiping the bar first if one is showing. */
    void message(String line) {
        clear();
        out.println(line);
        out.flush();
    }

    private void clear() {
        if (shown == 0) return;
        out.print("\r" + " ".repeat(shown) + "\r");
        out.flush();
        shown = 0;
    }
}

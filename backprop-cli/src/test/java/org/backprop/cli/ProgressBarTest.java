package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.concurrent.atomic.AtomicLong;
import org.backprop.cli.ProgressDisplay.Mode;
import org.backprop.train.StepInfo;
import org.junit.jupiter.api.Test;

class ProgressBarTest {

    @Test
    void barFillsInProportionWithAnArrowAtTheFront() {
        assertEquals("[>...................]", ProgressBar.bar(0, 10));
        assertEquals("[==========>.........]", ProgressBar.bar(5, 10));
        assertEquals("[====================]", ProgressBar.bar(10, 10));
        assertEquals("[=>..................]", ProgressBar.bar(1, 17));
    }

    @Test
    void durationsReadAsClockTimes() {
        assertEquals("0:07", ProgressBar.duration(7.4));
        assertEquals("2:05", ProgressBar.duration(125));
        assertEquals("1:00:01", ProgressBar.duration(3601));
        assertEquals("-:--", ProgressBar.duration(Double.NaN));
        assertEquals("-:--", ProgressBar.duration(Double.POSITIVE_INFINITY));
    }

    @Test
    void lineShowsEpochStepsSmoothedLossThroughputAndEta() {
        assertEquals("epoch  3/40 [==========>.........] 25/50  loss 0.2346  12,345 samples/s  ETA 0:02",
                ProgressBar.line(3, 40, 25, 50, 0.234567, 12345.4, 2.2));
    }

    @Test
    void smoothedLossStartsAtTheFirstValueAndFollowsAnExponentialAverage() {
        ProgressBar bar = new ProgressBar();
        assertEquals(2.0, bar.smooth(2.0), 1e-12, "bias correction: no pull towards 0 at the start");
        double second = bar.smooth(1.0);
        // (0.9·0.1·2 + 0.1·1) / (1 − 0.81) = 0.28 / 0.19
        assertEquals(0.28 / 0.19, second, 1e-12);
        for (int i = 0; i < 200; i++) bar.smooth(1.0);
        assertEquals(1.0, bar.smooth(1.0), 1e-9);
        bar.reset();
        assertEquals(5.0, bar.smooth(5.0), 1e-12);
    }

    @Test
    void autoModeDrawsABarOnlyOnATerminal() {
        assertEquals(Mode.BAR, Mode.AUTO.resolve(true));
        assertEquals(Mode.LINES, Mode.AUTO.resolve(false));
        assertEquals(Mode.NONE, Mode.NONE.resolve(true));
        assertEquals(Mode.BAR, Mode.BAR.resolve(false), "an explicit choice is kept");
        assertThrows(IllegalArgumentException.class, () -> new ProgressDisplay(new PrintWriter(new StringWriter()), Mode.AUTO, 1));
    }

    /** A clock that advances one second per reading, so throughput and ETA are exact. */
    private static ProgressDisplay display(StringWriter sink, Mode mode) {
        AtomicLong t = new AtomicLong();
        return new ProgressDisplay(new PrintWriter(sink), mode, 2, () -> t.getAndAdd(1_000_000_000L));
    }

    @Test
    void barModeRedrawsInPlaceAndWipesTheBarForMessagesAndAtTheEpochEnd() {
        StringWriter sink = new StringWriter();
        ProgressDisplay d = display(sink, Mode.BAR);
        d.onEpochStart(1);                               // clock 0 s
        // clock 1 s: 10 samples/s; the ETA covers the run: 3 steps of this epoch and 4 of the last, 1 s each
        d.onBatchEnd(new StepInfo(1, 1, 4, 2.0, 10));
        d.onBatchEnd(new StepInfo(1, 2, 4, 2.0, 20));
        String bar1 = "epoch 1/2 [=====>..............] 1/4  loss 2.0000  10 samples/s  ETA 0:07";
        String bar2 = "epoch 1/2 [==========>.........] 2/4  loss 2.0000  10 samples/s  ETA 0:06";
        assertEquals("\r" + bar1 + "\r" + bar2, sink.toString());
        sink.getBuffer().setLength(0);

        d.message("warning: something");
        assertEquals("\r" + " ".repeat(bar2.length()) + "\r" + "warning: something" + System.lineSeparator(), sink.toString());
        sink.getBuffer().setLength(0);

        d.onBatchEnd(new StepInfo(1, 3, 4, 2.0, 30));
        d.onEpochEnd(null);
        assertTrue(sink.toString().endsWith("\r" + " ".repeat(bar2.length()) + "\r"), sink.toString());
        assertFalse(sink.toString().contains("\n"), "the epoch printer writes the line after the bar is wiped");
    }

    @Test
    void linesAndNoneModesNeverWriteCarriageReturns() {
        for (Mode mode : new Mode[] {Mode.LINES, Mode.NONE}) {
            StringWriter sink = new StringWriter();
            ProgressDisplay d = display(sink, mode);
            d.onEpochStart(1);
            for (int s = 1; s <= 4; s++) d.onBatchEnd(new StepInfo(1, s, 4, 1.0, 10 * s));
            d.onEpochEnd(null);
            d.message("warning: x");
            assertEquals("warning: x" + System.lineSeparator(), sink.toString(), mode.name());
        }
        assertTrue(display(new StringWriter(), Mode.LINES).printsEpochLines());
        assertFalse(display(new StringWriter(), Mode.NONE).printsEpochLines());
    }

    @Test
    void barRedrawsAreThrottledButTheLastStepIsAlwaysDrawn() {
        StringWriter sink = new StringWriter();
        ProgressDisplay d = new ProgressDisplay(new PrintWriter(sink), Mode.BAR, 1, () -> 0L); // time stands still
        d.onEpochStart(1);
        for (int s = 1; s <= 50; s++) d.onBatchEnd(new StepInfo(1, s, 50, 1.0, s));
        assertEquals(1, sink.toString().chars().filter(c -> c == '\r').count(), sink.toString());
        assertTrue(sink.toString().contains("50/50"), sink.toString());
    }
}

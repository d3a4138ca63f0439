package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.List;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.Task;
import org.junit.jupiter.api.Test;

class PlotsTest {
    private static Evaluation eval(double loss) {
        return new Evaluation(Task.CLASSIFICATION, 10, loss, 0.9, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }

    @Test
    void curvesWithoutValidationSayItUnderTheTitle() {
        List<EpochResult> trainOnly = List.of(new EpochResult(1, eval(1f), null, 1e-3, 0.1),
                new EpochResult(2, eval(0.5f), null, 1e-3, 0.1));
        for (Plots.Chart c : Plots.of(trainOnly, Task.CLASSIFICATION, List.of(), List.of())) {
            assertEquals(Plots.NO_VALIDATION, c.note(), c.fileName());
        }
        List<EpochResult> both = List.of(new EpochResult(1, eval(1f), eval(1.1f), 1e-3, 0.1));
        for (Plots.Chart c : Plots.of(both, Task.CLASSIFICATION, List.of(), List.of())) assertNull(c.note(), c.fileName());
    }

    @Test
    void logAxisTicksArePlainDecimalsNearOne() {
        assertEquals("0.79", Plots.PlainNumbers.plain(0.7912));
        assertEquals("0.001", Plots.PlainNumbers.plain(1e-3));
        assertEquals("250", Plots.PlainNumbers.plain(250));
        assertEquals("0.00012", Plots.PlainNumbers.plain(1.2e-4));
        assertEquals("1e-5", Plots.PlainNumbers.plain(1e-5));
        assertEquals("2.5e-7", Plots.PlainNumbers.plain(2.5e-7));
        assertEquals("3e7", Plots.PlainNumbers.plain(3e7));
        assertEquals("1e-5", Plots.PlainNumbers.plain(9.99e-6), "rounding up to the next power of ten");
    }
}

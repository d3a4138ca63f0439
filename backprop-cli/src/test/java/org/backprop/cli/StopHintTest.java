package org.backprop.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.History;
import org.backprop.train.StopReason;
import org.backprop.train.Task;
import org.junit.jupiter.api.Test;

class StopHintTest {
    private static Evaluation loss(double l) {
        return new Evaluation(Task.REGRESSION, 10, l, Double.NaN, l, Math.sqrt(l), l, 0.5);
    }

    private static History run(StopReason reason, double... validation) {
        List<EpochResult> epochs = new ArrayList<>();
        for (int i = 0; i < validation.length; i++) {
            epochs.add(new EpochResult(i + 1, loss(1), Double.isNaN(validation[i]) ? null : loss(validation[i]), 1e-3, 0.1));
        }
        return new History(epochs, reason, "stopped", 1, false);
    }

    @Test
    void hintsWhenTheLastEpochsStillImproveTheValidationLoss() {
        assertEquals("Hint: the validation loss was still falling when the run reached its last epoch (best at epoch 5 of 5): "
                + "more epochs may help, e.g. --epochs 10", StopHint.of(run(StopReason.MAX_EPOCHS, 5, 4, 3, 2, 1), 5));
        assertEquals("Hint: the validation loss was still falling when the run reached its last epoch (best at epoch 4 of 5): "
                + "more epochs may help, e.g. --epochs 10", StopHint.of(run(StopReason.MAX_EPOCHS, 5, 4, 3, 1, 1.1), 5));
    }

    @Test
    void noHintWhenTheLossLevelledOffOrStoppedEarlyOrWithoutValidation() {
        assertNull(StopHint.of(run(StopReason.MAX_EPOCHS, 5, 1, 2, 3, 4), 5), "best long ago");
        assertNull(StopHint.of(run(StopReason.EARLY_STOPPING, 5, 4, 3, 2, 1), 5), "early stopping ended it");
        assertNull(StopHint.of(run(StopReason.MAX_EPOCHS, Double.NaN, Double.NaN, Double.NaN, Double.NaN), 4), "no validation");
    }
}

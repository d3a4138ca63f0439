package org.backprop.cli;

import java.util.List;
import java.util.Locale;
import org.backprop.train.EpochResult;
import org.backprop.train.History;
import org.backprop.train.StopReason;

/**
 * The hint printed when a run used every epoch it was given while the validation loss was still
 * falling: early stopping never fired, so more epochs would probably still help.
 */
final class StopHint {
    private StopHint() {}

    /**
     * The hint, or {@code null}: only when the run reached {@code --epochs}, has a validation loss,
     * and its best validation loss came in the last tenth of the epochs (at least the last two).
     */
    static String of(History history, int maxEpochs) {
        List<EpochResult> epochs = history.epochs();
        if (history.stopReason() != StopReason.MAX_EPOCHS || epochs.size() < 3 || !history.last().hasValidation()) return null;
        int best = 1;
        for (EpochResult r : epochs) if (r.validationLoss() < epochs.get(best - 1).validationLoss()) best = r.epoch();
        int last = history.last().epoch();
        if (best < last - Math.max(1, epochs.size() / 10)) return null;
        return String.format(Locale.ROOT, "Hint: the validation loss was still falling when the run reached its last epoch "
                + "(best at epoch %d of %d): more epochs may help, e.g. --epochs %d", best, last, 2 * maxEpochs);
    }
}

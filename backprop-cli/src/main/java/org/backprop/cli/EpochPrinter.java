package org.backprop.cli;

import java.io.PrintWriter;
import java.util.Locale;
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.Task;

/** One line per epoch: losses and the task's metric, for training and validation. */
final class EpochPrinter implements Callback {
    private final PrintWriter out;
    private final Task task;
    private final int width;

    EpochPrinter(PrintWriter out, Task task, int epochs) {
        this.out = out;
        this.task = task;
        this.width = Integer.toString(epochs).length();
    }

    @Override
    public void onEpochEnd(EpochResult r) {
        StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %" + width + "d  loss %.4f", r.epoch(),
                r.trainLoss()));
        if (task == Task.CLASSIFICATION) sb.append(String.format(Locale.ROOT, "  acc %.4f", r.train().accuracy()));
        if (r.hasValidation()) {
            sb.append(String.format(Locale.ROOT, "  val_loss %.4f", r.validationLoss()));
            if (task == Task.CLASSIFICATION) {
                sb.append(String.format(Locale.ROOT, "  val_acc %.4f", r.validation().accuracy()));
            } else {
                sb.append(String.format(Locale.ROOT, "  val_r2 %.4f", r.validation().r2()));
            }
        }
        sb.append(String.format(Locale.ROOT, "  %.2fs", r.seconds()));
        out.println(sb);
        out.flush();
    }
}

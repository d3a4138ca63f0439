package org.backprop.train;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.nn.Parameter;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/**
 * The checks that stop a run which can no longer learn, each with the same diagnosis: a non-finite
 * loss or gradient (before it reaches the weights), an update that left a weight non-finite, and
 * a loss that runs away while staying finite (a learning rate so large that the weights grow
 * without bound: Adam at lr 1e6 keeps every value finite and ends at chance accuracy).
 */
final class Divergence {
    /**
     * An epoch's mean training loss this many times its lowest earlier value (the untrained model's
     * loss or an earlier epoch's mean) is a runaway. Learning lowers a loss; noise and a scheduler's
     * restarts move it by a small factor, never by three orders of magnitude.
     */
    static final double RUNAWAY_FACTOR = 1000;

    private final Optimizer optimizer;
    private final Map<String, Parameter> named;
    private double lowest = Double.POSITIVE_INFINITY;

    /**
     * @param initialLoss the untrained model's loss on the first training samples (NaN when unknown):
     *                    a stable reference for the first epoch, where one batch's loss is too noisy
     * @param history     the epochs already run (a resumed run), whose lowest mean loss is the reference
     */
    Divergence(Optimizer optimizer, Map<String, Parameter> named, double initialLoss, List<EpochResult> history) {
        this.optimizer = optimizer;
        this.named = named;
        if (Double.isFinite(initialLoss)) lowest = initialLoss;
        for (EpochResult r : history) lowest = Math.min(lowest, r.trainLoss());
    }

    /** Throws when the loss or any gradient is NaN or infinite, naming the first bad parameter. */
    void checkStep(int epoch, int step, int steps, double lossValue) {
        String badGrad = null;
        for (Map.Entry<String, Parameter> e : named.entrySet()) {
            Tensor g = e.getValue().grad();
            if (g != null && !allFinite(g)) {
                badGrad = e.getKey();
                break;
            }
        }
        boolean lossOk = Double.isFinite(lossValue);
        if (lossOk && badGrad == null) return;
        StringBuilder msg = new StringBuilder(where(epoch, step, steps));
        msg.append(lossOk ? "the loss is " + lossValue + " but " : "the loss is " + lossValue + "; ");
        if (badGrad != null) {
            msg.append("the gradient of parameter '").append(badGrad).append("' is not finite (the first such parameter)");
        } else {
            msg.append("every gradient is finite");
            for (Map.Entry<String, Parameter> e : named.entrySet()) {
                if (!allFinite(e.getValue().value())) {
                    msg.append(", but parameter '").append(e.getKey()).append("' already holds non-finite values");
                    break;
                }
            }
        }
        throw new TrainingDivergedException(msg.append(advice()).toString(), epoch, step, lossValue, badGrad);
    }

    /** Throws when the optimizer's last step left a parameter non-finite (an update overflowed). */
    void checkUpdate(int epoch, int step, int steps, double lossValue, List<Parameter> parameters) {
        int index = optimizer.nonFiniteParameter();
        if (index < 0) return;
        Parameter bad = parameters.get(index);
        String name = named.entrySet().stream().filter(e -> e.getValue() == bad).map(Map.Entry::getKey).findFirst()
                .orElse("#" + index);
        throw new TrainingDivergedException(where(epoch, step, steps) + "the loss was " + lossValue
                + " but the optimizer's update left parameter '" + name + "' holding non-finite values" + advice(),
                epoch, step, lossValue, name);
    }

    /** Throws when an epoch's mean training loss ran away from the lowest seen so far; else records it. */
    void checkEpoch(int epoch, int steps, double meanLoss) {
        if (lowest > 0 && meanLoss > RUNAWAY_FACTOR * lowest) {
            throw new TrainingDivergedException(String.format(Locale.ROOT, "training diverged at epoch %d: the mean "
                    + "training loss rose to %.4g, over %.0f times its lowest value so far (%.4g): the updates are "
                    + "running away, although every value is still finite", epoch, meanLoss, RUNAWAY_FACTOR, lowest)
                    + advice(), epoch, steps, meanLoss, null);
        }
        lowest = Math.min(lowest, meanLoss);
    }

    private static String where(int epoch, int step, int steps) {
        return "training diverged at epoch " + epoch + ", step " + step + " of " + steps + ": ";
    }

    private String advice() {
        return ". Try a lower learning rate (now " + optimizer.lr()
                + "), gradient clipping, or standardised inputs and targets; check the data for extreme values.";
    }

    static boolean allFinite(Tensor t) {
        float[] v = t.isContiguous() && t.offset() == 0 ? t.array() : t.toFloatArray();
        int n = t.numel();
        for (int i = 0; i < n; i++) if (!Float.isFinite(v[i])) return false;
        return true;
    }
}

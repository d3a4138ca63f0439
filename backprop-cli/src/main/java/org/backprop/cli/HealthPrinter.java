package org.backprop.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.backprop.train.GradientHealth;
import org.backprop.train.HealthWarning;

/**
 * Prints gradient-health warnings as they happen, through the progress display so that a bar
 * being drawn is wiped first. The library's warning says what was measured; the advice printed
 * here names only remedies this run can take with train's own options (a ReLU for a sigmoid
 * network, {@code --batch-norm} for an MLP without it, a lower {@code --lr}, {@code --clip-norm}).
 */
final class HealthPrinter implements GradientHealth.Listener {
    private final ProgressDisplay display;
    private final String activation;
    private final boolean mlp;
    private final boolean batchNorm;

    /** A printer with the library's own advice. */
    HealthPrinter(ProgressDisplay display) {
        this(display, null, false, false);
    }

    /**
     * @param activation the hidden activation of this run ({@code --activation}), or {@code null} when unknown
     * @param mlp        whether the model is an MLP (which {@code --batch-norm} applies to)
     * @param batchNorm  whether {@code --batch-norm} is already on
     */
    HealthPrinter(ProgressDisplay display, String activation, boolean mlp, boolean batchNorm) {
        this.display = display;
        this.activation = activation;
        this.mlp = mlp;
        this.batchNorm = batchNorm;
    }

    @Override
    public void onWarning(HealthWarning warning) {
        display.message("warning: " + advise(warning));
    }

    /** The warning's measurement, with advice this run can act on. */
    String advise(HealthWarning w) {
        if (activation == null) return w.message();
        String m = w.message();
        int dash = m.indexOf(" — ");
        String measured = dash < 0 ? m : m.substring(0, dash);
        List<String> remedies = new ArrayList<>();
        if (w.kind() == HealthWarning.Kind.VANISHING) {
            String a = activation.toLowerCase(Locale.ROOT);
            if (a.equals("sigmoid") || a.equals("tanh")) remedies.add("--activation relu (He initialisation comes with it)");
            if (mlp && !batchNorm) remedies.add("--batch-norm (normalises each hidden layer's inputs)");
            remedies.add("fewer hidden layers (--layers)");
            return measured + " — the first layers barely learn; try " + String.join(", or ", remedies);
        }
        return measured + " — try a lower --lr, or --clip-norm 1";
    }
}

package org.backprop.cli;

import org.backprop.train.GradientHealth;
import org.backprop.train.HealthWarning;

/** Prints the gradient monitor's warnings as {@code warning: ...} lines, clear of the progress bar. */
final class HealthPrinter implements GradientHealth.Listener {
    private final ProgressDisplay display;

    HealthPrinter(ProgressDisplay display) {
        this.display = display;
    }

    @Override
    public void onWarning(HealthWarning warning) {
        display.message("warning: " + warning.message());
    }
}

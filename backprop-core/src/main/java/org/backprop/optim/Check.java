package org.backprop.optim;

/** Hyperparameter checks shared by the optimizers and schedules, with PyTorch's wording. */
final class Check {
    private Check() {}

    /** A learning rate: finite and ≥ 0. */
    static void lr(double lr) {
        if (!(lr >= 0) || Double.isInfinite(lr)) throw new IllegalArgumentException("Invalid learning rate: " + lr);
    }

    /** A finite value ≥ 0, named as in PyTorch ({@code weight_decay}, {@code momentum}, ...). */
    static void nonNegative(String name, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("Invalid " + name + " value: " + value + " (must be finite and >= 0)");
        }
    }

    /** A decay rate in [0, 1). */
    static void unitInterval(String what, double value) {
        if (!(value >= 0 && value < 1)) {
            throw new IllegalArgumentException("Invalid " + what + ": " + value + " (must be in [0, 1))");
        }
    }

    /** A positive, finite factor. */
    static void positive(String name, double value) {
        if (!(value > 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException("Invalid " + name + " value: " + value + " (must be finite and > 0)");
        }
    }
}

package org.backprop.autograd;

import org.backprop.tensor.Tensor;

/**
 * Whether operations record the graph that {@code backward()} walks. On by default; a
 * {@link #noGrad()} scope turns it off for the current thread (inference, optimizer updates,
 * the backward pass itself). Per thread, so a data loader or a Spark task does not see another
 * thread's scope. The flag itself is {@link Tensor#isGradEnabled()}: the tensor package reads it
 * without importing this one (docs/ARCHITECTURE.md, "Dependencies").
 */
public final class GradMode {
    private GradMode() {}

    public static boolean isEnabled() {
        return Tensor.isGradEnabled();
    }

    /** Turns recording off until the returned scope is closed: {@code try (var s = GradMode.noGrad()) {...}}. */
    public static Scope noGrad() {
        return set(false);
    }

    /** Turns recording on until the returned scope is closed (inside a no-grad scope). */
    public static Scope enableGrad() {
        return set(true);
    }

    private static Scope set(boolean enabled) {
        boolean previous = Tensor.setGradEnabled(enabled);
        return () -> Tensor.setGradEnabled(previous);
    }

    /** A scope that restores the previous mode when closed; closing never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}

package org.backprop.autograd;

/**
 * Whether operations record the graph that {@code backward()} walks. On by default; a
 * {@link #noGrad()} scope turns it off for the current thread (inference, optimizer updates,
 * the backward pass itself). Per thread, so a data loader or a Spark task does not see another
 * thread's scope.
 */
public final class GradMode {
    private static final ThreadLocal<boolean[]> ENABLED = ThreadLocal.withInitial(() -> new boolean[] {true});

    private GradMode() {}

    public static boolean isEnabled() {
        return ENABLED.get()[0];
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
        boolean[] flag = ENABLED.get();
        boolean previous = flag[0];
        flag[0] = enabled;
        return () -> flag[0] = previous;
    }

    /** A scope that restores the previous mode when closed; closing never throws. */
    @FunctionalInterface
    public interface Scope extends AutoCloseable {
        @Override
        void close();
    }
}

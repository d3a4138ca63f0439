package org.backprop.optim;

/**
 * Flush to zero for optimizer state. A moment or momentum buffer decays geometrically wherever
 * the gradient is 0 (the border pixels of an image, a class absent from the batch), so it passes
 * through the subnormal range (|x| &lt; 2⁻¹²⁶) on its way to 0. x86 CPUs take a microcode assist
 * for every subnormal operand (Intel measured 30× slower on an Adam pass), and Java cannot set
 * the CPU's flush-to-zero bits, so the update loops flush the state they store with
 * {@link #flush}: one compare and select per element. Normal values pass through bit for bit.
 *
 * <p>A flushed state value is below 2⁻¹²⁶; where the update divides it by a denominator of at
 * least ε &gt; 0 the weight changes by at most γ·2⁻¹²⁶/ε less than without flushing, far below
 * PyTorch-parity tolerances. With ε = 0 that bound does not hold (a flushed second moment could
 * turn a finite update into a division by 0), so the rules flush a denominator's state only
 * when ε &gt; 0. docs/BENCHMARKS.md records where subnormals arise in a training run.
 */
final class Subnormals {
    private Subnormals() {}

    /** {@code x}, or 0 when {@code x} is subnormal (0 and normal values are returned unchanged). */
    static float flush(float x) {
        return Math.abs(x) < Float.MIN_NORMAL ? 0f : x;
    }

    /**
     * {@link #flush} for a value that is never negative (Adam's second moment, a sum of squares
     * times positive constants): one compare, no |x|, the vector loops' cheaper test. 0, -0 and
     * subnormals give 0, normal values and NaN pass through (a negative value, which the rule
     * never makes, would be flushed to 0 as well).
     */
    static float flushNonNegative(float x) {
        return x < Float.MIN_NORMAL ? 0f : x;
    }

    /** {@code x} flushed when {@code enabled}; the rules hoist {@code enabled} out of their loops. */
    static float flushIf(boolean enabled, float x) {
        return enabled ? flush(x) : x;
    }
}

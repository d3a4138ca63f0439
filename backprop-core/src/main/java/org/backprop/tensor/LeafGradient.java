package org.backprop.tensor;

import java.util.Arrays;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Vec;

/**
 * The gradient a leaf tensor accumulates over backward passes, with one saving on top: it can be
 * marked zero without writing its buffer ({@link #markZero}). The buffer is then filled when it
 * is next read, or overwritten whole by a backward that writes every element
 * ({@link #bufferToOverwrite}), so a training step saves two passes over it (the fill and the
 * read of the zeros). Kept apart from {@link Tensor} so that class stays the public face of the
 * operations; a tensor creates one only when a gradient first reaches it.
 */
final class LeafGradient {
    private final int[] shape;
    private Tensor value;
    /** The gradient is zero but {@link #value}'s buffer was not written. */
    private boolean pendingZero;
    /** The gradient is the rank-1 product a·bᵀ of {@link #outer} = {a, b}, not yet written into {@link #value}. */
    private boolean pendingOuter;
    /** The factors' buffers, made once: handed to the fused step every batch-1 step without a new array. */
    private float[][] outer;

    LeafGradient(int[] shape) {
        this.shape = shape;
    }

    /** The gradient, or {@code null} before any backward pass reached the leaf. */
    Tensor read() {
        materializeZero();
        materializeOuter();
        return value;
    }

    /** Whether {@link #read} returns a gradient (without writing a deferred one). */
    boolean present() {
        return value != null;
    }

    /** Sets it to zero in place, keeping the buffer. */
    void zero() {
        if (value == null) return;
        pendingZero = false;
        pendingOuter = false;
        fillZero(value.array());
    }

    void markZero() {
        if (value != null) pendingZero = true;
        pendingOuter = false;
    }

    /** Drops the buffer. */
    void clear() {
        value = null;
        pendingZero = false;
        pendingOuter = false;
    }

    /**
     * Records the gradient as a·bᵀ (this leaf is [a's rows, b's cols]) without writing it, when a
     * backward would overwrite it whole ({@link #bufferToOverwrite}); false, nothing recorded,
     * otherwise. The factors are copied.
     */
    boolean deferOuter(float[] a, int aOff, float[] b, int bOff) {
        if (value != null && !pendingZero) return false;
        if (value == null) value = Tensor.zeros(shape);
        int rows = shape[0], cols = shape[1];
        if (outer == null) outer = new float[][] {new float[rows], new float[cols]};
        System.arraycopy(a, aOff, outer[0], 0, rows);
        System.arraycopy(b, bOff, outer[1], 0, cols);
        pendingZero = false;
        pendingOuter = true;
        return true;
    }

    /** The factors {a, b} of a deferred rank-1 gradient, or {@code null}. */
    float[][] outerFactors() {
        return pendingOuter ? outer : null;
    }

    /** Writes a deferred rank-1 gradient with the product the backward would have run (the same bits). */
    private void materializeOuter() {
        if (!pendingOuter) return;
        pendingOuter = false;
        int rows = shape[0], cols = shape[1];
        Gemm.sgemm(true, false, rows, cols, 1, 1f, outer[0], 0, rows, outer[1], 0, cols, 0f, value.array(), 0, cols);
    }

    /** Adds {@code g} (already checked to have the leaf's shape) into the gradient. */
    void accumulate(Tensor g) {
        if (value == null) value = Tensor.zeros(shape);
        materializeOuter();
        // Read g in place when it is contiguous: no copy per leaf per step.
        Tensor src = g.contiguous();
        float[] acc = value.array();
        if (pendingZero) { // filled here, then 0 + g: the same bits as after zero() (a -0 in g becomes +0)
            pendingZero = false;
            Arrays.fill(acc, 0f);
        }
        Vec.binary(Vec.Op.ADD, acc, 0, src.array(), src.offset(), acc, 0, acc.length);
    }

    /** The buffer to add into, zero-filled if new or pending zero. */
    float[] buffer() {
        if (value == null) value = Tensor.zeros(shape);
        materializeZero();
        materializeOuter();
        return value.array();
    }

    /** The buffer when its values are zero but unwritten (the caller overwrites it whole); else {@code null}. */
    float[] bufferToOverwrite() {
        if (value == null) {
            value = Tensor.zeros(shape);
            return value.array();
        }
        if (!pendingZero) {
            materializeOuter(); // the caller adds to it instead
            return null;
        }
        pendingZero = false;
        return value.array();
    }

    private void materializeZero() {
        if (!pendingZero) return;
        pendingZero = false;
        fillZero(value.array());
    }

    private static void fillZero(float[] d) {
        Parallel.forRange(d.length, Parallel.MIN_ELEMENTS_PER_THREAD, (part, from, to) -> Arrays.fill(d, from, to, 0f));
    }
}

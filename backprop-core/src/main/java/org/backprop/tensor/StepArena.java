package org.backprop.tensor;

import java.util.Arrays;

/**
 * Float buffers for the activations and activation gradients of one training step, handed out
 * again to the next step instead of allocated anew. A warm step of a fixed model at a fixed batch
 * size asks for the same sizes in the same order every time, so the arena keeps the buffers in
 * request order (slot k holds the k-th request's array) and hands slot k back when the k-th
 * request of the next step has the same length; a different length (a last partial batch, an
 * evaluation pass) allocates a new array for that slot.
 *
 * <pre>{@code
 * StepArena arena = new StepArena();                 // one per training loop (per thread)
 * for (...) {
 *     try (var scope = arena.open()) {               // the step's operations draw from it
 *         Tensor loss = lossFn.apply(model.forward(x), y);
 *         optimizer.backwardAndStep(loss);
 *         value = loss.item();                      // read results inside the scope
 *     }
 * }
 * }</pre>
 *
 * <p><b>Lifetime:</b> every tensor an operation creates inside the scope may be overwritten by the
 * next step. Read what you need (the loss value, metrics) before the scope closes and keep no
 * tensor from it (copy with {@code toFloatArray()} otherwise). Parameters, their gradients and
 * optimizer state never come from the arena: they are created with {@code new}, outside it.
 *
 * <p><b>Adopting it in an operation:</b> allocate a per-step array with {@link #floats} (zeroed,
 * for code that accumulates into it) or {@link #scratch} / {@link #bytes} (contents undefined: only
 * for code that writes every element before reading any), instead of {@code new float[n]}. Outside an open
 * scope both are plain {@code new float[n]}, so an operation that adopts them behaves as before
 * for every caller that opens no scope. Only the thread that opened the scope draws from it.
 */
public final class StepArena implements AutoCloseable {
    private static final ThreadLocal<StepArena> CURRENT = new ThreadLocal<>();

    private float[][] slots = new float[32][];
    private byte[][] byteSlots = new byte[8][];
    private int cursor, byteCursor;
    private long created;
    private boolean open;
    private StepArena outer;

    /** Starts a step on this thread: until {@link #close}, operations draw their buffers from this arena. */
    public StepArena open() {
        if (open) throw new IllegalStateException("StepArena: already open (close the previous step first)");
        open = true;
        cursor = 0;
        byteCursor = 0;
        outer = CURRENT.get();
        CURRENT.set(this);
        return this;
    }

    /** Ends the step: its buffers become the next step's. */
    @Override
    public void close() {
        if (!open) return;
        open = false;
        if (outer == null) CURRENT.remove(); else CURRENT.set(outer);
        outer = null;
    }

    /** Bytes of float buffers this arena holds for reuse (for reports and tests). */
    public long retainedBytes() {
        long b = 0;
        for (float[] s : slots) if (s != null) b += 4L * s.length;
        for (byte[] s : byteSlots) if (s != null) b += s.length;
        return b;
    }

    /** Arrays this arena has created so far: constant over warm steps that reuse every buffer. */
    public long arraysCreated() {
        return created;
    }

    /** A zero-filled array of {@code n} floats: from the open arena of this thread, else new. */
    public static float[] floats(int n) {
        StepArena a = CURRENT.get();
        if (a == null) return new float[n];
        float[] b = a.take(n);
        Arrays.fill(b, 0f);
        return b;
    }

    /**
     * An array of {@code n} floats whose contents are undefined (a previous step's values): for
     * code that writes every element before it reads one. New (zeroed) when no arena is open.
     */
    public static float[] scratch(int n) {
        StepArena a = CURRENT.get();
        return a == null ? new float[n] : a.take(n);
    }

    /**
     * An array of {@code n} bytes whose contents are undefined, as {@link #scratch} (the pooling
     * layers' winning-cell indices); byte requests are numbered apart from float ones.
     */
    public static byte[] bytes(int n) {
        StepArena a = CURRENT.get();
        if (a == null) return new byte[n];
        int k = a.byteCursor++;
        if (k == a.byteSlots.length) a.byteSlots = Arrays.copyOf(a.byteSlots, 2 * k);
        byte[] b = a.byteSlots[k];
        if (b == null || b.length != n) {
            a.byteSlots[k] = b = new byte[n];
            a.created++;
        }
        return b;
    }

    private float[] take(int n) {
        int k = cursor++;
        if (k == slots.length) slots = Arrays.copyOf(slots, 2 * k);
        float[] b = slots[k];
        if (b == null || b.length != n) {
            slots[k] = b = new float[n];
            created++;
        }
        return b;
    }
}

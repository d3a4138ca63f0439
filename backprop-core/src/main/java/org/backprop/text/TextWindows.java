package org.backprop.text;

import java.util.Random;
import org.backprop.tensor.Tensor;

/**
 * Training windows of a character sequence: inputs x = ids[s, s+T) and targets y = ids[s+1, s+T]
 * for window starts s. Two ways to pick the starts:
 * <ul>
 *   <li>{@link #random}: each of B starts uniform on [0, n − T) from a seeded generator (the
 *       peer benchmark's and nanoGPT's sampling; every window starts from a zero state);</li>
 *   <li>{@link #consecutive}: the text cut into B streams, stream b's k-th window following its
 *       (k−1)-th, so a recurrent state carried from one batch to the next (detached: truncated
 *       backpropagation through time) continues the text it has read.</li>
 * </ul>
 *
 * @param ids   the text's ids
 * @param steps the window length T
 * @param batch windows per batch B
 */
public record TextWindows(int[] ids, int steps, int batch) {

    /** Inputs [B, T] (ids as floats, for {@code Embedding}) and targets [B·T] (class ids, row-major). */
    public record Batch(Tensor inputs, Tensor targets) { }

    /**
     * @param what what the text is ("the training text"), for the error when it is shorter than one window
     */
    public static TextWindows of(int[] ids, int steps, int batch, String what) {
        if (steps < 1 || batch < 1) {
            throw new IllegalArgumentException("sequence length and batch size must be positive, got " + steps + " and " + batch);
        }
        if (ids.length < steps + 1) {
            throw new IllegalArgumentException(what + " has " + ids.length + " characters, shorter than one window of "
                    + (steps + 1) + " (sequence length " + steps + " + 1); use a longer text or a smaller --seq-len");
        }
        return new TextWindows(ids, steps, batch);
    }

    /** B windows at starts drawn uniformly from [0, n − T). */
    public Batch random(Random rng) {
        int[] starts = new int[batch];
        for (int b = 0; b < batch; b++) starts[b] = rng.nextInt(ids.length - steps);
        return at(starts);
    }

    /** The windows at the given starts. */
    public Batch at(int[] starts) {
        float[] x = new float[starts.length * steps], y = new float[starts.length * steps];
        for (int b = 0; b < starts.length; b++) {
            for (int t = 0; t < steps; t++) {
                x[b * steps + t] = ids[starts[b] + t];
                y[b * steps + t] = ids[starts[b] + t + 1];
            }
        }
        return new Batch(Tensor.wrap(x, starts.length, steps), Tensor.wrap(y, starts.length * steps));
    }

    /** Windows per stream in {@link #consecutive} order: the text split into B streams of whole windows. */
    public int windowsPerStream() {
        return Math.max(1, (ids.length - 1) / batch / steps);
    }

    /**
     * Batch k of a pass in consecutive order: stream b's window k (mod {@link #windowsPerStream}).
     * When a text is too short for B streams of a window each, streams overlap.
     */
    public Batch consecutive(long k) {
        int per = windowsPerStream(), streamLength = per * steps;
        int window = (int) (k % per);
        int[] starts = new int[batch];
        for (int b = 0; b < batch; b++) {
            starts[b] = Math.min(b * streamLength, ids.length - 1 - per * steps) + window * steps;
        }
        return at(starts);
    }

    /** Whether batch k begins a new pass over the streams (where a carried state must be reset). */
    public boolean startsPass(long k) {
        return k % windowsPerStream() == 0;
    }
}

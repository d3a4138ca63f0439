package org.backprop.data;

import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;

/**
 * Cuts a {@link Dataset} into mini-batches, one pass per epoch.
 *
 * <p>With shuffling on, each epoch visits the samples in its own random order, drawn from a
 * generator seeded by both the seed and the epoch number: two epochs differ, while the same seed
 * and epoch always give the same order (so a run can be repeated, or resumed at an epoch).
 *
 * <p>Every batch gets fresh dense tensors. Reusing one buffer would save an allocation per step,
 * but a batch kept by the caller (or by an autograd graph still alive) would then change under it;
 * the copy is small next to the forward and backward passes it feeds.
 */
public final class DataLoader {
    private final Dataset data;
    private final int batchSize;
    private final boolean shuffle;
    private final long seed;
    private final boolean dropLast;

    /**
     * @param dropLast whether to leave out the last batch when it would be smaller than {@code batchSize}
     */
    public DataLoader(Dataset data, int batchSize, boolean shuffle, long seed, boolean dropLast) {
        if (batchSize <= 0) throw new IllegalArgumentException("DataLoader: batch size must be positive, got " + batchSize);
        this.data = data;
        this.batchSize = batchSize;
        this.shuffle = shuffle;
        this.seed = seed;
        this.dropLast = dropLast;
    }

    /** Batches in order, without shuffling, keeping the last partial batch (for evaluation). */
    public static DataLoader sequential(Dataset data, int batchSize) {
        return new DataLoader(data, batchSize, false, 0, false);
    }

    public Dataset dataset() {
        return data;
    }

    public int batchSize() {
        return batchSize;
    }

    /** Batches per epoch; 0 for an empty dataset, or when dropping the last batch leaves none. */
    public int batchCount() {
        int n = data.size();
        return dropLast ? n / batchSize : (n + batchSize - 1) / batchSize;
    }

    /** Samples visited per epoch (fewer than the dataset size when the last partial batch is dropped). */
    public int samplesPerEpoch() {
        return dropLast ? batchCount() * batchSize : data.size();
    }

    /** The order in which epoch {@code epoch} visits the dataset's rows (all of them, before any drop). */
    public int[] order(int epoch) {
        int n = data.size();
        if (!shuffle) {
            int[] p = new int[n];
            for (int i = 0; i < n; i++) p[i] = i;
            return p;
        }
        return Dataset.permutation(n, new SplittableRandom(mix(seed, epoch)));
    }

    /** The batches of one epoch, gathered lazily as the iteration goes. */
    public Iterable<Batch> epoch(int epoch) {
        return () -> new Iterator<>() {
            private final int[] order = order(epoch);
            private final int count = batchCount();
            private int next;

            @Override
            public boolean hasNext() {
                return next < count;
            }

            @Override
            public Batch next() {
                if (!hasNext()) throw new NoSuchElementException("epoch " + epoch + " has only " + count + " batches");
                int from = next * batchSize;
                int to = Math.min(from + batchSize, order.length);
                next++;
                return new Batch(data.gatherFeatures(order, from, to),
                        Dataset.gatherRows(data.targets(), order, from, to),
                        java.util.Arrays.copyOfRange(order, from, to));
            }
        };
    }

    /**
     * A generator for step {@code step} of epoch {@code epoch}, e.g. for the batch's augmentation:
     * seed, epoch and step mixed as the shuffle mixes seed and epoch (a separate stream from the
     * shuffle's), so a repeated or resumed run draws the same numbers at the same step.
     */
    public static SplittableRandom stepRandom(long seed, int epoch, int step) {
        return new SplittableRandom(mix(mix(seed ^ 0x5DEECE66DL, epoch), step));
    }

    /**
     * Mixes seed and epoch into one well-spread seed (SplitMix64's finaliser), so that nearby seeds
     * or epochs do not give related streams.
     */
    private static long mix(long seed, int epoch) {
        return mix64(seed + 0x9E3779B97F4A7C15L * (epoch + 1L));
    }

    /** SplitMix64's finaliser, a bijection of 64-bit values: nearby inputs give unrelated outputs. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }
}

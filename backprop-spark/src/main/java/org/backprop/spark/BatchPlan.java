package org.backprop.spark;

import java.io.Serializable;
import java.util.SplittableRandom;

/**
 * Which samples make up each global batch. An epoch has {@code ceil(N / B)} steps for N samples
 * in all and a global batch size B. Every partition shuffles its own rows once per epoch (seeded
 * by the run's seed, the epoch and the partition index) and gives step {@code s} the slice
 * {@code [floor(s·n/S), floor((s+1)·n/S))} of that order, so each partition contributes to each
 * global batch in proportion to its size, no sample crosses the network, and every sample is used
 * once per epoch.
 *
 * <p>The plan is public so that a single-machine run can rebuild exactly the same global batches
 * (the tests compare the two).
 *
 * @param seed              the run's shuffling seed
 * @param shuffle           whether to shuffle each epoch (else rows keep their partition order)
 * @param partitionSizes    rows per partition, in partition order
 * @param globalBatchSize   B, samples per step over all partitions
 */
public record BatchPlan(long seed, boolean shuffle, int[] partitionSizes, int globalBatchSize) implements Serializable {
    public BatchPlan {
        if (globalBatchSize <= 0) throw new IllegalArgumentException("BatchPlan: global batch size must be positive, got " + globalBatchSize);
        partitionSizes = partitionSizes.clone();
        for (int i = 0; i < partitionSizes.length; i++) {
            if (partitionSizes[i] < 0) throw new IllegalArgumentException("BatchPlan: partition " + i + " has a negative size");
        }
    }

    /** N, the number of samples over all partitions. */
    public long totalSamples() {
        long n = 0;
        for (int s : partitionSizes) n += s;
        return n;
    }

    /** S = ceil(N / B) steps per epoch. */
    public int stepsPerEpoch() {
        long n = totalSamples();
        return (int) ((n + globalBatchSize - 1) / globalBatchSize);
    }

    /** The row order of one partition in one epoch. */
    public int[] order(int epoch, int partition) {
        int n = partitionSizes[partition];
        int[] order = new int[n];
        for (int i = 0; i < n; i++) order[i] = i;
        if (!shuffle) return order;
        SplittableRandom rng = new SplittableRandom(mix(seed, epoch, partition));
        for (int i = n - 1; i > 0; i--) { // Fisher–Yates
            int j = rng.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        return order;
    }

    /** Start (inclusive) in {@link #order} of partition {@code p}'s share of step {@code step}. */
    public int sliceStart(int partition, int step) {
        return (int) ((long) step * partitionSizes[partition] / stepsPerEpoch());
    }

    /** End (exclusive) in {@link #order} of partition {@code p}'s share of step {@code step}. */
    public int sliceEnd(int partition, int step) {
        return sliceStart(partition, step + 1);
    }

    /** Samples in partition {@code p}'s share of step {@code step}. */
    public int localBatch(int partition, int step) {
        return sliceEnd(partition, step) - sliceStart(partition, step);
    }

    /** Samples in the global batch of step {@code step}: the sum of the partitions' shares. */
    public int globalBatch(int step) {
        int b = 0;
        for (int p = 0; p < partitionSizes.length; p++) b += localBatch(p, step);
        return b;
    }

    @Override
    public int[] partitionSizes() {
        return partitionSizes.clone();
    }

    private static long mix(long seed, int epoch, int partition) {
        long h = seed * 0x9E3779B97F4A7C15L + epoch;
        h = h * 0xBF58476D1CE4E5B9L + partition;
        return h ^ (h >>> 31);
    }
}

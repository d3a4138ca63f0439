package org.backprop.spark;

/**
 * How the partitions share the work of one training run.
 */
public sealed interface Mode {

    /**
     * Synchronous data parallelism: every step, the driver broadcasts its weights, each partition
     * computes the gradient of its share of the global batch, a tree reduction sums them, and the
     * driver's optimizer takes the step. The result is single-machine training on the same global
     * batches, up to the order of float summation.
     *
     * <p>{@code batchNorm} says where BatchNorm layers take their training statistics from:
     * {@link BatchNormStatistics#SYNCHRONISED} (the default) exchanges them across partitions, so
     * that training matches one machine, at the price of extra jobs per step (see
     * {@link SyncBatchNorm}); {@link BatchNormStatistics#PER_PARTITION} normalises each partition's
     * slice by its own statistics, as PyTorch's DDP without SyncBatchNorm does: one job a step, but
     * the result depends on the partitioning and a slice of one row fails. Models without BatchNorm
     * run the same single job either way.
     */
    record Synchronous(BatchNormStatistics batchNorm) implements Mode {
        public Synchronous {
            if (batchNorm == null) throw new IllegalArgumentException("Synchronous: batchNorm must not be null");
        }

        /** Synchronised BatchNorm statistics. */
        public Synchronous() {
            this(BatchNormStatistics.SYNCHRONISED);
        }
    }

    /** Where BatchNorm layers take their training statistics from in synchronous mode. */
    enum BatchNormStatistics { SYNCHRONISED, PER_PARTITION }

    /**
     * Local SGD (periodic parameter averaging): each round, every partition starts from the
     * driver's weights and optimizer state, takes {@code localSteps} steps on its own share of
     * those global batches with its own copy of the optimizer (built by {@code optimizerFactory},
     * with the driver's current learning rate), and the driver then sets its model and optimizer
     * to the average of the copies, weighted by the samples each partition processed. One round
     * costs one communication instead of {@code localSteps}.
     *
     * <p>Optimizer state (momentum buffers, Adam's moments) is averaged the same way, so that a
     * round starts every copy from the same state and the driver's optimizer holds a state a
     * checkpoint can save; per-parameter step counts are the same on every copy that stepped and
     * are rounded after averaging. With plain SGD and {@code localSteps = 1} this is exactly
     * synchronous training.
     *
     * @param localSteps       steps each partition takes between averages (k ≥ 1)
     * @param optimizerFactory builds the partitions' optimizer copies; same kind and options as the driver's
     */
    record LocalSgd(int localSteps, OptimizerFactory optimizerFactory) implements Mode {
        public LocalSgd {
            if (localSteps < 1) throw new IllegalArgumentException("LocalSgd: localSteps must be >= 1, got " + localSteps);
            if (optimizerFactory == null) throw new IllegalArgumentException("LocalSgd: an optimizer factory is required");
        }
    }

    static Mode synchronous() {
        return new Synchronous();
    }

    /** Synchronous, with BatchNorm statistics per partition (see {@link Synchronous}). */
    static Mode synchronousPerPartitionBatchNorm() {
        return new Synchronous(BatchNormStatistics.PER_PARTITION);
    }

    static Mode localSgd(int localSteps, OptimizerFactory optimizerFactory) {
        return new LocalSgd(localSteps, optimizerFactory);
    }
}

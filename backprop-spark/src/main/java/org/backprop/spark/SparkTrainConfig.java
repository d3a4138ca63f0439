package org.backprop.spark;

/**
 * Settings of a distributed run. Start from {@link #defaults()} and change what differs:
 * {@code SparkTrainConfig.defaults().epochs(5).globalBatchSize(128).mode(Mode.localSgd(8, f))}.
 *
 * @param epochs          passes over the data
 * @param globalBatchSize samples per optimizer step over all partitions (see {@link BatchPlan})
 * @param mode            synchronous gradients or local SGD
 * @param seed            shuffling seed
 * @param shuffle         reshuffle each partition's rows every epoch
 * @param treeDepth       depth of Spark's {@code treeReduce} (2 suits tens of partitions; more for hundreds)
 * @param startEpoch      the first epoch to run (1; a later one continues a run whose model and optimizer
 *                        were restored by hand; {@link SparkTrainer#resume} sets it from a checkpoint)
 * @param barrier         run each epoch as one Spark barrier stage whose tasks exchange every round's
 *                        gradients (or averages) among themselves, instead of one Spark job per round
 *                        (see {@link #barrier(boolean)})
 */
public record SparkTrainConfig(int epochs, int globalBatchSize, Mode mode, long seed, boolean shuffle, int treeDepth,
        int startEpoch, boolean barrier) {

    public SparkTrainConfig {
        if (epochs < 0) throw new IllegalArgumentException("SparkTrainConfig: epochs must be >= 0, got " + epochs);
        if (globalBatchSize < 1) throw new IllegalArgumentException("SparkTrainConfig: global batch size must be >= 1, got " + globalBatchSize);
        if (mode == null) throw new IllegalArgumentException("SparkTrainConfig: mode must not be null");
        if (treeDepth < 1) throw new IllegalArgumentException("SparkTrainConfig: tree depth must be >= 1, got " + treeDepth);
        if (startEpoch < 1) throw new IllegalArgumentException("SparkTrainConfig: the start epoch must be >= 1, got " + startEpoch);
    }

    /** One epoch, global batch 64, synchronous, seed 0, shuffled, tree depth 2, a job per round. */
    public static SparkTrainConfig defaults() {
        return new SparkTrainConfig(1, 64, new Mode.Synchronous(), 0, true, 2, 1, false);
    }

    public SparkTrainConfig epochs(int epochs) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig globalBatchSize(int globalBatchSize) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig mode(Mode mode) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig seed(long seed) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig shuffle(boolean shuffle) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig treeDepth(int treeDepth) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    public SparkTrainConfig startEpoch(int startEpoch) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }

    /**
     * One barrier stage per epoch ({@code true}) instead of one Spark job per round: every task
     * keeps a replica of the model and the optimizer for the whole epoch and the tasks exchange
     * each round's shares through {@code BarrierTaskContext.allGather}, summed in partition order,
     * so every replica takes the same step. Same results as the job-per-round path (bit for bit
     * with two partitions), without a task launch, broadcast and reduction per round. Synchronous
     * mode needs {@link SparkTrainer#optimizerCopies}; synchronised BatchNorm, dynamic allocation,
     * fewer task slots than partitions, or shares over {@code spark.rpc.message.maxSize} fall back to
     * a job per round, with a warning.
     */
    public SparkTrainConfig barrier(boolean barrier) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, barrier);
    }
}

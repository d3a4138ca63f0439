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
 */
public record SparkTrainConfig(int epochs, int globalBatchSize, Mode mode, long seed, boolean shuffle, int treeDepth) {

    public SparkTrainConfig {
        if (epochs < 0) throw new IllegalArgumentException("SparkTrainConfig: epochs must be >= 0, got " + epochs);
        if (globalBatchSize < 1) throw new IllegalArgumentException("SparkTrainConfig: global batch size must be >= 1, got " + globalBatchSize);
        if (mode == null) throw new IllegalArgumentException("SparkTrainConfig: mode must not be null");
        if (treeDepth < 1) throw new IllegalArgumentException("SparkTrainConfig: tree depth must be >= 1, got " + treeDepth);
    }

    /** One epoch, global batch 64, synchronous, seed 0, shuffled, tree depth 2. */
    public static SparkTrainConfig defaults() {
        return new SparkTrainConfig(1, 64, new Mode.Synchronous(), 0, true, 2);
    }

    public SparkTrainConfig epochs(int epochs) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }

    public SparkTrainConfig globalBatchSize(int globalBatchSize) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }

    public SparkTrainConfig mode(Mode mode) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }

    public SparkTrainConfig seed(long seed) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }

    public SparkTrainConfig shuffle(boolean shuffle) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }

    public SparkTrainConfig treeDepth(int treeDepth) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth);
    }
}

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
 * @param rounds          how the rounds run: one Spark barrier stage for the run whose tasks exchange every
 *                        round's gradients (or averages) among themselves, or one Spark job per round
 *                        (see {@link Rounds}; {@link Rounds#AUTO} by default)
 */
public record SparkTrainConfig(int epochs, int globalBatchSize, Mode mode, long seed, boolean shuffle, int treeDepth,
        int startEpoch, Rounds rounds) {

    /**
     * How a run's rounds reach Spark. In a barrier stage ({@code rdd.barrier()}) every task keeps a
     * replica of the model and the optimizer for the whole run and the tasks exchange each
     * round's shares directly over TCP, summed in partition order, so every replica takes the same
     * step: the results of a job per round (bit for bit with two partitions), without a task
     * launch, broadcast and reduction per round. At each epoch's end the driver receives the
     * state and runs the schedule and listeners (checkpoints) before the tasks go on.
     */
    public enum Rounds {
        /**
         * Barrier stages where they apply, else a job per round (logged at INFO): local SGD, and
         * synchronous training when {@link SparkTrainer#optimizerCopies} is given and no BatchNorm
         * has synchronised statistics; the cluster must have a task slot for every partition at once
         * (checked, waiting at most 5 s for executors still registering) and no dynamic
         * allocation. When the stage fails (Spark aborts a barrier stage whose task failed, a lost
         * executor included), the epoch it was in is run again a job per round from the last epoch
         * the driver received, as are the epochs after it (with a one-line warning).
         */
        AUTO,
        /** As {@link #AUTO}, but synchronous training without optimizer copies is refused and every fallback is a warning. */
        BARRIER,
        /** One Spark job per round (broadcast, tasks, {@code treeReduce}, the driver's step). */
        JOB_PER_ROUND
    }

    public SparkTrainConfig {
        if (epochs < 0) throw new IllegalArgumentException("SparkTrainConfig: epochs must be >= 0, got " + epochs);
        if (globalBatchSize < 1) throw new IllegalArgumentException("SparkTrainConfig: global batch size must be >= 1, got " + globalBatchSize);
        if (mode == null) throw new IllegalArgumentException("SparkTrainConfig: mode must not be null");
        if (treeDepth < 1) throw new IllegalArgumentException("SparkTrainConfig: tree depth must be >= 1, got " + treeDepth);
        if (startEpoch < 1) throw new IllegalArgumentException("SparkTrainConfig: the start epoch must be >= 1, got " + startEpoch);
        if (rounds == null) throw new IllegalArgumentException("SparkTrainConfig: rounds must not be null");
    }

    /** One epoch, global batch 64, synchronous, seed 0, shuffled, tree depth 2, barrier stages where they apply. */
    public static SparkTrainConfig defaults() {
        return new SparkTrainConfig(1, 64, new Mode.Synchronous(), 0, true, 2, 1, Rounds.AUTO);
    }

    public SparkTrainConfig epochs(int epochs) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig globalBatchSize(int globalBatchSize) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig mode(Mode mode) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig seed(long seed) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig shuffle(boolean shuffle) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig treeDepth(int treeDepth) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig startEpoch(int startEpoch) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    public SparkTrainConfig rounds(Rounds rounds) {
        return new SparkTrainConfig(epochs, globalBatchSize, mode, seed, shuffle, treeDepth, startEpoch, rounds);
    }

    /**
     * {@code true}: {@link Rounds#BARRIER}, one barrier stage for the run, asked for explicitly
     * (synchronous mode then needs {@link SparkTrainer#optimizerCopies}); {@code false}:
     * {@link Rounds#JOB_PER_ROUND}.
     */
    public SparkTrainConfig barrier(boolean barrier) {
        return rounds(barrier ? Rounds.BARRIER : Rounds.JOB_PER_ROUND);
    }
}

package org.backprop.spark;

import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.storage.StorageLevel;
import org.backprop.autograd.GradMode;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.optim.LrScheduler;
import org.backprop.optim.Optimizer;
import org.backprop.train.TrainingDivergedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a Backprop model on the samples of a Spark RDD, data-parallel. The model, loss and
 * optimizer are the core's own objects, as with the single-machine
 * {@link org.backprop.train.Trainer}; only the fit loop changes:
 * <pre>{@code
 * SerializableSupplier<Module> factory = () -> new Sequential(new Linear(784, 256, new Random(1)), ...);
 * Module model = factory.get();
 * Optimizer opt = new SGD(model.parameters(), 0.1);
 * SparkTrainResult r = new SparkTrainer(sc, model, factory, new CrossEntropyLoss(), opt)
 *         .fit(samples, SparkTrainConfig.defaults().epochs(5).globalBatchSize(128));
 * }</pre>
 * The driver's {@code model} holds the weights: they start as the model's own and end as the
 * trained ones. {@code factory} only has to build the same architecture (names and shapes): the
 * executors build their copies with it once per run and overwrite the weights every round with
 * the driver's, sent as one flat {@code float[]} broadcast. Nothing else about the model is
 * serialised.
 *
 * <p>Each partition is packed once into a dense {@link Block} and cached in executor memory.
 * See {@link Mode} for the two ways of sharing the work and {@link BatchPlan} for which samples
 * form each global batch. Epochs are numbered from 1, as in the core's trainer; a scheduler
 * steps once per epoch with the epoch's training loss.
 *
 * <p>The loss must average over the batch (the core's default reduction): partitions scale their
 * gradients by their share of the global batch, so that the sum is the gradient of the mean loss
 * over the global batch.
 */
public final class SparkTrainer {
    private static final Logger LOG = LoggerFactory.getLogger(SparkTrainer.class);

    private final JavaSparkContext sc;
    private final Module model;
    private final SerializableSupplier<? extends Module> modelFactory;
    private final Loss loss;
    private final Optimizer optimizer;
    private final StateLayout layout;
    private final List<TrainingListener> listeners = new ArrayList<>();
    private LrScheduler scheduler;
    private OptimizerFactory optimizerCopies;
    private Checkpoints.Saved resumeFrom;

    /**
     * @param model        the driver's model: its weights are the starting point and receive the result
     * @param modelFactory builds a model of the same architecture on an executor (its weights are overwritten)
     * @param loss         the training loss; sent to executors, so serialisable (the core's losses are)
     * @param optimizer    updates {@code model}'s parameters on the driver
     */
    public SparkTrainer(JavaSparkContext sc, Module model, SerializableSupplier<? extends Module> modelFactory, Loss loss,
            Optimizer optimizer) {
        if (sc == null || model == null || modelFactory == null || loss == null || optimizer == null) {
            throw new IllegalArgumentException("SparkTrainer: context, model, model factory, loss and optimizer are all required");
        }
        Preflight.requireSerializable(modelFactory, "the model factory");
        Preflight.requireSerializable(loss, "the loss");
        this.layout = StateLayout.of(model);
        Module probe = modelFactory.get();
        if (probe == null) throw new IllegalArgumentException("SparkTrainer: the model factory returned null");
        layout.requireSame(StateLayout.of(probe), "SparkTrainer");
        Preflight.requireOwnParameters(model, optimizer);
        this.sc = sc;
        this.model = model;
        this.modelFactory = modelFactory;
        this.loss = loss;
        this.optimizer = optimizer;
    }

    /** Steps {@code scheduler} once at the end of every epoch, with the epoch's mean training loss. */
    public SparkTrainer scheduler(LrScheduler scheduler) {
        this.scheduler = scheduler;
        return this;
    }

    /**
     * Continues the run that wrote {@code checkpoint} (see {@link Checkpoints}): loads its weights
     * and optimizer state now, and makes the next {@link #fit} start at the epoch after it, with the
     * learning-rate schedule put back where it was by stepping it with the saved epochs' losses.
     * With the same data, partitions, seed and global batch, the result is that of the
     * uninterrupted run (up to float summation order across partitions).
     */
    public SparkTrainer resume(Checkpoints.Saved checkpoint) {
        String type = checkpoint.metadata().get("optimizer");
        if (type != null && !type.equals(optimizer.getClass().getName())) {
            throw new IllegalArgumentException("resume: the checkpoint holds the state of " + type + ", this run uses "
                    + optimizer.getClass().getName());
        }
        model.loadStateDict(checkpoint.model());
        optimizer.loadStateDict(checkpoint.optimizer());
        this.resumeFrom = checkpoint;
        return this;
    }

    /** Builds the executors' copies of the driver's optimizer (same kind and options) for {@link SparkTrainConfig#barrier}. */
    public SparkTrainer optimizerCopies(OptimizerFactory factory) {
        Preflight.requireSerializable(factory, "the optimizer copies' factory");
        this.optimizerCopies = factory;
        return this;
    }

    /** Adds a driver-side listener (progress, checkpoints); listeners run in the order added. */
    public SparkTrainer listener(TrainingListener listener) {
        listeners.add(listener);
        return this;
    }

    /**
     * Trains the model in place on {@code data} and returns the history.
     *
     * @throws IllegalArgumentException  when the data is empty, or local SGD's optimizer factory
     *                                   builds another kind of optimizer than the driver's
     * @throws TrainingDivergedException when a loss becomes NaN or infinite
     */
    public SparkTrainResult fit(JavaRDD<Sample> data, SparkTrainConfig config) {
        OptimizerStateLayout optLayout = null;
        if (config.mode() instanceof Mode.LocalSgd l) {
            Preflight.requireSerializable(l.optimizerFactory(), "the optimizer factory of Mode.LocalSgd");
            optLayout = OptimizerStateLayout.probe(modelFactory.get(), l.optimizerFactory(), optimizer, "Mode.LocalSgd");
        }
        List<Double> earlier = List.of();
        if (resumeFrom != null) {
            config = restoreSchedule(resumeFrom, config);
            earlier = resumeFrom.epochLosses();
            resumeFrom = null; // a later fit starts afresh
        }
        for (TrainingListener l : listeners) l.onStart(config, earlier);
        String runId = UUID.randomUUID().toString();
        JavaRDD<Block> blocks = data.mapPartitionsWithIndex((p, it) -> List.of(Block.pack(p, it)).iterator(), true)
                .persist(StorageLevel.MEMORY_ONLY());
        if (Preflight.comesFromDriverCollection(data.rdd())) {
            // A parallelised collection keeps each partition's rows inside its partition object, which
            // Spark serialises into every task: every round would ship the whole data set again. Cutting
            // the lineage after packing leaves tasks small; the price is that a lost executor fails the
            // run instead of recomputing its blocks (file-based RDDs keep full fault tolerance).
            blocks.rdd().localCheckpoint();
        }
        try {
            List<Integer> sizes = blocks.map(Block::rows).collect(); // one block per partition, in order
            int[] partitionSizes = sizes.stream().mapToInt(Integer::intValue).toArray();
            BatchPlan plan = new BatchPlan(config.seed(), config.shuffle(), partitionSizes, config.globalBatchSize());
            if (plan.totalSamples() == 0) throw new IllegalArgumentException("SparkTrainer.fit: the RDD has no samples");
            if (!(config.mode() instanceof Mode.Synchronous m && m.batchNorm() == Mode.BatchNormStatistics.SYNCHRONISED)) {
                Preflight.requireBatchNormSlices(model, plan);
            }
            Preflight.warnIfResultsAreLarge(sc, layout, optLayout == null ? 0 : optLayout.length());
            try (BarrierRounds barrier = BarrierRounds.forRun(sc, runId, config, blocks, plan, layout, model, modelFactory, loss,
                    optimizer, optimizerCopies, optLayout); var _ = GradMode.enableGrad()) {
                var run = new Run(runId, config, blocks, plan, barrier);
                run.epochLoss.addAll(earlier);
                return config.mode() instanceof Mode.LocalSgd l ? run.localSgd(l, optLayout) : run.synchronous((Mode.Synchronous) config.mode());
            }
        } finally {
            blocks.unpersist(false);
            Replicas.release(runId);
        }
    }

    /** Checks a checkpoint fits this run, steps the schedule through its epochs, and returns the config from the next epoch. */
    private SparkTrainConfig restoreSchedule(Checkpoints.Saved c, SparkTrainConfig config) {
        String seed = c.metadata().get("seed"), batch = c.metadata().get("global_batch");
        if ((seed != null && Long.parseLong(seed) != config.seed()) || (batch != null && Integer.parseInt(batch) != config.globalBatchSize())) {
            throw new IllegalArgumentException("resume: the checkpoint was written with seed " + seed + " and global batch " + batch
                    + ", this run has seed " + config.seed() + " and global batch " + config.globalBatchSize()
                    + "; use the same to continue the same run");
        }
        if (c.epoch() >= config.epochs()) {
            throw new IllegalArgumentException("resume: the checkpoint is at epoch " + c.epoch() + " and this run stops at "
                    + config.epochs() + " epochs: raise the number of epochs to train further");
        }
        if (scheduler != null) for (double loss : c.epochLosses()) scheduler.step(loss);
        if (optimizer.lr() != c.lr()) {
            throw new IllegalArgumentException("resume: the learning rate would be " + optimizer.lr() + " where the checkpoint has "
                    + c.lr() + "; build the optimizer and its schedule as in the interrupted run");
        }
        LOG.info("resuming after epoch {} of {}", c.epoch(), config.epochs());
        return config.startEpoch(c.epoch() + 1);
    }

    /**
     * Mean loss and accuracy of the driver's model over {@code data}, computed by the partitions
     * in parallel (in evaluation mode, without gradients).
     */
    public SparkEvaluation evaluate(JavaRDD<Sample> data) {
        String runId = UUID.randomUUID().toString();
        Broadcast<float[]> weights = sc.broadcast(layout.flatten(model));
        try {
            double[] r = data.mapPartitionsWithIndex((p, it) -> List.of(Block.pack(p, it)).iterator(), true)
                    .mapPartitions(new Tasks.EvaluateTask(runId, modelFactory, loss, layout, weights))
                    .treeReduce(Tasks::sumInPlace, 2);
            long n = (long) r[2];
            return new SparkEvaluation(n == 0 ? Double.NaN : r[0] / n, r[3] > 0 ? r[1] / n : Double.NaN, n);
        } finally {
            weights.destroy();
            Replicas.release(runId);
        }
    }

    // ------------------------------------------------------------------------------------ driver

    /** The state of one call to fit, on the driver. */
    private final class Run {
        final String runId;
        final SparkTrainConfig config;
        final JavaRDD<Block> blocks;
        final BatchPlan plan;
        final int partitions;
        BarrierRounds barrier; // null: a job per round
        final List<RoundStats> rounds = new ArrayList<>();
        final List<Double> epochLoss = new ArrayList<>();
        long steps;

        Run(String runId, SparkTrainConfig config, JavaRDD<Block> blocks, BatchPlan plan, BarrierRounds barrier) {
            this.runId = runId;
            this.barrier = barrier;
            this.config = config;
            this.blocks = blocks;
            this.plan = plan;
            this.partitions = plan.partitionSizes().length;
        }

        SparkTrainResult synchronous(Mode.Synchronous mode) {
            int stepsPerEpoch = plan.stepsPerEpoch();
            boolean syncBn = mode.batchNorm() == Mode.BatchNormStatistics.SYNCHRONISED && SyncBatchNorm.present(model);
            long inlineLimit = Weights.inlineLimit(sc);
            for (int epoch = barrierEpochs(); epoch <= config.epochs(); epoch++) {
                double lossSum = 0;
                long samples = 0;
                for (int step = 0; step < stepsPerEpoch; step++) {
                    int global = plan.globalBatch(step);
                    if (global == 0) continue; // tiny partitions can leave a step empty: nothing to learn from
                    long t0 = System.nanoTime();
                    Weights weights = Weights.of(sc, layout.flatten(model), inlineLimit, syncBn);
                    long t1 = System.nanoTime();
                    float[] sum;
                    int jobs = 1;
                    try {
                        SyncBatchNorm.Known known = null;
                        if (syncBn) {
                            final int e = epoch, s = step;
                            int[] phases = {0};
                            known = SyncBatchNorm.exchange(blocks, k -> {
                                phases[0]++;
                                return new SyncBatchNorm.PhaseTask(runId, modelFactory, loss, layout, weights, plan, e, s, k);
                            }, config.treeDepth());
                            jobs += phases[0];
                        }
                        sum = blocks.mapPartitions(new Tasks.GradientTask(runId, modelFactory, loss, layout, weights, plan, epoch, step, known))
                                .treeReduce(Tasks::sumInPlace, config.treeDepth());
                    } finally {
                        weights.release();
                    }
                    long t2 = System.nanoTime();
                    double stepLoss = sum[layout.length() + layout.names().length];
                    checkFinite(epoch, step, stepLoss);
                    layout.applySum(model, sum);
                    optimizer.step();
                    long t3 = System.nanoTime();
                    steps++;
                    lossSum += stepLoss * global;
                    samples += global;
                    long load = (long) (sum[sum.length - 2] * 1e6 / partitions), compute = (long) (sum[sum.length - 1] * 1e6 / partitions);
                    finishRound(new RoundStats(epoch, step, 1, global, stepLoss, t3 - t0, compute, 4L * layout.length(),
                            4L * sum.length * partitions, new RoundStats.Parts(t1 - t0, load, t2 - t1, t3 - t2, jobs)));
                }
                finishEpoch(epoch, lossSum / samples);
            }
            return new SparkTrainResult(epochLoss, steps, rounds);
        }

        SparkTrainResult localSgd(Mode.LocalSgd mode, OptimizerStateLayout optLayout) {
            int stepsPerEpoch = plan.stepsPerEpoch();
            int k = mode.localSteps();
            int optBase = layout.length(), presenceBase = optBase + optLayout.length();
            int lossAt = presenceBase + optLayout.keys().length;
            for (int epoch = barrierEpochs(); epoch <= config.epochs(); epoch++) {
                double lossSum = 0;
                long samples = 0;
                for (int first = 0; first < stepsPerEpoch; first += k) {
                    int count = Math.min(k, stepsPerEpoch - first);
                    long roundSamples = 0;
                    for (int s = first; s < first + count; s++) roundSamples += plan.globalBatch(s);
                    if (roundSamples == 0) continue;
                    long t0 = System.nanoTime();
                    var input = new Tasks.RoundInput(layout.flatten(model), OptimizerStateLayout.flatten(optimizer.stateDict()), optimizer.lr());
                    Broadcast<Tasks.RoundInput> bc = sc.broadcast(input);
                    long t1 = System.nanoTime();
                    float[] sum;
                    try {
                        sum = blocks.mapPartitions(new Tasks.LocalSgdTask(runId, modelFactory, mode.optimizerFactory(), loss, layout,
                                        optLayout, bc, plan, epoch, first, count, roundSamples))
                                .treeReduce(Tasks::sumInPlace, config.treeDepth());
                    } finally {
                        bc.destroy();
                    }
                    long t2 = System.nanoTime();
                    double roundLoss = sum[lossAt];
                    checkFinite(epoch, first, roundLoss);
                    layout.load(model, sum); // the sample-weighted average: the weights sum to 1
                    optimizer.loadStateDict(optLayout.average(sum, optBase, presenceBase));
                    long t3 = System.nanoTime();
                    steps += count;
                    lossSum += roundLoss * roundSamples;
                    samples += roundSamples;
                    long load = (long) (sum[sum.length - 2] * 1e6 / partitions), compute = (long) (sum[sum.length - 1] * 1e6 / partitions);
                    long bytesOut = 4L * (input.state().length + input.optimizer().values().length);
                    finishRound(new RoundStats(epoch, first, count, roundSamples, roundLoss, t3 - t0, compute, bytesOut,
                            4L * sum.length * partitions, new RoundStats.Parts(t1 - t0, load, t2 - t1, t3 - t2, 1)));
                }
                finishEpoch(epoch, lossSum / samples);
            }
            return new SparkTrainResult(epochLoss, steps, rounds);
        }

        /** Trains as many epochs as barrier stages can and returns the first left for a job per round. */
        private int barrierEpochs() {
            if (barrier == null) return config.startEpoch();
            int next = barrier.run(model, optimizer, config.startEpoch(), config.epochs(), (epoch, stats) -> {
                double lossSum = 0;
                long samples = 0;
                for (RoundStats s : stats) {
                    checkFinite(epoch, s.firstStep(), s.loss());
                    steps += s.steps();
                    lossSum += s.loss() * s.samples();
                    samples += s.samples();
                    finishRound(s);
                }
                finishEpoch(epoch, lossSum / samples);
            });
            if (next <= config.epochs()) barrier = null; // a stage failed: the rest a job per round
            return next;
        }

        private void checkFinite(int epoch, int step, double loss) {
            if (!Double.isFinite(loss)) {
                throw new TrainingDivergedException("training diverged at epoch " + epoch + ", step " + (step + 1)
                        + ": the loss is " + loss + " (learning rate " + optimizer.lr() + "); try a smaller learning rate",
                        epoch, step + 1, loss, null);
            }
        }

        private void finishRound(RoundStats stats) {
            rounds.add(stats);
            for (TrainingListener l : listeners) l.onRound(stats);
        }

        private void finishEpoch(int epoch, double meanLoss) {
            epochLoss.add(meanLoss);
            LOG.debug("epoch {}: mean loss {}", epoch, meanLoss);
            // the schedule first: a checkpoint then holds the learning rate of the next epoch
            if (scheduler != null) scheduler.step(meanLoss);
            for (TrainingListener l : listeners) l.onEpochEnd(epoch, meanLoss, model, optimizer);
        }
    }
}

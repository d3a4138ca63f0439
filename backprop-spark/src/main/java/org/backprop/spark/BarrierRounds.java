package org.backprop.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.optim.Optimizer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import scala.reflect.ClassTag;
import scala.reflect.ClassTag$;

/**
 * Runs a whole epoch as one Spark barrier stage ({@link SparkTrainConfig.Rounds}): all tasks
 * start together, each runs every round of the epoch on its own replica of the model and
 * optimizer, and the rounds' exchanges go over direct links between the tasks ({@link PeerLinks})
 * instead of a job, a broadcast and a treeReduce each (see {@link BarrierTask}). The driver sends its weights
 * and optimizer state once per epoch and loads partition 0's at its end, so checkpoints, the
 * schedule and resume see what the job-per-round path gives them.
 *
 * <p>Spark runs a barrier stage only when every task has a slot at once, not with dynamic
 * allocation; when it cannot, the run falls back to a job per round (a warning when barrier
 * stages were asked for, else INFO). Spark 4.2 aborts the job when a task of a barrier result
 * stage fails (a lost executor included: "Could not recover from a failed barrier ResultStage"),
 * so {@link SparkTrainer} redoes that epoch a job per round from the driver's unchanged state. The executors must reach each other on ephemeral TCP ports (as they do
 * for shuffles) and the driver's {@link Rendezvous}.
 */
final class BarrierRounds implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(BarrierRounds.class);
    @SuppressWarnings("unchecked")
    private static final ClassTag<float[]> FLOATS = (ClassTag<float[]>) (ClassTag<?>) ClassTag$.MODULE$.apply(float[].class);

    private final JavaSparkContext sc;
    private final JavaRDD<Block> blocks;
    private final BatchPlan plan;
    private final StateLayout layout;
    private final OptimizerStateLayout optLayout;
    private final int localSteps;
    private final int messageFloats;
    private final SerializableSupplier<? extends Module> factory;
    private final OptimizerFactory optimizerFactory;
    private final Loss loss;
    private final String runId;
    private Rendezvous rendezvous; // null: the tasks swap addresses through allGather

    private BarrierRounds(JavaSparkContext sc, String runId, JavaRDD<Block> blocks, BatchPlan plan, StateLayout layout,
            SerializableSupplier<? extends Module> factory, OptimizerFactory optimizerFactory, OptimizerStateLayout optLayout,
            Loss loss, int localSteps) {
        this.sc = sc;
        this.runId = runId;
        this.blocks = blocks;
        this.plan = plan;
        this.layout = layout;
        this.factory = factory;
        this.optimizerFactory = optimizerFactory;
        this.optLayout = optLayout;
        this.loss = loss;
        this.localSteps = localSteps;
        this.messageFloats = localSteps == 0 ? layout.length() + layout.names().length + 3
                : layout.length() + optLayout.length() + optLayout.keys().length + 3;
    }

    /** The barrier rounds of a run, or null: a job per round (not asked for, or not possible here). */
    static BarrierRounds forRun(JavaSparkContext sc, String runId, SparkTrainConfig config, JavaRDD<Block> blocks, BatchPlan plan,
            StateLayout layout, Module model, SerializableSupplier<? extends Module> factory, Loss loss, Optimizer optimizer,
            OptimizerFactory optimizerCopies, OptimizerStateLayout localSgdLayout) {
        if (config.rounds() == SparkTrainConfig.Rounds.JOB_PER_ROUND) return null;
        boolean asked = config.rounds() == SparkTrainConfig.Rounds.BARRIER;
        if (config.mode() instanceof Mode.LocalSgd l) {
            return open(sc, runId, blocks, plan, layout, factory, l.optimizerFactory(), localSgdLayout, loss, l.localSteps(), asked);
        }
        if (optimizerCopies == null) {
            if (asked) {
                throw new IllegalArgumentException("SparkTrainConfig.barrier: synchronous training in barrier stages steps the optimizer"
                        + " on every executor; give SparkTrainer.optimizerCopies(params -> new ...) the driver optimizer's kind and options");
            }
            LOG.info("synchronous training without SparkTrainer.optimizerCopies: one Spark job per round (barrier stages need the copies)");
            return null;
        }
        if (((Mode.Synchronous) config.mode()).batchNorm() == Mode.BatchNormStatistics.SYNCHRONISED && SyncBatchNorm.present(model)) {
            say(asked, "barrier stages do not synchronise BatchNorm statistics: training with one Spark job per round instead", null);
            return null;
        }
        var optLayout = OptimizerStateLayout.probe(factory.get(), optimizerCopies, optimizer, "SparkTrainer.optimizerCopies");
        return open(sc, runId, blocks, plan, layout, factory, optimizerCopies, optLayout, loss, 0, asked);
    }

    /** A warning when barrier stages were asked for explicitly, else an INFO line. */
    private static void say(boolean asked, String message, String why) {
        if (asked) LOG.warn(message, why);
        else LOG.info(message, why);
    }

    /**
     * The barrier rounds of a run, or null (after a warning saying why, INFO unless {@code asked})
     * when Spark cannot run them here: the run then takes a job per round. {@code localSteps} 0 is
     * synchronous training.
     */
    static BarrierRounds open(JavaSparkContext sc, String runId, JavaRDD<Block> blocks, BatchPlan plan, StateLayout layout,
            SerializableSupplier<? extends Module> factory, OptimizerFactory optimizerFactory, OptimizerStateLayout optLayout,
            Loss loss, int localSteps, boolean asked) {
        var b = new BarrierRounds(sc, runId, blocks, plan, layout, factory, optimizerFactory, optLayout, loss, localSteps);
        String why = b.obstacle(asked);
        if (why == null) {
            if (plan.partitionSizes().length > 1) b.rendezvous = Rendezvous.open(sc.getConf());
            return b;
        }
        say(asked, "barrier stages are not possible here ({}): training with one Spark job per round instead", why);
        return null;
    }

    private String obstacle(boolean asked) {
        int partitions = plan.partitionSizes().length;
        if (sc.getConf().getBoolean("spark.dynamicAllocation.enabled", false)) return "dynamic allocation is on";
        int slots = slots(partitions, asked ? Long.MAX_VALUE : 5_000);
        if (slots < partitions) return partitions + " partitions need as many task slots at once; the cluster has " + slots;
        return null;
    }

    /**
     * The cluster's task slots, waiting up to {@code spark.scheduler.maxRegisteredResourcesWaitingTime}
     * (30 s), and at most {@code capMs}, for executors still registering (a standalone cluster starts
     * the first jobs with fewer; local mode has its slots from the start).
     */
    private int slots(int wanted, long capMs) {
        var ctx = sc.sc();
        long waitMs = Math.min(capMs, sc.getConf().getTimeAsMs("spark.scheduler.maxRegisteredResourcesWaitingTime", "30s"));
        long deadline = System.nanoTime() + waitMs * 1_000_000;
        while (true) {
            int slots = ctx.maxNumConcurrentTasks(ctx.resourceProfileManager().defaultResourceProfile());
            if (slots >= wanted || ctx.isLocal() || System.nanoTime() > deadline) return slots;
            try {
                Thread.sleep(250);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return slots;
            }
        }
    }

    /** Runs {@code epoch} on the executors, loads its result into {@code model} and {@code optimizer}, and returns its rounds. */
    List<RoundStats> epoch(Module model, Optimizer optimizer, int epoch) {
        long t0 = System.nanoTime();
        var input = new Tasks.RoundInput(layout.flatten(model), OptimizerStateLayout.flatten(optimizer.stateDict()), optimizer.lr());
        Broadcast<Tasks.RoundInput> bc = sc.broadcast(input);
        long t1 = System.nanoTime();
        List<float[]> results;
        try {
            var task = new BarrierTask(runId, factory, optimizerFactory, loss, layout, optLayout, bc, plan, epoch, localSteps,
                    rendezvous == null ? Rendezvous.Ticket.ALL_GATHER : rendezvous.ticket());
            results = new JavaRDD<>(blocks.rdd().barrier().mapPartitions(task, false, FLOATS), FLOATS).collect();
        } finally {
            bc.destroy();
        }
        long t2 = System.nanoTime();
        float[] r = results.getFirst(); // partition 0's; the others return nothing
        int presenceBase = layout.length() + optLayout.length(), traceAt = presenceBase + optLayout.keys().length;
        layout.load(model, r);
        optimizer.loadStateDict(optLayout.average(r, layout.length(), presenceBase));
        long t3 = System.nanoTime();
        int done = (int) r[traceAt];
        return stats(r, traceAt + 2, done, epoch, r[traceAt + 1], new long[] {t0, t1, t2, t3},
                4L * (input.state().length + input.optimizer().values().length));
    }

    @Override
    public void close() {
        if (rendezvous != null) rendezvous.close();
    }

    /** One RoundStats per round done, the stage's wall time shared out evenly (means are what the cost tables use). */
    private List<RoundStats> stats(float[] r, int at, int done, int epoch, float loadMillis, long[] t, long bytesOut) {
        List<RoundStats> out = new ArrayList<>(done);
        int k = Math.max(1, localSteps), steps = plan.stepsPerEpoch(), partitions = plan.partitionSizes().length;
        long n = Math.max(1, done);
        for (int first = 0, i = 0; first < steps && i < done; first += k) {
            int count = Math.min(k, steps - first);
            long samples = 0;
            for (int s = first; s < first + count; s++) samples += plan.globalBatch(s);
            if (samples == 0) continue;
            int a = at + 5 * i; // BarrierTask.Trace: loss, compute, exchange, wait, replica step (ms)
            long compute = (long) (r[a + 1] * 1e6);
            var parts = new RoundStats.Parts((t[1] - t[0]) / n, (long) (loadMillis * 1e6 / n), (t[2] - t[1]) / n, (t[3] - t[2]) / n,
                    i == 0 ? 1 : 0, (long) (r[a + 2] * 1e6), (long) (r[a + 3] * 1e6), (long) (r[a + 4] * 1e6));
            out.add(new RoundStats(epoch, first, count, samples, r[a], (t[3] - t[0]) / n, compute, i == 0 ? bytesOut : 0,
                    4L * messageFloats * partitions, parts));
            i++;
        }
        return out;
    }
}

package org.backprop.spark;

import java.io.IOException;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaFutureAction;
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
 * Runs a run's epochs as one Spark barrier stage ({@link SparkTrainConfig.Rounds}): all tasks
 * start together, each runs every round on its own replica of the model and optimizer, and the
 * rounds' exchanges go over direct links between the tasks ({@link PeerLinks}) instead of a job, a
 * broadcast and a treeReduce each (see {@link BarrierTask}). The driver sends its weights and
 * optimizer state once per stage; at every epoch's end partition 0 sends its result over its line
 * to the driver ({@link StageControl}), the driver loads it, runs the schedule and the listeners
 * (checkpoints) as after a stage per epoch, and lets the tasks go on with the next learning rate,
 * so checkpoints, the schedule and resume see what the job-per-round path gives them. Where the
 * tasks cannot reach the driver's {@link Rendezvous} (allGather configured) each epoch is a stage.
 *
 * <p>Spark runs a barrier stage only when every task has a slot at once, not with dynamic
 * allocation; when it cannot, the run falls back to a job per round (a warning when barrier
 * stages were asked for, else INFO). Spark 4.2 aborts the job when a task of a barrier result
 * stage fails (a lost executor included: "Could not recover from a failed barrier ResultStage"),
 * so {@link SparkTrainer} trains the rest a job per round from the last epoch the driver holds.
 * The executors must reach each other on ephemeral TCP ports (as they do for shuffles) and the
 * driver's {@link Rendezvous}.
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
    private Rendezvous rendezvous; // null: the tasks swap addresses through allGather, a stage per epoch
    static final String EPOCHS_PER_STAGE = "spark.backprop.epochsPerStage";
    private int next; // the first epoch whose result the driver does not hold yet

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
            b.rendezvous = Rendezvous.open(sc.getConf()); // one task alone too: its line to the driver carries the epochs' ends
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

    /** What the driver does at an epoch's end, its result already in the model and optimizer: checks, schedule, listeners. */
    interface EpochEnd {
        void accept(int epoch, List<RoundStats> rounds);
    }

    /**
     * Trains epochs {@code from..last} in barrier stages, one for them all through the driver's
     * rendezvous (one per epoch with allGather), calling {@code end} after each epoch as a stage per
     * epoch would. Returns the first epoch not done: {@code last + 1}, or the epoch in which a stage
     * failed (logged; the driver's state is that of the epoch's start, and the caller trains the rest
     * a job per round). Exceptions from {@code end} (divergence, listeners) stop the stage and propagate.
     */
    int run(Module model, Optimizer optimizer, int from, int last, EpochEnd end) {
        next = from;
        // epochs per stage: 0 all (the default); 1 a stage per epoch, as before (for A/B measurements of the stage's cost)
        int perStage = rendezvous == null ? 1 : sc.getConf().getInt(EPOCHS_PER_STAGE, 0);
        while (next <= last) {
            Exception failure = stage(model, optimizer, perStage > 0 ? Math.min(last, next + perStage - 1) : last, end);
            if (failure == null) continue;
            if (sc.sc().isStopped() || String.valueOf(failure.getMessage()).contains("cancelled")) throw BarrierRounds.<RuntimeException>sneaky(failure);
            // Spark 4.2 does not retry a barrier result stage whose task failed (a lost executor included): it aborts the job
            LOG.warn("the barrier stage of epoch {} failed ({}): this and the remaining epochs run one Spark job per round", next,
                    firstLine(failure));
            return next;
        }
        return next;
    }

    @SuppressWarnings("unchecked")
    private static <T extends Throwable> T sneaky(Throwable t) throws T {
        throw (T) t; // Spark's SparkException, rethrown as it came
    }

    private static String firstLine(Throwable e) {
        String m = String.valueOf(e.getMessage()).strip();
        int nl = m.indexOf('\n');
        if (nl >= 0) m = m.substring(0, nl);
        return m.length() > 300 ? m.substring(0, 300) + "..." : m;
    }

    /**
     * One barrier stage for epochs {@code next..last}: launched once, each epoch's result read from
     * partition 0's {@link StageControl} line (without a rendezvous: a stage for epoch {@code next}
     * alone, its result collected). Returns null, or why the stage failed.
     */
    private Exception stage(Module model, Optimizer optimizer, int last, EpochEnd end) {
        int first = next;
        long t0 = System.nanoTime();
        Tasks.RoundInput input = input(model, optimizer);
        Broadcast<Tasks.RoundInput> bc = sc.broadcast(input);
        long bcNanos = System.nanoTime() - t0, bytesOut = bytes(input);
        var task = new BarrierTask(runId, factory, optimizerFactory, loss, layout, optLayout, bc, plan, first, last, localSteps,
                rendezvous == null ? Rendezvous.Ticket.ALL_GATHER : rendezvous.ticket());
        JavaFutureAction<List<float[]>> job = new JavaRDD<>(blocks.rdd().barrier().mapPartitions(task, false, FLOATS), FLOATS).collectAsync();
        StageControl.DriverSide control = null;
        boolean finished = false;
        try {
            if (rendezvous == null) {
                List<float[]> results;
                try {
                    results = job.get();
                } catch (java.util.concurrent.ExecutionException e) {
                    return cause(e);
                }
                epochEnd(model, optimizer, results.getFirst(), true, new long[] {t0, t0 + bcNanos, System.nanoTime()}, bytesOut, end);
                finished = true;
                return null;
            }
            Socket[] lines = rendezvous.awaitStage(job::isDone);
            if (lines == null) return failure(job);
            control = new StageControl.DriverSide(lines);
            long tStart = t0;
            while (next <= last) {
                float[] r = control.result(next, job::isDone);
                if (r == null) return failure(job);
                epochEnd(model, optimizer, r, next == first, new long[] {tStart, tStart + bcNanos, System.nanoTime()}, bytesOut, end);
                if (next > last) break;
                tStart = System.nanoTime();
                // the tasks go on from their own result unless a listener changed the driver's state
                Tasks.RoundInput mine = input(model, optimizer);
                boolean same = StageControl.same(mine, StageControl.next(r, layout, optLayout, optimizer.lr()));
                control.answer(optimizer.lr(), same ? null : mine);
                bcNanos = System.nanoTime() - tStart;
                bytesOut = same ? 0 : bytes(mine);
            }
            finished = true;
            return null;
        } catch (IOException e) { // the answer did not reach a task: it is gone, and so is the stage
            return failure(job);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for a barrier stage", e);
        } finally {
            if (control != null) control.close();
            if (!finished) job.cancel(true);
            awaitEnd(job);
            bc.destroy();
        }
    }

    /** Loads partition 0's result of epoch {@code next} into the driver's model and optimizer and hands its rounds to {@code end}. */
    private void epochEnd(Module model, Optimizer optimizer, float[] r, boolean firstOfStage, long[] t, long bytesOut, EpochEnd end) {
        int presenceBase = layout.length() + optLayout.length(), traceAt = presenceBase + optLayout.keys().length;
        layout.load(model, r);
        optimizer.loadStateDict(optLayout.average(r, layout.length(), presenceBase));
        long t3 = System.nanoTime();
        int epoch = next;
        List<RoundStats> stats = stats(r, traceAt + 2, (int) r[traceAt], epoch, r[traceAt + 1], new long[] {t[0], t[1], t[2], t3},
                firstOfStage, bytesOut);
        next++; // the driver holds the epoch's result: a failure from here on redoes only later epochs
        end.accept(epoch, stats);
    }

    private Tasks.RoundInput input(Module model, Optimizer optimizer) {
        return new Tasks.RoundInput(layout.flatten(model), OptimizerStateLayout.flatten(optimizer.stateDict()), optimizer.lr());
    }

    private static long bytes(Tasks.RoundInput in) {
        return 4L * (in.state().length + in.optimizer().values().length);
    }

    private static Exception cause(java.util.concurrent.ExecutionException e) {
        return e.getCause() instanceof Exception x ? x : new IllegalStateException(e.getCause());
    }

    /** Why a stage whose line to the driver closed early ended: Spark's error, once the job has failed. */
    private static Exception failure(JavaFutureAction<?> job) {
        try {
            job.get(60, java.util.concurrent.TimeUnit.SECONDS);
            return new IllegalStateException("the barrier stage ended without its epochs' results");
        } catch (java.util.concurrent.ExecutionException e) {
            return cause(e);
        } catch (java.util.concurrent.TimeoutException e) {
            return new IllegalStateException("a task's line to the driver closed while the barrier stage went on");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new IllegalStateException("interrupted while waiting for a barrier stage", e);
        }
    }

    /** Waits (a while) for a finished or cancelled stage's tasks to end, so the next job finds the slots free. */
    private static void awaitEnd(JavaFutureAction<?> job) {
        try {
            job.get(30, java.util.concurrent.TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException
                | java.util.concurrent.CancellationException e) {
            LOG.debug("barrier stage ended: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        if (rendezvous != null) rendezvous.close();
    }

    /** One RoundStats per round done, the stage's wall time shared out evenly (means are what the cost tables use). */
    private List<RoundStats> stats(float[] r, int at, int done, int epoch, float loadMillis, long[] t, boolean firstOfStage,
            long bytesOut) {
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
                    firstOfStage && i == 0 ? 1 : 0, (long) (r[a + 2] * 1e6), (long) (r[a + 3] * 1e6), (long) (r[a + 4] * 1e6));
            out.add(new RoundStats(epoch, first, count, samples, r[a], (t[3] - t[0]) / n, compute, i == 0 ? bytesOut : 0,
                    4L * messageFloats * partitions, parts));
            i++;
        }
        return out;
    }
}

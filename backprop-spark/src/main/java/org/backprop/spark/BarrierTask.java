package org.backprop.spark;

import java.io.Serializable;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.apache.spark.BarrierTaskContext;
import org.apache.spark.broadcast.Broadcast;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

/**
 * The epochs of a run on one partition, as a task of one barrier stage (see {@link BarrierRounds}):
 * every task runs all of an epoch's rounds, exchanging its share with the others over direct
 * links ({@link PeerLinks}) each round instead of returning it to the driver. Every task sums the
 * shares in partition order, so every replica computes the same bits and takes the same step:
 * the weights stay identical everywhere without the driver sending them.
 *
 * <p>The round's share and its sum are laid out as {@link Tasks.GradientTask}'s (synchronous) or
 * {@link Tasks.LocalSgdTask}'s (local SGD) results, so the arithmetic is theirs. At the end of each
 * epoch partition 0 sends the driver [model state | optimizer state | presence per optimizer key |
 * rounds done | load ms | per round: loss, mean compute ms, and partition 0's exchange ms, of which
 * waiting ms, and replica step ms] over its {@link StageControl} line, and every task waits for the
 * driver's go-ahead (the next learning rate) before the next epoch, which starts from exactly what
 * a stage per epoch would broadcast ({@link StageControl#next}). Without the driver's rendezvous
 * (allGather) a stage covers one epoch and partition 0 returns that array instead.
 */
final class BarrierTask extends AbstractFunction1<scala.collection.Iterator<Block>, scala.collection.Iterator<float[]>>
        implements Serializable {
    private final String runId;
    private final SerializableSupplier<? extends Module> factory;
    private final OptimizerFactory optimizerFactory;
    private final Loss loss;
    private final StateLayout layout;
    private final OptimizerStateLayout optLayout;
    private final Broadcast<Tasks.RoundInput> input;
    private final BatchPlan plan;
    private final int firstEpoch, lastEpoch;
    private final int localSteps; // 0: synchronous
    private final Rendezvous.Ticket rendezvous;

    BarrierTask(String runId, SerializableSupplier<? extends Module> factory, OptimizerFactory optimizerFactory, Loss loss,
            StateLayout layout, OptimizerStateLayout optLayout, Broadcast<Tasks.RoundInput> input, BatchPlan plan, int firstEpoch,
            int lastEpoch, int localSteps, Rendezvous.Ticket rendezvous) {
        this.rendezvous = rendezvous;
        this.runId = runId;
        this.factory = factory;
        this.optimizerFactory = optimizerFactory;
        this.loss = loss;
        this.layout = layout;
        this.optLayout = optLayout;
        this.input = input;
        this.plan = plan;
        this.firstEpoch = firstEpoch;
        this.lastEpoch = lastEpoch;
        this.localSteps = localSteps;
    }

    @Override
    public scala.collection.Iterator<float[]> apply(scala.collection.Iterator<Block> it) {
        ExecutorThreads.configure(); // before the first kernel call of this JVM
        BarrierTaskContext ctx = BarrierTaskContext.get();
        Block block = Tasks.onlyBlock(CollectionConverters.asJava(it));
        long tLoad = System.nanoTime();
        Replicas.Replica r = Replicas.borrow(runId, factory, layout);
        try (PeerLinks links = PeerLinks.open(ctx, rendezvous, firstEpoch)) {
            var control = links.control() == null ? null : new StageControl.TaskSide(links.control(), ctx::isInterrupted);
            Tasks.RoundInput in = input.value();
            for (int epoch = firstEpoch; ; epoch++) {
                layout.load(r.module(), in.state());
                int[] order = Replicas.order(runId, plan, epoch, block.partition());
                Trace trace = new Trace((System.nanoTime() - tLoad) / 1e6f);
                float[] state;
                Map<String, Tensor> optState;
                if (localSteps == 0) {
                    Optimizer opt = copy(r.module(), in.optimizer().toStateDict(), in.lr());
                    synchronous(links, r.module(), opt, block, order, trace);
                    state = layout.flatten(r.module());
                    optState = opt.stateDict();
                } else {
                    Object[] end = localSgd(links, r.module(), in, block, order, trace);
                    state = (float[]) end[0];
                    @SuppressWarnings("unchecked") Map<String, Tensor> s = (Map<String, Tensor>) end[1];
                    optState = s;
                }
                boolean more = control != null && epoch < lastEpoch && !trace.diverged;
                float[] out = null;
                if (ctx.partitionId() == 0 || more) { // partition 0's result; the others start the next epoch from the same
                    int presenceBase = layout.length() + optLayout.length();
                    out = Arrays.copyOf(state, presenceBase + optLayout.keys().length);
                    optLayout.accumulate(optState, 1f, out, layout.length(), presenceBase);
                }
                if (control == null) { // a stage per epoch: the result goes back through collect
                    return CollectionConverters.asScala(ctx.partitionId() != 0 ? Collections.<float[]>emptyIterator()
                            : List.of(trace.appendTo(out)).iterator());
                }
                if (ctx.partitionId() == 0) control.send(epoch, trace.appendTo(out));
                if (!more) return CollectionConverters.asScala(Collections.<float[]>emptyIterator());
                tLoad = System.nanoTime(); // the epoch's "load": waiting for the driver's listeners, then loading
                StageControl.Reply reply = control.await();
                in = reply.input() != null ? reply.input() : StageControl.next(out, layout, optLayout, reply.lr());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException("barrier stage, partition " + block.partition() + ": " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("barrier stage interrupted", e);
        } finally {
            Replicas.giveBack(runId, r);
        }
    }

    private Optimizer copy(Module m, Map<String, Tensor> state, double lr) {
        Optimizer opt = optimizerFactory.create(m.parameters());
        opt.loadStateDict(state);
        opt.setLr(lr);
        return opt;
    }

    /** Every step of the epoch: the local gradient, the exchange, and the same optimizer step as every other task. */
    private void synchronous(PeerLinks links, Module m, Optimizer opt, Block block, int[] order, Trace trace)
            throws java.io.IOException, InterruptedException {
        int p = block.partition();
        int lossAt = layout.length() + layout.names().length;
        float[] out = new float[lossAt + 3];
        for (int step = 0; step < plan.stepsPerEpoch(); step++) {
            int global = plan.globalBatch(step);
            if (global == 0) continue; // as the driver's loop: every task skips the same steps
            Arrays.fill(out, 0);
            long t0 = System.nanoTime();
            int from = plan.sliceStart(p, step), to = plan.sliceEnd(p, step);
            if (to > from) Tasks.gradient(m, loss, layout, block, order, from, to, (float) (to - from) / global, out);
            out[out.length - 1] = (System.nanoTime() - t0) / 1e6f;
            long t1 = System.nanoTime();
            float[] sum = links.sum(out);
            long t2 = System.nanoTime();
            if (!Float.isFinite(sum[lossAt])) { // every task sees the same loss and stops here; the driver reports it
                trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, t2 - t1, links.waitNanos(), 0);
                return;
            }
            layout.applySum(m, sum);
            opt.step();
            trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, t2 - t1, links.waitNanos(),
                    System.nanoTime() - t2);
        }
    }

    /** Every local-SGD round of the epoch; returns the last averaged {model state, optimizer state}. */
    private Object[] localSgd(PeerLinks links, Module m, Tasks.RoundInput in, Block block, int[] order, Trace trace)
            throws java.io.IOException, InterruptedException {
        int p = block.partition();
        int optBase = layout.length(), presenceBase = optBase + optLayout.length();
        int lossAt = presenceBase + optLayout.keys().length;
        float[] out = new float[lossAt + 3];
        float[] state = in.state().clone(); // the last average (the links reuse their sum's array)
        Map<String, Tensor> optState = in.optimizer().toStateDict();
        for (int first = 0; first < plan.stepsPerEpoch(); first += localSteps) {
            int count = Math.min(localSteps, plan.stepsPerEpoch() - first);
            long roundSamples = 0, mine = 0;
            for (int s = first; s < first + count; s++) {
                roundSamples += plan.globalBatch(s);
                mine += plan.localBatch(p, s);
            }
            if (roundSamples == 0) continue;
            Arrays.fill(out, 0);
            long t0 = System.nanoTime();
            if (mine > 0) {
                Tasks.localSteps(m, copy(m, optState, in.lr()), loss, layout, optLayout, block, order, plan, first, count, mine,
                        roundSamples, out);
            }
            out[out.length - 1] = (System.nanoTime() - t0) / 1e6f;
            long t1 = System.nanoTime();
            float[] sum = links.sum(out);
            long t2 = System.nanoTime();
            if (!Float.isFinite(sum[lossAt])) {
                trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, t2 - t1, links.waitNanos(), 0);
                break;
            }
            layout.load(m, sum); // the sample-weighted average, as the driver loads it
            optState = optLayout.average(sum, optBase, presenceBase);
            System.arraycopy(sum, 0, state, 0, layout.length());
            trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, t2 - t1, links.waitNanos(),
                    System.nanoTime() - t2);
        }
        return new Object[] {Arrays.copyOf(state, layout.length()), optState};
    }

    /**
     * What partition 0 reports of each round: the loss and the mean compute over the tasks (from
     * the sum), and its own exchange, wait for the slowest peer, and replica step.
     */
    private static final class Trace {
        static final int PER_ROUND = 5;
        private final float loadMillis;
        private float[] rounds = new float[16 * PER_ROUND];
        private int done;
        boolean diverged; // a round's loss was not finite: every task stopped there

        Trace(float loadMillis) {
            this.loadMillis = loadMillis;
        }

        void round(float loss, float computeMillis, long exchangeNanos, long waitNanos, long stepNanos) {
            if (PER_ROUND * (done + 1) > rounds.length) rounds = Arrays.copyOf(rounds, 2 * rounds.length);
            int at = PER_ROUND * done++;
            if (!Float.isFinite(loss)) diverged = true;
            rounds[at] = loss;
            rounds[at + 1] = computeMillis;
            rounds[at + 2] = exchangeNanos / 1e6f;
            rounds[at + 3] = waitNanos / 1e6f;
            rounds[at + 4] = stepNanos / 1e6f;
        }

        float[] appendTo(float[] head) {
            float[] out = Arrays.copyOf(head, head.length + 2 + PER_ROUND * done);
            out[head.length] = done;
            out[head.length + 1] = loadMillis;
            System.arraycopy(rounds, 0, out, head.length + 2, PER_ROUND * done);
            return out;
        }
    }
}

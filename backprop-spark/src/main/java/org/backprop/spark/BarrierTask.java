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
 * One epoch of training on one partition, as a task of a barrier stage (see {@link BarrierRounds}):
 * every task runs all of the epoch's rounds, exchanging its share with the others over direct
 * links ({@link PeerLinks}) each round instead of returning it to the driver. Every task sums the
 * shares in partition order, so every replica computes the same bits and takes the same step:
 * the weights stay identical everywhere without the driver sending them.
 *
 * <p>The round's share and its sum are laid out as {@link Tasks.GradientTask}'s (synchronous) or
 * {@link Tasks.LocalSgdTask}'s (local SGD) results, so the arithmetic is theirs. Partition 0
 * returns [model state | optimizer state | presence per optimizer key | rounds done | load ms |
 * per round: loss, mean compute ms, exchange ms]; the others return nothing.
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
    private final int epoch;
    private final int localSteps; // 0: synchronous

    BarrierTask(String runId, SerializableSupplier<? extends Module> factory, OptimizerFactory optimizerFactory, Loss loss,
            StateLayout layout, OptimizerStateLayout optLayout, Broadcast<Tasks.RoundInput> input, BatchPlan plan, int epoch,
            int localSteps) {
        this.runId = runId;
        this.factory = factory;
        this.optimizerFactory = optimizerFactory;
        this.loss = loss;
        this.layout = layout;
        this.optLayout = optLayout;
        this.input = input;
        this.plan = plan;
        this.epoch = epoch;
        this.localSteps = localSteps;
    }

    @Override
    public scala.collection.Iterator<float[]> apply(scala.collection.Iterator<Block> it) {
        ExecutorThreads.configure(); // before the first kernel call of this JVM
        BarrierTaskContext ctx = BarrierTaskContext.get();
        Block block = Tasks.onlyBlock(CollectionConverters.asJava(it));
        long tLoad = System.nanoTime();
        Replicas.Replica r = Replicas.borrow(runId, factory, layout);
        try (PeerLinks links = PeerLinks.open(ctx)) {
            Tasks.RoundInput in = input.value();
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
            if (ctx.partitionId() != 0) return CollectionConverters.asScala(Collections.<float[]>emptyIterator());
            int presenceBase = layout.length() + optLayout.length();
            float[] out = Arrays.copyOf(state, presenceBase + optLayout.keys().length);
            optLayout.accumulate(optState, 1f, out, layout.length(), presenceBase);
            return CollectionConverters.asScala(List.of(trace.appendTo(out)).iterator());
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
            trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, (System.nanoTime() - t1) / 1e6f);
            if (!Float.isFinite(sum[lossAt])) return; // every task sees the same loss and stops here; the driver reports it
            layout.applySum(m, sum);
            opt.step();
        }
    }

    /** Every local-SGD round of the epoch; returns the last averaged {model state, optimizer state}. */
    private Object[] localSgd(PeerLinks links, Module m, Tasks.RoundInput in, Block block, int[] order, Trace trace)
            throws java.io.IOException, InterruptedException {
        int p = block.partition();
        int optBase = layout.length(), presenceBase = optBase + optLayout.length();
        int lossAt = presenceBase + optLayout.keys().length;
        float[] out = new float[lossAt + 3];
        float[] state = in.state();
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
            trace.round(sum[lossAt], sum[sum.length - 1] / plan.partitionSizes().length, (System.nanoTime() - t1) / 1e6f);
            if (!Float.isFinite(sum[lossAt])) break;
            layout.load(m, sum); // the sample-weighted average, as the driver loads it
            optState = optLayout.average(sum, optBase, presenceBase);
            state = sum;
        }
        return new Object[] {Arrays.copyOf(state, layout.length()), optState};
    }

    /** What partition 0 reports of each round. */
    private static final class Trace {
        private final float loadMillis;
        private float[] rounds = new float[48];
        private int done;

        Trace(float loadMillis) {
            this.loadMillis = loadMillis;
        }

        void round(float loss, float computeMillis, float exchangeMillis) {
            if (3 * done + 3 > rounds.length) rounds = Arrays.copyOf(rounds, 2 * rounds.length);
            rounds[3 * done] = loss;
            rounds[3 * done + 1] = computeMillis;
            rounds[3 * done + 2] = exchangeMillis;
            done++;
        }

        float[] appendTo(float[] head) {
            float[] out = Arrays.copyOf(head, head.length + 2 + 3 * done);
            out[head.length] = done;
            out[head.length + 1] = loadMillis;
            System.arraycopy(rounds, 0, out, head.length + 2, 3 * done);
            return out;
        }
    }
}

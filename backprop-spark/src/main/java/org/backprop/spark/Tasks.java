package org.backprop.spark;

import java.util.Iterator;
import java.util.List;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.apache.spark.broadcast.Broadcast;
import org.backprop.autograd.GradMode;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/**
 * What runs on the executors: one task per partition and round. Each borrows a model copy from
 * the JVM's {@link Replicas} pool, loads the broadcast weights into it, and returns flat arrays
 * that {@code treeReduce} sums.
 */
final class Tasks {
    private Tasks() {}

    /** What a local-SGD round starts from: the driver's weights, optimizer state and learning rate. */
    @com.esotericsoftware.kryo.DefaultSerializer(com.esotericsoftware.kryo.serializers.JavaSerializer.class)
    record RoundInput(float[] state, OptimizerStateLayout.Flat optimizer, double lr) implements java.io.Serializable {}

    /**
     * Synchronous step, on one partition: the gradient of its share of the global batch, scaled
     * by share/global. Result layout: [state-sized gradients (buffers: their new values, scaled) |
     * one reached-flag per state entry | loss·share | load milliseconds | compute milliseconds]. With
     * {@code batchNorm} (synchronised BatchNorm) its layers use the whole batch's statistics.
     */
    record GradientTask(String runId, SerializableSupplier<? extends Module> factory, Loss loss, StateLayout layout,
            Weights weights, BatchPlan plan, int epoch, int step, SyncBatchNorm.Known batchNorm)
            implements FlatMapFunction<Iterator<Block>, float[]> {

        @Override
        public Iterator<float[]> call(Iterator<Block> it) {
            ExecutorThreads.configure(); // before the first kernel call of this JVM
            Block block = onlyBlock(it);
            int entries = layout.names().length;
            float[] out = new float[layout.length() + entries + 3];
            int p = block.partition();
            int from = plan.sliceStart(p, step), to = plan.sliceEnd(p, step);
            if (to == from) return List.of(out).iterator();
            float share = (float) (to - from) / plan.globalBatch(step);
            long tLoad = System.nanoTime();
            Replicas.Replica r = Replicas.borrow(runId, factory, layout);
            if (batchNorm != null) {
                SyncBatchNorm.Statistics.attach(r.module(), new SyncBatchNorm.Statistics(batchNorm, (double) (to - from) / plan.globalBatch(step)));
            }
            try {
                layout.load(r.module(), weights.value());
                int[] order = Replicas.order(runId, plan, epoch, p);
                long t0 = System.nanoTime();
                out[out.length - 2] = (t0 - tLoad) / 1e6f;
                gradient(r.module(), loss, layout, block, order, from, to, share, out);
                out[out.length - 1] = (System.nanoTime() - t0) / 1e6f;
            } catch (SyncBatchNorm.Stop s) {
                throw new IllegalStateException("a BatchNorm call had no whole-batch statistics in the gradient pass", s);
            } finally {
                if (batchNorm != null) SyncBatchNorm.Statistics.attach(r.module(), null);
                Replicas.giveBack(runId, r);
            }
            return List.of(out).iterator();
        }
    }

    /**
     * The gradient of rows {@code order[from..to)} scaled by {@code share}, into {@code out} as
     * {@link GradientTask} lays it out (gradients or scaled buffers, reached-flags, loss·share).
     */
    static void gradient(Module m, Loss loss, StateLayout layout, Block block, int[] order, int from, int to, float share,
            float[] out) {
        for (Parameter q : m.parameters()) q.value().clearGrad();
        Tensor l = loss.apply(m.forward(block.features(order, from, to)), block.targets(order, from, to));
        requireScalar(l);
        l.backward();
        var named = m.namedParameters();
        int i = 0;
        for (var e : m.stateDict().entrySet()) {
            int off = layout.offsets()[i];
            Tensor src = layout.parameter()[i] ? named.get(e.getKey()).grad() : e.getValue();
            if (src != null) {
                float[] a = src.array();
                int base = src.offset();
                for (int j = 0, n = layout.size(i); j < n; j++) out[off + j] = a[base + j] * share;
                out[layout.length() + i] = 1;
            }
            i++;
        }
        out[layout.length() + layout.names().length] = l.item() * share;
    }

    /**
     * Local-SGD round, on one partition: {@code count} steps from the driver's weights and
     * optimizer state with its own optimizer copy. Result layout, weight = this partition's
     * samples / the round's samples: [model state·weight | optimizer state·weight | weight per
     * optimizer key that this copy has | mean loss·weight | load milliseconds | compute milliseconds].
     */
    record LocalSgdTask(String runId, SerializableSupplier<? extends Module> factory, OptimizerFactory optimizerFactory,
            Loss loss, StateLayout layout, OptimizerStateLayout optLayout, Broadcast<RoundInput> input, BatchPlan plan,
            int epoch, int first, int count, long roundSamples) implements FlatMapFunction<Iterator<Block>, float[]> {

        @Override
        public Iterator<float[]> call(Iterator<Block> it) {
            ExecutorThreads.configure(); // before the first kernel call of this JVM
            Block block = onlyBlock(it);
            int optBase = layout.length(), presenceBase = optBase + optLayout.length();
            int lossAt = presenceBase + optLayout.keys().length;
            float[] out = new float[lossAt + 3];
            int p = block.partition();
            long mine = 0;
            for (int s = first; s < first + count; s++) mine += plan.localBatch(p, s);
            if (mine == 0) return List.of(out).iterator();
            long tLoad = System.nanoTime();
            Replicas.Replica r = Replicas.borrow(runId, factory, layout);
            try {
                RoundInput in = input.value();
                layout.load(r.module(), in.state());
                Optimizer opt = optimizerFactory.create(r.module().parameters());
                opt.loadStateDict(in.optimizer().toStateDict());
                opt.setLr(in.lr());
                int[] order = Replicas.order(runId, plan, epoch, p);
                long t0 = System.nanoTime();
                out[lossAt + 1] = (t0 - tLoad) / 1e6f;
                localSteps(r.module(), opt, loss, layout, optLayout, block, order, plan, first, count, mine, roundSamples, out);
                out[lossAt + 2] = (System.nanoTime() - t0) / 1e6f;
            } finally {
                Replicas.giveBack(runId, r);
            }
            return List.of(out).iterator();
        }
    }

    /**
     * {@code count} local steps from step {@code first} of partition {@code block}, then its state
     * weighted by mine/roundSamples into {@code out} as {@link LocalSgdTask} lays it out.
     */
    static void localSteps(Module m, Optimizer opt, Loss loss, StateLayout layout, OptimizerStateLayout optLayout, Block block,
            int[] order, BatchPlan plan, int first, int count, long mine, long roundSamples, float[] out) {
        int p = block.partition();
        double lossSum = 0;
        for (int s = first; s < first + count; s++) {
            int from = plan.sliceStart(p, s), to = plan.sliceEnd(p, s);
            if (to == from) continue;
            opt.zeroGrad();
            Tensor l = loss.apply(m.forward(block.features(order, from, to)), block.targets(order, from, to));
            requireScalar(l);
            l.backward();
            opt.step();
            lossSum += (double) l.item() * (to - from);
        }
        float weight = (float) ((double) mine / roundSamples);
        layout.flattenScaled(m, weight, out); // straight into the share: no state-sized array per round
        int optBase = layout.length(), presenceBase = optBase + optLayout.length();
        optLayout.accumulate(opt.stateDict(), weight, out, optBase, presenceBase);
        out[presenceBase + optLayout.keys().length] = (float) (lossSum / roundSamples);
    }

    /** Loss sum, correct predictions, samples, and whether targets were class labels, of one partition. */
    record EvaluateTask(String runId, SerializableSupplier<? extends Module> factory, Loss loss, StateLayout layout,
            Broadcast<float[]> weights) implements FlatMapFunction<Iterator<Block>, double[]> {
        private static final int CHUNK = 1024;

        @Override
        public Iterator<double[]> call(Iterator<Block> it) {
            ExecutorThreads.configure(); // before the first kernel call of this JVM
            Block block = onlyBlock(it);
            double[] out = new double[4];
            if (block.rows() == 0) return List.of(out).iterator();
            Replicas.Replica r = Replicas.borrow(runId, factory, layout);
            try (var _ = GradMode.noGrad()) {
                layout.load(r.module(), weights.value());
                r.module().eval();
                int[] order = new int[block.rows()];
                for (int i = 0; i < order.length; i++) order[i] = i;
                for (int from = 0; from < block.rows(); from += CHUNK) {
                    int to = Math.min(block.rows(), from + CHUNK);
                    Tensor y = block.targets(order, from, to);
                    Tensor pred = r.module().forward(block.features(order, from, to));
                    Tensor l = loss.apply(pred, y);
                    requireScalar(l);
                    out[0] += (double) l.item() * (to - from);
                    if (block.classLabels()) {
                        Tensor guess = pred.argmax(-1, false);
                        for (int i = 0; i < to - from; i++) if (guess.get(i) == y.get(i)) out[1]++;
                    }
                }
                out[2] = block.rows();
                out[3] = block.classLabels() ? 1 : 0;
            } finally {
                r.module().train();
                Replicas.giveBack(runId, r);
            }
            return List.of(out).iterator();
        }
    }

    static Block onlyBlock(Iterator<Block> it) {
        if (!it.hasNext()) throw new IllegalStateException("a training partition holds no block");
        Block b = it.next();
        // asking once more ends the cached block's iterator, which releases Spark's read lock on it now
        if (it.hasNext()) throw new IllegalStateException("a training partition holds more than one block");
        return b;
    }

    static void requireScalar(Tensor l) {
        if (l.numel() != 1) {
            throw new IllegalArgumentException("the loss returned a tensor of shape " + java.util.Arrays.toString(l.shape())
                    + "; it must return a scalar (mean over the batch)");
        }
    }

    static float[] sumInPlace(float[] a, float[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }

    static double[] sumInPlace(double[] a, double[] b) {
        for (int i = 0; i < a.length; i++) a[i] += b[i];
        return a;
    }
}

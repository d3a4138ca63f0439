package org.backprop.spark;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction;
import org.backprop.loss.Loss;
import org.backprop.nn.BatchNorm;
import org.backprop.nn.Module;
import org.backprop.tensor.Tensor;

/**
 * Synchronised batch normalisation for synchronous mode: every BatchNorm call normalises with
 * the statistics of the whole global batch and back-propagates with its whole-batch gradient
 * sums, so training matches one machine. Spark has no collective inside a task, so each such
 * exchange is a job of its own, by recomputation: a phase replays the forward (and backward)
 * pass with every whole-batch quantity found so far, and stops at the first one still unknown,
 * returning this slice's sums for it; the driver adds them up and runs the next phase. A model
 * with L BatchNorm calls takes 2L phases before the gradient job, one fewer for each BatchNorm
 * whose input needs no gradient (one on the model's input). A model without BatchNorm runs none.
 *
 * <p>Phase results are [kind, call, values...] in double: kind 1 is a forward call's
 * [count, Σx per channel, Σx² per channel, 1 if its backward needs an exchange]; kind 2 a
 * backward call's [Σg, Σg·x̂] scaled to the global batch's mean loss; kind 3 says the pass ran
 * through (nothing left to exchange: only when no backward exchange is needed at all).
 */
final class SyncBatchNorm {
    private SyncBatchNorm() {}

    static final int FORWARD = 1, BACKWARD = 2, COMPLETE = 3;

    /** What the driver knows of a step: per forward call [count, mean C, var C]; per backward call [Σg C, Σg·x̂ C] or null. */
    record Known(List<double[]> forward, List<double[]> backward) implements Serializable {
        static Known none() {
            return new Known(List.of(), List.of());
        }

        double[] backwardOf(int call) {
            return call < backward.size() ? backward.get(call) : null;
        }
    }

    /** Whether the model has any BatchNorm layer (only then are there statistics to exchange). */
    static boolean present(Module m) {
        return !layers(m).isEmpty();
    }

    static List<BatchNorm> layers(Module m) {
        List<BatchNorm> out = new ArrayList<>();
        collect(m, out);
        return out;
    }

    private static void collect(Module m, List<BatchNorm> out) {
        if (m instanceof BatchNorm b) out.add(b);
        for (Module c : m.children().values()) collect(c, out);
    }

    /**
     * Runs the exchange phases of one step and returns the whole batch's quantities. {@code phase}
     * builds the task of a phase from what is known so far.
     */
    static Known exchange(JavaRDD<Block> blocks, Function<Known, FlatMapFunction<Iterator<Block>, double[]>> phase, int depth) {
        List<double[]> forward = new ArrayList<>(), backward = new ArrayList<>();
        List<Integer> needed = new ArrayList<>(); // forward calls whose backward exchanges
        boolean forwardDone = false;
        while (true) {
            Known known = new Known(List.copyOf(forward), new ArrayList<>(backward));
            if (forwardDone && needed.stream().allMatch(k -> known.backwardOf(k) != null)) return known;
            double[] r = blocks.mapPartitions(phase.apply(known)).treeReduce(SyncBatchNorm::combine, depth);
            if (r.length == 0 || r[0] == COMPLETE) return known;
            int call = (int) r[1];
            if (r[0] == FORWARD) {
                if (call != forward.size()) throw new IllegalStateException("BatchNorm call " + call + " out of order");
                int c = (r.length - 4) / 2;
                if (r[r.length - 1] > 0) needed.add(call);
                double count = r[2];
                double[] whole = new double[1 + 2 * c];
                whole[0] = count;
                for (int ch = 0; ch < c; ch++) {
                    double mean = r[3 + ch] / count;
                    whole[1 + ch] = mean;
                    whole[1 + c + ch] = Math.max(0, r[3 + c + ch] / count - mean * mean);
                }
                forward.add(whole);
            } else {
                forwardDone = true;
                while (backward.size() <= call) backward.add(null);
                backward.set(call, java.util.Arrays.copyOfRange(r, 2, r.length));
            }
        }
    }

    /** Sums two phase results; an empty slice's result is empty. */
    static double[] combine(double[] a, double[] b) {
        if (a.length == 0) return b;
        if (b.length == 0) return a;
        if (a.length != b.length || a[0] != b[0] || a[1] != b[1]) {
            throw new IllegalStateException("partitions stopped at different BatchNorm calls (kind " + a[0] + " call " + a[1]
                    + " against kind " + b[0] + " call " + b[1] + "): the model's BatchNorm calls must not depend on the data");
        }
        for (int i = 2; i < a.length; i++) a[i] += b[i];
        return a;
    }

    /** Stops a phase's pass at the first unknown exchange, carrying this slice's sums. */
    static final class Stop extends RuntimeException {
        final double[] result;

        Stop(double[] result) {
            super(null, null, false, false);
            this.result = result;
        }
    }

    /** The executor's side: replays {@code known} in call order and stops at the first unknown quantity. */
    static final class Statistics implements BatchNorm.BatchStatistics {
        private final Known known;
        private final double share; // this slice's samples over the global batch's
        private int calls;

        Statistics(Known known, double share) {
            this.known = known;
            this.share = share;
        }

        /** Routes every BatchNorm of {@code m} through this (or back to per-slice statistics with null). */
        static void attach(Module m, Statistics s) {
            for (BatchNorm b : layers(m)) b.synchronise(s);
        }

        @Override
        public Combined combine(long count, double[] sum, double[] sumSquares, boolean backward) {
            int call = calls++;
            int c = sum.length;
            if (call >= known.forward().size()) {
                double[] r = new double[4 + 2 * c];
                r[0] = FORWARD;
                r[1] = call;
                r[2] = count;
                System.arraycopy(sum, 0, r, 3, c);
                System.arraycopy(sumSquares, 0, r, 3 + c, c);
                r[3 + 2 * c] = backward ? 1 : 0; // the same on every slice: summed, still > 0
                throw new Stop(r);
            }
            double[] w = known.forward().get(call);
            double[] mean = java.util.Arrays.copyOfRange(w, 1, 1 + c), var = java.util.Arrays.copyOfRange(w, 1 + c, 1 + 2 * c);
            return new Combined() {
                public long count() { return (long) w[0]; }
                public double[] mean() { return mean; }
                public double[] variance() { return var; }

                public double[][] combineGradients(double[] sumG, double[] sumGXhat) {
                    double[] whole = known.backwardOf(call);
                    if (whole == null) {
                        double[] r = new double[2 + 2 * c];
                        r[0] = BACKWARD;
                        r[1] = call;
                        for (int ch = 0; ch < c; ch++) {
                            r[2 + ch] = sumG[ch] * share;
                            r[2 + c + ch] = sumGXhat[ch] * share;
                        }
                        throw new Stop(r);
                    }
                    double[] g = new double[c], gx = new double[c];
                    for (int ch = 0; ch < c; ch++) {
                        g[ch] = whole[ch] / share;
                        gx[ch] = whole[c + ch] / share;
                    }
                    return new double[][] {g, gx};
                }
            };
        }
    }

    /** One phase on one partition: forward, loss and backward of its slice until the first unknown exchange. */
    record PhaseTask(String runId, SerializableSupplier<? extends Module> factory, Loss loss, StateLayout layout,
            Weights weights, BatchPlan plan, int epoch, int step, Known known)
            implements FlatMapFunction<Iterator<Block>, double[]> {

        @Override
        public Iterator<double[]> call(Iterator<Block> it) {
            ExecutorThreads.configure();
            Block block = Tasks.onlyBlock(it);
            int p = block.partition();
            int from = plan.sliceStart(p, step), to = plan.sliceEnd(p, step);
            if (to == from) return List.of(new double[0]).iterator();
            Replicas.Replica r = Replicas.borrow(runId, factory, layout);
            Statistics stats = new Statistics(known, (double) (to - from) / plan.globalBatch(step));
            Statistics.attach(r.module(), stats);
            try {
                layout.load(r.module(), weights.value());
                int[] order = Replicas.order(runId, plan, epoch, p);
                Tensor l = loss.apply(r.module().forward(block.features(order, from, to)), block.targets(order, from, to));
                Tasks.requireScalar(l);
                l.backward();
                return List.of(new double[] {COMPLETE, -1}).iterator();
            } catch (Stop s) {
                return List.of(s.result).iterator();
            } finally {
                Statistics.attach(r.module(), null);
                for (var q : r.module().parameters()) q.value().clearGrad();
                Replicas.giveBack(runId, r);
            }
        }
    }
}

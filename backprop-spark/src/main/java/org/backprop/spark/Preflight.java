package org.backprop.spark;

import java.io.IOException;
import java.io.ObjectOutputStream;
import java.io.OutputStream;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.optim.Optimizer;

/** Checks the driver makes before Spark sees anything, so that errors name the problem. */
final class Preflight {
    private Preflight() {}

    /** Whether an RDD's lineage starts at {@code sc.parallelize} (rows carried inside its partitions). */
    static boolean comesFromDriverCollection(org.apache.spark.rdd.RDD<?> rdd) {
        if (rdd.getClass().getName().equals("org.apache.spark.rdd.ParallelCollectionRDD")) return true;
        var deps = rdd.dependencies().iterator();
        while (deps.hasNext()) {
            if (comesFromDriverCollection(deps.next().rdd())) return true;
        }
        return false;
    }

    /**
     * Batch normalisation computes its statistics over each partition's slice (as PyTorch's DDP
     * without SyncBatchNorm does), so a BatchNorm1d on [n, C] rows fails on a slice of one row.
     * Says so before the job, naming the step, instead of a task failure deep in Spark.
     */
    static void requireBatchNormSlices(Module model, BatchPlan plan) {
        if (!containsBatchNorm1d(model)) return;
        int[] sizes = plan.partitionSizes();
        for (int step = 0; step < plan.stepsPerEpoch(); step++) {
            for (int p = 0; p < sizes.length; p++) {
                if (plan.localBatch(p, step) == 1) {
                    throw new IllegalArgumentException("SparkTrainer.fit: the model has BatchNorm1d, whose batch statistics are"
                            + " computed per partition, and partition " + p + " (" + sizes[p] + " rows) gets 1 sample in step "
                            + (step + 1) + " of global batch " + plan.globalBatchSize() + " over " + sizes.length
                            + " partitions; use a global batch of at least 2 samples per partition, or fewer partitions");
                }
            }
        }
    }

    private static boolean containsBatchNorm1d(Module m) {
        if (m instanceof org.backprop.nn.BatchNorm1d) return true;
        for (Module c : m.children().values()) if (containsBatchNorm1d(c)) return true;
        return false;
    }

    static void requireOwnParameters(Module model, Optimizer optimizer) {
        if (optimizer == null) throw new IllegalArgumentException("SparkTrainer: an optimizer is required");
        var own = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<Parameter, Boolean>());
        own.addAll(model.parameters());
        for (Parameter p : optimizer.parameters()) {
            if (!own.contains(p)) {
                throw new IllegalArgumentException("SparkTrainer: the optimizer updates a parameter (" + p
                        + ") that is not in the model being trained; build it from model.parameters()");
            }
        }
    }

    /** Fails early, naming the culprit, instead of Spark's "Task not serializable" deep in a job. */
    static void requireSerializable(Object o, String what) {
        try (var out = new ObjectOutputStream(OutputStream.nullOutputStream())) {
            out.writeObject(o);
        } catch (IOException e) {
            throw new IllegalArgumentException(what + " cannot be sent to the executors: " + e
                    + ". A lambda is serialisable when its type is (SerializableSupplier, Loss, OptimizerFactory) and"
                    + " everything it captures is; capture seeds and sizes, not models or optimizers", e);
        }
    }

    /** Warns when a partition's per-round result is too big for Spark's direct result path. */
    static void warnIfResultsAreLarge(org.apache.spark.api.java.JavaSparkContext sc, StateLayout layout, int optimizerStateLength) {
        long bytes = 4L * ((long) layout.length() + optimizerStateLength) + 64;
        long limit = sc.getConf().getSizeAsBytes("spark.task.maxDirectResultSize", "1m");
        if (bytes > limit) {
            org.slf4j.LoggerFactory.getLogger(SparkTrainer.class).warn("each partition returns {} bytes per round, over"
                    + " spark.task.maxDirectResultSize ({} bytes): results go through the block manager, which is slower."
                    + " Raise it (below spark.rpc.message.maxSize)", bytes, limit);
        }
    }
}

package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Random;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.junit.jupiter.api.Test;

/**
 * Synchronised BatchNorm (the default) trains as one machine does on any partitioning, running
 * statistics included; per-partition statistics stay an option, equal to one machine with one
 * partition, and there slices too small for statistics fail early.
 */
class BatchNormTest {
    /** BatchNorm on the input (its backward needs no exchange) and after a hidden layer (it does). */
    private static final SerializableSupplier<Module> TWO_NORMS = () -> {
        Random rng = new Random(7);
        return new Sequential(new BatchNorm1d(6), new Linear(6, 16, rng), new BatchNorm1d(16), new Activation.ReLU(),
                new Linear(16, 3, rng));
    };

    @Test
    void synchronisedStatisticsOnThreePartitionsMatchOneMachine() {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> samples = Fixtures.blobs(60, 6, 3, 0.8, false, 3);
        JavaRDD<Sample> rdd = sc.parallelize(samples, 3);
        List<List<Sample>> parts = rdd.glom().collect();
        // a global batch of 7 over 3 partitions of 20: slices of 2 and 3 rows, too small to normalise alone
        var config = SparkTrainConfig.defaults().epochs(1).globalBatchSize(7).seed(6); // 9 steps
        Module distributed = TWO_NORMS.get();
        var result = new SparkTrainer(sc, distributed, TWO_NORMS, new CrossEntropyLoss(),
                new SGD(distributed.parameters(), SGD.Options.defaults().lr(0.1).momentum(0.9))).fit(rdd, config);

        Module local = TWO_NORMS.get();
        BatchPlan plan = new BatchPlan(6, true, parts.stream().mapToInt(List::size).toArray(), 7);
        Fixtures.trainLocally(parts, plan, 1, local, new CrossEntropyLoss(), new SGD(local.parameters(), SGD.Options.defaults().lr(0.1).momentum(0.9)));
        assertTrue(Fixtures.maxDifference(local, TWO_NORMS.get()) > 0.05, "training should move the weights and statistics");
        double diff = Fixtures.maxDifference(distributed, local); // running_mean, running_var, num_batches_tracked too
        assertTrue(diff <= 1e-5, "max state difference " + diff);
        // two forward exchanges, one backward one (the input's BatchNorm needs none), and the gradient job
        assertEquals(4, result.rounds().getFirst().parts().jobs());
    }

    @Test
    void perPartitionStatisticsDifferFromOneMachine() {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> samples = Fixtures.blobs(90, 6, 3, 0.8, false, 3);
        JavaRDD<Sample> rdd = sc.parallelize(samples, 3);
        List<List<Sample>> parts = rdd.glom().collect();
        var config = SparkTrainConfig.defaults().epochs(1).globalBatchSize(12).seed(6).mode(Mode.synchronousPerPartitionBatchNorm());
        Module distributed = TWO_NORMS.get();
        var result = new SparkTrainer(sc, distributed, TWO_NORMS, new CrossEntropyLoss(), new SGD(distributed.parameters(), 0.1))
                .fit(rdd, config);
        Module local = TWO_NORMS.get();
        BatchPlan plan = new BatchPlan(6, true, parts.stream().mapToInt(List::size).toArray(), 12);
        Fixtures.trainLocally(parts, plan, 1, local, new CrossEntropyLoss(), new SGD(local.parameters(), 0.1));
        assertTrue(Fixtures.maxDifference(distributed, local) > 1e-3, "per-partition statistics are not the whole batch's");
        assertEquals(1, result.rounds().getFirst().parts().jobs());
    }
    private static final SerializableSupplier<Module> FACTORY = () -> {
        Random rng = new Random(5);
        return new Sequential(new Linear(6, 16, rng), new BatchNorm1d(16), new Activation.ReLU(), new Linear(16, 3, rng));
    };

    @Test
    void onePartitionEqualsSingleMachineWithRunningStatistics() {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> samples = Fixtures.blobs(150, 6, 3, 0.8, false, 9);
        JavaRDD<Sample> rdd = sc.parallelize(samples, 1);
        Module distributed = FACTORY.get();
        new SparkTrainer(sc, distributed, FACTORY, new CrossEntropyLoss(), new SGD(distributed.parameters(), 0.1))
                .fit(rdd, SparkTrainConfig.defaults().epochs(2).globalBatchSize(32).seed(4).mode(Mode.synchronousPerPartitionBatchNorm()));

        Module local = FACTORY.get();
        Fixtures.trainLocally(List.of(samples), new BatchPlan(4, true, new int[] {150}, 32), 2, local, new CrossEntropyLoss(),
                new SGD(local.parameters(), 0.1));
        assertTrue(Fixtures.maxDifference(local, FACTORY.get()) > 0.05, "training should move the weights and statistics");
        double diff = Fixtures.maxDifference(distributed, local); // running_mean, running_var, num_batches_tracked too
        assertTrue(diff <= 1e-5, "max state difference " + diff);
    }

    @Test
    void twoPartitionsTrainWithPerPartitionStatistics() {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> samples = Fixtures.blobs(200, 6, 3, 0.8, false, 2);
        Module model = FACTORY.get();
        var r = new SparkTrainer(sc, model, FACTORY, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1))
                .fit(sc.parallelize(samples, 2), SparkTrainConfig.defaults().epochs(3).globalBatchSize(40)
                        .mode(Mode.synchronousPerPartitionBatchNorm()));
        assertTrue(r.epochLoss().getLast() < r.epochLoss().getFirst() * 0.7, "epoch losses " + r.epochLoss());
        model.eval();
        assertTrue(Fixtures.accuracy(model, samples) > 0.9, "accuracy in evaluation mode (running statistics)");
    }

    @Test
    void aSliceOfOneRowIsReportedBeforeTheJobWithPerPartitionStatistics() {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        var trainer = new SparkTrainer(sc, model, FACTORY, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1));
        JavaRDD<Sample> rdd = sc.parallelize(Fixtures.blobs(40, 6, 3, 0.8, false, 2), 4);
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(rdd,
                SparkTrainConfig.defaults().globalBatchSize(6).mode(Mode.synchronousPerPartitionBatchNorm())));
        assertTrue(e.getMessage().contains("BatchNorm1d") && e.getMessage().contains("gets 1 sample in step 1"), e.getMessage());
        // synchronised statistics have the whole batch of 6 to normalise with
        var r = trainer.fit(rdd, SparkTrainConfig.defaults().globalBatchSize(6));
        assertTrue(Double.isFinite(r.epochLoss().getFirst()), "epoch loss " + r.epochLoss());
    }
}

package org.backprop.spark;

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
 * BatchNorm's statistics are per partition (documented); with one partition that is exactly
 * single-machine training, buffers included, and slices too small for statistics fail early.
 */
class BatchNormTest {
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
                .fit(rdd, SparkTrainConfig.defaults().epochs(2).globalBatchSize(32).seed(4));

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
                .fit(sc.parallelize(samples, 2), SparkTrainConfig.defaults().epochs(3).globalBatchSize(40));
        assertTrue(r.epochLoss().getLast() < r.epochLoss().getFirst() * 0.7, "epoch losses " + r.epochLoss());
        model.eval();
        assertTrue(Fixtures.accuracy(model, samples) > 0.9, "accuracy in evaluation mode (running statistics)");
    }

    @Test
    void aSliceOfOneRowIsReportedBeforeTheJob() {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        var trainer = new SparkTrainer(sc, model, FACTORY, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1));
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(
                sc.parallelize(Fixtures.blobs(40, 6, 3, 0.8, false, 2), 4), SparkTrainConfig.defaults().globalBatchSize(6)));
        assertTrue(e.getMessage().contains("BatchNorm1d") && e.getMessage().contains("gets 1 sample in step 1"), e.getMessage());
    }
}

package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.loss.Loss;
import org.backprop.loss.MSELoss;
import org.backprop.nn.Module;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.junit.jupiter.api.Test;

/** Synchronous data parallelism must reproduce single-machine training on the same global batches. */
class SynchronousTrainingTest {
    private static final SerializableSupplier<Module> FACTORY = Fixtures.mlp(6, 16, 3, 42);

    private static SGD sgd(Module m) {
        return new SGD(m.parameters(), SGD.Options.defaults().lr(0.1).momentum(0.9).weightDecay(1e-4));
    }

    /** Trains with Spark and on one machine from the same start and the same batches; returns the max weight difference. */
    private static double compare(int partitions, int batch, int epochs) {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> samples = Fixtures.blobs(203, 6, 3, 0.8, false, 7); // 203: uneven partitions and a ragged last batch
        JavaRDD<Sample> rdd = sc.parallelize(samples, partitions);
        Loss loss = new CrossEntropyLoss();
        var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch).seed(3);

        Module distributed = FACTORY.get();
        Optimizer opt = sgd(distributed);
        SparkTrainResult result = new SparkTrainer(sc, distributed, FACTORY, loss, opt).fit(rdd, config);

        List<List<Sample>> parts = rdd.glom().collect();
        int[] sizes = parts.stream().mapToInt(List::size).toArray();
        BatchPlan plan = new BatchPlan(3, true, sizes, batch);
        Module local = FACTORY.get();
        Optimizer localOpt = sgd(local);
        Fixtures.trainLocally(parts, plan, epochs, local, loss, localOpt);

        assertEquals((long) epochs * plan.stepsPerEpoch(), result.steps());
        assertEquals(localOpt.stepCount(), opt.stepCount());
        assertEquals(epochs, result.epochLoss().size());
        assertTrue(Fixtures.maxDifference(local, FACTORY.get()) > 0.05, "training should move the weights");
        for (RoundStats r : result.rounds()) { // the parts are timed inside the round and add up to no more than it
            var p = r.parts();
            assertEquals(1, p.jobs(), "a model without BatchNorm runs one job a step");
            assertTrue(r.computeNanos() > 0 && p.broadcastNanos() > 0 && p.jobNanos() > 0 && p.driverNanos() > 0, r.toString());
            assertTrue(p.broadcastNanos() + p.jobNanos() + p.driverNanos() <= r.wallNanos(), r.toString());
            assertTrue(r.computeNanos() + p.loadNanos() <= p.jobNanos(), r.toString());
        }
        RoundCost cost = result.cost(1);
        assertEquals(result.rounds().size() - 1, cost.rounds());
        assertTrue(cost.toString().contains("compute"), cost.toString());
        return Fixtures.maxDifference(distributed, local);
    }

    @Test
    void onePartitionEqualsSingleMachineTraining() {
        double diff = compare(1, 32, 2);
        assertTrue(diff <= 1e-5, "max weight difference " + diff);
    }

    @Test
    void twoPartitionsEqualSingleMachineTrainingOnTheSameGlobalBatches() {
        double diff = compare(2, 32, 2);
        assertTrue(diff <= 1e-5, "max weight difference " + diff);
    }

    @Test
    void regressionLossFallsAndRoundsAreReported() {
        JavaSparkContext sc = SharedSpark.context();
        JavaRDD<Sample> rdd = sc.parallelize(Fixtures.blobs(200, 6, 3, 0.5, true, 1), 2); // one-hot rows as regression targets
        Module model = FACTORY.get();
        List<Double> seen = new java.util.ArrayList<>();
        var result = new SparkTrainer(sc, model, FACTORY, new MSELoss(), sgd(model))
                .listener(new TrainingListener() {
                    @Override
                    public void onEpochEnd(int epoch, double meanLoss, Module m, Optimizer o) {
                        seen.add(meanLoss);
                    }
                })
                .fit(rdd, SparkTrainConfig.defaults().epochs(3).globalBatchSize(50));
        assertEquals(result.epochLoss(), seen);
        assertTrue(result.epochLoss().getLast() < result.epochLoss().getFirst() * 0.8, "epoch losses " + result.epochLoss());
        assertEquals(12, result.rounds().size());
        RoundStats r = result.rounds().getLast();
        assertEquals(3, r.epoch());
        assertEquals(50, r.samples());
        assertEquals(4L * model.parameterCount(), r.bytesOut());
        assertTrue(r.wallNanos() > 0 && r.computeNanos() > 0);
    }
}

package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.autograd.GradMode;
import org.backprop.loss.Loss;
import org.backprop.nn.Module;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Local SGD: exact in its degenerate case, and as accurate as single-machine training on a real task. */
class LocalSgdTest {

    @Test
    void oneLocalStepOfPlainSgdIsSynchronousTraining() {
        JavaSparkContext sc = SharedSpark.context();
        SerializableSupplier<Module> factory = Fixtures.mlp(6, 16, 3, 5);
        JavaRDD<Sample> rdd = sc.parallelize(Fixtures.blobs(150, 6, 3, 0.8, true, 11), 2);
        var base = SparkTrainConfig.defaults().epochs(2).globalBatchSize(25).seed(9);

        Module sync = factory.get();
        new SparkTrainer(sc, base).fit(rdd, sync, factory, Fixtures.mse(), new SGD(sync.parameters(), 0.2));
        Module local = factory.get();
        var result = new SparkTrainer(sc, base.mode(Mode.localSgd(1, p -> new SGD(p, 0.2))))
                .fit(rdd, local, factory, Fixtures.mse(), new SGD(local.parameters(), 0.2));

        assertEquals(12, result.rounds().size());
        double diff = Fixtures.maxDifference(sync, local);
        assertTrue(diff <= 1e-5, "averaging after every plain SGD step should equal synchronous training; max difference " + diff);
    }

    @Test
    void localSgdReachesSingleMachineAccuracy() {
        JavaSparkContext sc = SharedSpark.context();
        List<Sample> all = Fixtures.blobs(1200, 10, 5, 2.0, true, 21); // overlapping blobs: accuracy well below 100%
        List<Sample> train = all.subList(0, 1000), test = all.subList(1000, 1200);
        SerializableSupplier<Module> factory = Fixtures.mlp(10, 32, 5, 8);
        Loss loss = crossEntropyOneHot();
        int epochs = 8, batch = 32;

        Module single = factory.get();
        Optimizer opt = new SGD(single.parameters(), 0.05, 0.9, 0, 0, false);
        BatchPlan plan = new BatchPlan(1, true, new int[] {train.size()}, batch);
        Fixtures.trainLocally(List.of(train), plan, epochs, single, loss, opt);

        Module distributed = factory.get();
        JavaRDD<Sample> rdd = sc.parallelize(train, 2);
        var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch).seed(1)
                .mode(Mode.localSgd(8, p -> new SGD(p, 0.05, 0.9, 0, 0, false)));
        var result = new SparkTrainer(sc, config).fit(rdd, distributed, factory, loss,
                new SGD(distributed.parameters(), 0.05, 0.9, 0, 0, false));

        double a1 = accuracy(single, test), a2 = accuracy(distributed, test);
        System.out.printf("local SGD accuracy %.3f, single machine %.3f, %d rounds, %.1f ms/round%n", a2, a1, result.rounds().size(), result.meanRoundMillis(2));
        assertTrue(a1 > 0.6, "the single-machine baseline should learn the task, accuracy " + a1);
        assertTrue(Math.abs(a1 - a2) <= 0.02 || a2 > a1, "local SGD accuracy " + a2 + " vs single machine " + a1);
        assertEquals((long) epochs * plan.stepsPerEpoch(), result.steps());
    }

    /** Cross-entropy of logits against one-hot rows, from tensor operations. */
    static Loss crossEntropyOneHot() {
        return (logits, y) -> logits.logSoftmax(1).mul(y).sum(1, false).mean().neg();
    }

    static double accuracy(Module model, List<Sample> data) {
        try (var s = GradMode.noGrad()) {
            Tensor out = model.forward(Fixtures.features(data));
            int correct = 0;
            for (int i = 0; i < data.size(); i++) {
                float[] y = data.get(i).target();
                int label = 0;
                for (int k = 1; k < y.length; k++) if (y[k] > y[label]) label = k;
                if ((int) out.slice(0, i, i + 1).argmax() == label) correct++;
            }
            return (double) correct / data.size();
        }
    }
}

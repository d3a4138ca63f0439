package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.loss.Loss;
import org.backprop.loss.MSELoss;
import org.backprop.nn.Module;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.junit.jupiter.api.Test;

/** Local SGD: exact in its degenerate cases, and as accurate as single-machine training on the digits. */
class LocalSgdTest {

    @Test
    void oneLocalStepOfPlainSgdIsSynchronousTraining() {
        JavaSparkContext sc = SharedSpark.context();
        SerializableSupplier<Module> factory = Fixtures.mlp(6, 16, 3, 5);
        JavaRDD<Sample> rdd = sc.parallelize(Fixtures.blobs(150, 6, 3, 0.8, true, 11), 2);
        var base = SparkTrainConfig.defaults().epochs(2).globalBatchSize(25).seed(9);

        Module sync = factory.get();
        new SparkTrainer(sc, sync, factory, new MSELoss(), new SGD(sync.parameters(), 0.2)).fit(rdd, base);
        Module local = factory.get();
        var result = new SparkTrainer(sc, local, factory, new MSELoss(), new SGD(local.parameters(), 0.2))
                .fit(rdd, base.mode(Mode.localSgd(1, p -> new SGD(p, 0.2))));

        assertEquals(12, result.rounds().size());
        double diff = Fixtures.maxDifference(sync, local);
        assertTrue(diff <= 1e-5, "averaging after every plain SGD step should equal synchronous training; max difference " + diff);
    }

    /** With one partition the averages are the copy itself: Adam's moments must survive the trip through the driver. */
    @Test
    void onePartitionCarriesAdamStateAcrossRounds() {
        JavaSparkContext sc = SharedSpark.context();
        SerializableSupplier<Module> factory = Fixtures.mlp(6, 16, 3, 6);
        List<Sample> samples = Fixtures.blobs(120, 6, 3, 0.8, false, 12);
        JavaRDD<Sample> rdd = sc.parallelize(samples, 1);
        Loss loss = new CrossEntropyLoss();

        Module distributed = factory.get();
        Adam opt = new Adam(distributed.parameters(), 0.01);
        new SparkTrainer(sc, distributed, factory, loss, opt)
                .fit(rdd, SparkTrainConfig.defaults().epochs(2).globalBatchSize(20).seed(4).mode(Mode.localSgd(3, p -> new Adam(p, 0.01))));

        Module single = factory.get();
        Adam singleOpt = new Adam(single.parameters(), 0.01);
        Fixtures.trainLocally(List.of(samples), new BatchPlan(4, true, new int[] {120}, 20), 2, single, loss, singleOpt);

        double diff = Fixtures.maxDifference(distributed, single);
        assertTrue(diff <= 1e-5, "max weight difference " + diff);
        assertEquals(singleOpt.stepCount(), opt.stepCount());
        var a = opt.stateDict();
        var b = singleOpt.stateDict();
        assertEquals(b.keySet(), a.keySet());
        for (String key : b.keySet()) assertTrue(a.get(key).allClose(b.get(key), 1e-4, 1e-6), "optimizer state " + key);
    }

    @Test
    void localSgdReachesSingleMachineAccuracyOnDigits() {
        JavaSparkContext sc = SharedSpark.context();
        Dataset.Split split = BuiltinDatasets.digits().split(0.2, 1);
        List<Sample> train = SparkData.samples(split.train());
        List<Sample> test = SparkData.samples(split.test());
        SerializableSupplier<Module> factory = Fixtures.mlp(64, 32, 10, 8);
        Loss loss = new CrossEntropyLoss();
        int epochs = 8, batch = 32;

        Module single = factory.get();
        Optimizer opt = new Adam(single.parameters(), 3e-3);
        BatchPlan plan = new BatchPlan(1, true, new int[] {train.size()}, batch);
        Fixtures.trainLocally(List.of(train), plan, epochs, single, loss, opt);

        Module distributed = factory.get();
        JavaRDD<Sample> rdd = sc.parallelize(train, 2);
        var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch).seed(1)
                .mode(Mode.localSgd(4, p -> new Adam(p, 3e-3)));
        var trainer = new SparkTrainer(sc, distributed, factory, loss, new Adam(distributed.parameters(), 3e-3));
        var result = trainer.fit(rdd, config);

        double a1 = Fixtures.accuracy(single, test);
        SparkEvaluation e = trainer.evaluate(sc.parallelize(test, 2));
        System.out.printf("digits: local SGD accuracy %.3f, single machine %.3f, %d rounds, %.1f ms/round%n",
                e.accuracy(), a1, result.rounds().size(), result.meanRoundMillis(2));
        assertEquals(test.size(), e.samples());
        assertEquals(Fixtures.accuracy(distributed, test), e.accuracy(), 1e-12, "distributed evaluation = driver-side evaluation");
        assertTrue(a1 > 0.9, "the single-machine baseline should learn the digits, accuracy " + a1);
        assertTrue(e.accuracy() >= a1 - 0.02, "local SGD accuracy " + e.accuracy() + " vs single machine " + a1);
        assertEquals((long) epochs * plan.stepsPerEpoch(), result.steps());
    }
}

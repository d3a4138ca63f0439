package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Module;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.backprop.optim.StepLR;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One barrier stage per epoch gives what a job per round gives: with two partitions the sum of two
 * shares is the same in either order, so the results must agree to the bit; with more, to float
 * summation order.
 */
class BarrierTest {
    private static final SerializableSupplier<Module> FACTORY = Fixtures.mlp(6, 16, 3, 21);

    private static SGD sgd(List<org.backprop.nn.Parameter> p) {
        return new SGD(p, SGD.Options.defaults().lr(0.2).momentum(0.9).weightDecay(1e-4));
    }

    private record Outcome(Module model, Optimizer opt, SparkTrainResult result) {}

    private static Outcome train(JavaRDD<Sample> rdd, SparkTrainConfig config, OptimizerFactory opt, boolean barrier) {
        return train(FACTORY, rdd, config, opt, barrier);
    }

    private static Outcome train(SerializableSupplier<Module> factory, JavaRDD<Sample> rdd, SparkTrainConfig config, OptimizerFactory opt,
            boolean barrier) {
        Module m = factory.get();
        Optimizer o = opt.create(m.parameters());
        var r = new SparkTrainer(SharedSpark.context(), m, factory, new CrossEntropyLoss(), o).scheduler(new StepLR(o, 1, 0.5))
                .optimizerCopies(opt).fit(rdd, config.barrier(barrier));
        return new Outcome(m, o, r);
    }

    private static void assertSameBits(Outcome a, Outcome b) {
        assertEquals(a.result().epochLoss(), b.result().epochLoss());
        assertEquals(a.opt().stepCount(), b.opt().stepCount());
        StateLayout layout = StateLayout.of(a.model());
        assertArrayEquals(layout.flatten(a.model()), layout.flatten(b.model()));
        Map<String, Tensor> sa = a.opt().stateDict(), sb = b.opt().stateDict();
        assertEquals(sa.keySet(), sb.keySet());
        for (String k : sa.keySet()) assertArrayEquals(sa.get(k).toFloatArray(), sb.get(k).toFloatArray(), "optimizer state " + k);
        assertEquals(a.opt().lr(), b.opt().lr());
    }

    private static JavaRDD<Sample> data(int partitions) {
        return SharedSpark.context().parallelize(Fixtures.blobs(203, 6, 3, 0.8, false, 5), partitions); // ragged last batch
    }

    @Test
    void synchronousSgdWithMomentumMatchesAJobPerRoundBitForBit() {
        var config = SparkTrainConfig.defaults().epochs(3).globalBatchSize(32).seed(2);
        Outcome a = train(data(2), config, BarrierTest::sgd, false), b = train(data(2), config, BarrierTest::sgd, true);
        assertSameBits(a, b);
        assertEquals(a.result().steps(), b.result().steps());
        assertEquals(a.result().rounds().stream().map(RoundStats::loss).toList(), b.result().rounds().stream().map(RoundStats::loss).toList());
    }

    @Test
    void synchronousAdamMatchesAJobPerRoundBitForBit() {
        var config = SparkTrainConfig.defaults().epochs(2).globalBatchSize(40).seed(3);
        OptimizerFactory adam = p -> new Adam(p, 0.01);
        assertSameBits(train(data(2), config, adam, false), train(data(2), config, adam, true));
    }

    @Test
    void localSgdWithAdamMatchesAJobPerRoundBitForBit() {
        OptimizerFactory adam = p -> new Adam(p, 0.01);
        var config = SparkTrainConfig.defaults().epochs(3).globalBatchSize(24).seed(4).mode(Mode.localSgd(3, adam));
        Outcome a = train(data(2), config, adam, false), b = train(data(2), config, adam, true);
        assertSameBits(a, b);
        assertEquals(1, b.result().rounds().stream().mapToInt(r -> r.parts().jobs()).sum(), "one barrier stage for the run");
    }

    /** Shares of several of the links' 64 KiB chunks (the last one partial) sum to the same bits as whole arrays. */
    @Test
    void sharesLargerThanOneChunkOfTheLinksMatchAJobPerRoundBitForBit() {
        SerializableSupplier<Module> wide = Fixtures.mlp(6, 2800, 3, 22); // 28,003 parameters: 1.7 chunks, 5.1 with Adam's state
        OptimizerFactory adam = p -> new Adam(p, 0.01);
        var sync = SparkTrainConfig.defaults().epochs(2).globalBatchSize(48).seed(11);
        assertSameBits(train(wide, data(2), sync, BarrierTest::sgd, false), train(wide, data(2), sync, BarrierTest::sgd, true));
        var local = SparkTrainConfig.defaults().epochs(2).globalBatchSize(48).seed(12).mode(Mode.localSgd(2, adam));
        assertSameBits(train(wide, data(2), local, adam, false), train(wide, data(2), local, adam, true));
    }

    /** One partition, a single-task barrier stage; three partitions (more than local[2]'s slots): a job per round. */
    @Test
    void otherPartitionCountsGiveTheSameTraining() {
        var config = SparkTrainConfig.defaults().epochs(2).globalBatchSize(30).seed(6);
        for (int partitions : new int[] {1, 3}) {
            Outcome a = train(data(partitions), config, BarrierTest::sgd, false), b = train(data(partitions), config, BarrierTest::sgd, true);
            double diff = Fixtures.maxDifference(a.model(), b.model());
            assertTrue(diff <= 1e-6, partitions + " partitions: max weight difference " + diff);
        }
    }

    @Test
    void checkpointsWrittenByBarrierEpochsResumeTheRun(@TempDir Path dir) throws Exception {
        var config = SparkTrainConfig.defaults().epochs(3).globalBatchSize(32).seed(7);
        Outcome whole = train(data(2), config, BarrierTest::sgd, false);

        // one stage for the three epochs, a checkpoint after each, written by the driver between them
        Module m = FACTORY.get();
        SGD opt = sgd(m.parameters());
        String uri = dir.toUri().toString();
        var r = new SparkTrainer(SharedSpark.context(), m, FACTORY, new CrossEntropyLoss(), opt).scheduler(new StepLR(opt, 1, 0.5))
                .optimizerCopies(BarrierTest::sgd).listener(Checkpoints.every(1, uri, "b")).fit(data(2), config.barrier(true));
        assertSameBits(whole, new Outcome(m, opt, r));
        assertEquals(1, r.rounds().stream().mapToInt(s -> s.parts().jobs()).sum(), "one barrier stage for the run");
        Module m2 = FACTORY.get();
        SGD opt2 = sgd(m2.parameters());
        var rest = new SparkTrainer(SharedSpark.context(), m2, FACTORY, new CrossEntropyLoss(), opt2).scheduler(new StepLR(opt2, 1, 0.5))
                .optimizerCopies(BarrierTest::sgd).resume(Checkpoints.load(uri + "/b-epoch1.safetensors")).fit(data(2), config.barrier(true));
        assertSameBits(whole, new Outcome(m2, opt2, rest));
    }

    /** A listener that changes the driver's weights between epochs: the stage's tasks go on from the changed weights. */
    @Test
    void aListenersChangeReachesTheNextEpoch() {
        var config = SparkTrainConfig.defaults().epochs(3).globalBatchSize(32).seed(10);
        Outcome[] runs = new Outcome[2];
        for (int i = 0; i < 2; i++) {
            Module m = FACTORY.get();
            SGD opt = sgd(m.parameters());
            var r = new SparkTrainer(SharedSpark.context(), m, FACTORY, new CrossEntropyLoss(), opt).scheduler(new StepLR(opt, 1, 0.5))
                    .optimizerCopies(BarrierTest::sgd).listener(new TrainingListener() {
                        @Override
                        public void onEpochEnd(int epoch, double meanLoss, Module model, Optimizer o) {
                            if (epoch == 1) model.parameters().getFirst().value().array()[0] += 1f; // e.g. a user's weight clipping
                        }
                    }).fit(data(2), config.barrier(i == 1));
            runs[i] = new Outcome(m, opt, r);
        }
        assertSameBits(runs[0], runs[1]);
        assertTrue(runs[1].result().rounds().stream().anyMatch(s -> s.epoch() == 2 && s.bytesOut() > 0), "the changed state was sent");
        assertTrue(runs[1].result().rounds().stream().noneMatch(s -> s.epoch() == 3 && s.bytesOut() > 0), "an unchanged state is not");
    }

    @Test
    void synchronousBarrierStagesNeedTheOptimizerCopies() {
        Module m = FACTORY.get();
        var t = new SparkTrainer(SharedSpark.context(), m, FACTORY, new CrossEntropyLoss(), sgd(m.parameters()));
        var e = assertThrows(IllegalArgumentException.class, () -> t.fit(data(2), SparkTrainConfig.defaults().barrier(true)));
        assertTrue(e.getMessage().contains("optimizerCopies"), e.getMessage());
        var wrongKind = t.optimizerCopies(p -> new Adam(p, 0.1));
        e = assertThrows(IllegalArgumentException.class, () -> wrongKind.fit(data(2), SparkTrainConfig.defaults().barrier(true)));
        assertTrue(e.getMessage().contains("same kind"), e.getMessage());
    }

    /** The default (Rounds.AUTO): barrier stages where they apply, the same bits as a job per round; a job per round elsewhere. */
    @Test
    void theDefaultRunsBarrierStagesWhereTheyApply() {
        var config = SparkTrainConfig.defaults().epochs(2).globalBatchSize(32).seed(8);
        assertEquals(SparkTrainConfig.Rounds.AUTO, config.rounds());
        Module m = FACTORY.get();
        SGD opt = sgd(m.parameters());
        var auto = new SparkTrainer(SharedSpark.context(), m, FACTORY, new CrossEntropyLoss(), opt).scheduler(new StepLR(opt, 1, 0.5))
                .optimizerCopies(BarrierTest::sgd).fit(data(2), config);
        assertEquals(1, auto.rounds().stream().mapToInt(r -> r.parts().jobs()).sum(), "one barrier stage for the run");
        assertSameBits(train(data(2), config, BarrierTest::sgd, false), new Outcome(m, opt, auto));

        Module m2 = FACTORY.get(); // no optimizer copies: synchronous training takes a job per round
        var perRound = new SparkTrainer(SharedSpark.context(), m2, FACTORY, new CrossEntropyLoss(), sgd(m2.parameters())).fit(data(2), config);
        assertTrue(perRound.rounds().stream().allMatch(r -> r.parts().jobs() == 1));
    }

    /** A barrier stage that keeps failing (here the loss refuses to run in one) is redone a job per round, exactly. */
    @Test
    void aFailedBarrierEpochIsRunAgainAJobPerRound() {
        var config = SparkTrainConfig.defaults().epochs(2).globalBatchSize(32).seed(9);
        org.backprop.loss.Loss ce = new CrossEntropyLoss();
        org.backprop.loss.Loss notInBarrierStages = (h, y) -> {
            if (org.apache.spark.TaskContext.get() instanceof org.apache.spark.BarrierTaskContext) {
                throw new IllegalStateException("no barrier stages here");
            }
            return ce.apply(h, y);
        };
        Module m = FACTORY.get();
        SGD opt = sgd(m.parameters());
        var r = new SparkTrainer(SharedSpark.context(), m, FACTORY, notInBarrierStages, opt).scheduler(new StepLR(opt, 1, 0.5))
                .optimizerCopies(BarrierTest::sgd).fit(data(2), config);
        assertTrue(r.rounds().stream().allMatch(s -> s.parts().jobs() == 1), "every round a job");
        assertSameBits(train(data(2), config, BarrierTest::sgd, false), new Outcome(m, opt, r));
    }

    @Test
    void theDriversRendezvousSwapsAddressesPerStageAttempt() throws Exception {
        var conf = new org.apache.spark.SparkConf().set("spark.driver.host", "127.0.0.1").set("spark.driver.bindAddress", "127.0.0.1");
        try (Rendezvous r = Rendezvous.open(conf)) {
            var t = r.ticket();
            // attempt 0 of epoch 3 never completes (its second task is lost); attempt 1 does, and lets attempt 0's task go
            var stale = java.util.concurrent.CompletableFuture.supplyAsync(() -> swap(t, 3, 0, 0, "a 1"));
            Thread.sleep(200);
            var first = java.util.concurrent.CompletableFuture.supplyAsync(() -> swap(t, 3, 1, 1, "b 2"));
            String[] zero = swap(t, 3, 1, 0, "c 3");
            assertArrayEquals(new String[] {"c 3", "b 2"}, zero);
            assertArrayEquals(zero, first.get());
            var e = assertThrows(java.util.concurrent.ExecutionException.class, stale::get);
            assertTrue(e.getCause().getMessage().contains("closed"), e.getCause().getMessage());
            // a wrong secret is turned away
            var bad = new Rendezvous.Ticket(t.host(), t.port(), t.secret() + 1);
            assertThrows(java.io.UncheckedIOException.class, () -> swap(bad, 4, 0, 0, "d 4"));
        }
        assertEquals(null, Rendezvous.open(new org.apache.spark.SparkConf().set(Rendezvous.MODE_KEY, "allGather")));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Rendezvous.open(new org.apache.spark.SparkConf().set(Rendezvous.MODE_KEY, "gossip")));
        assertTrue(e.getMessage().contains(Rendezvous.MODE_KEY), e.getMessage());
    }

    private static String[] swap(Rendezvous.Ticket t, int epoch, int attempt, int partition, String address) {
        try {
            var joined = Rendezvous.swap(t, Rendezvous.key(epoch, attempt), 2, partition, address, () -> false);
            joined.control().close(); // the stage's line to the driver, not used here
            return joined.addresses();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void peerAddressesKeepTheHost() {
        assertEquals("10.0.0.7", PeerLinks.host("10.0.0.7"));
        assertEquals("10.0.0.7", PeerLinks.host("10.0.0.7:35001"));
        assertEquals("fe80::1", PeerLinks.host("fe80::1"));
    }
}

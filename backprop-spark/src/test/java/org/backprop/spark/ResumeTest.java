package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Module;
import org.backprop.optim.SGD;
import org.backprop.optim.StepLR;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped after an epoch and resumed from its checkpoint ends where the uninterrupted run ends. */
class ResumeTest {
    private static final SerializableSupplier<Module> FACTORY = Fixtures.mlp(6, 12, 3, 8);

    private record Run(Module model, SGD opt, SparkTrainer trainer) {}

    private static Run newRun(JavaSparkContext sc) {
        Module m = FACTORY.get();
        SGD opt = new SGD(m.parameters(), SGD.Options.defaults().lr(0.2).momentum(0.9));
        var t = new SparkTrainer(sc, m, FACTORY, new CrossEntropyLoss(), opt).scheduler(new StepLR(opt, 1, 0.5));
        return new Run(m, opt, t);
    }

    @Test
    void resumedRunEqualsTheUninterruptedOne(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = SharedSpark.context();
        JavaRDD<Sample> data = sc.parallelize(Fixtures.blobs(120, 6, 3, 0.8, false, 4), 2);
        var config = SparkTrainConfig.defaults().epochs(3).globalBatchSize(24).seed(6);
        String uri = dir.toUri().toString(); // a file: URI, through Hadoop's FileSystem

        Run whole = newRun(sc);
        SparkTrainResult full = whole.trainer().fit(data, config);

        Run first = newRun(sc);
        first.trainer().listener(Checkpoints.every(1, uri, "blobs")).fit(data, config.epochs(1));
        Path file = dir.resolve("blobs-epoch1.safetensors");
        assertTrue(Files.exists(file) && Files.exists(dir.resolve("blobs-epoch1.optimizer.safetensors")));
        try (var names = Files.list(dir)) {
            assertFalse(names.anyMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary files are renamed away");
        }

        Run second = newRun(sc); // a new driver: fresh model, optimizer and schedule
        var saved = Checkpoints.load(uri + "/blobs-epoch1.safetensors");
        assertEquals(1, saved.epoch());
        SparkTrainResult rest = second.trainer().listener(Checkpoints.every(1, uri, "blobs")).resume(saved).fit(data, config);

        assertEquals(full.epochLoss().size(), rest.epochLoss().size());
        for (int e = 0; e < 3; e++) assertEquals(full.epochLoss().get(e), rest.epochLoss().get(e), 1e-6, "epoch " + (e + 1));
        assertEquals(whole.opt().lr(), second.opt().lr()); // the schedule was put back: 0.2 → 0.1 → 0.05 → 0.025
        assertEquals(whole.opt().stepCount(), second.opt().stepCount());
        double diff = Fixtures.maxDifference(whole.model(), second.model());
        assertTrue(diff <= 1e-5, "max weight difference " + diff);
        assertTrue(Files.exists(dir.resolve("blobs-epoch3.safetensors")));
        assertEquals(List.of(1, 2, 3).size(), Checkpoints.load(uri + "/blobs-epoch3.safetensors").epochLosses().size());
    }

    @Test
    void aCheckpointOfAnotherRunIsRefused(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = SharedSpark.context();
        JavaRDD<Sample> data = sc.parallelize(Fixtures.blobs(60, 6, 3, 0.8, false, 4), 2);
        var config = SparkTrainConfig.defaults().epochs(1).globalBatchSize(20).seed(6);
        newRun(sc).trainer().listener(Checkpoints.every(1, dir, "b")).fit(data, config);
        var saved = Checkpoints.load(dir.resolve("b-epoch1.safetensors").toString());
        var e = assertThrows(IllegalArgumentException.class,
                () -> newRun(sc).trainer().resume(saved).fit(data, config.epochs(2).seed(7)));
        assertTrue(e.getMessage().contains("seed 6"), e.getMessage());
        var done = assertThrows(IllegalArgumentException.class, () -> newRun(sc).trainer().resume(saved).fit(data, config));
        assertTrue(done.getMessage().contains("raise the number of epochs"), done.getMessage());
    }
}

package org.backprop.spark;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.io.ModelFile;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Module;
import org.backprop.optim.Adam;
import org.backprop.optim.SGD;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Driver-side checkpoints in the single-machine formats, and the errors users meet first. */
class CheckpointsTest {
    private static final SerializableSupplier<Module> FACTORY = Fixtures.mlp(6, 8, 3, 2);

    @Test
    void localSgdWritesModelFilesAndOptimizerStateThatResume(@TempDir Path dir) throws Exception {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        Adam opt = new Adam(model.parameters(), 0.01);
        new SparkTrainer(sc, model, FACTORY, new CrossEntropyLoss(), opt)
                .listener(Checkpoints.every(2, dir, "blobs"))
                .fit(sc.parallelize(Fixtures.blobs(80, 6, 3, 0.8, false, 3), 2),
                        SparkTrainConfig.defaults().epochs(2).globalBatchSize(20).mode(Mode.localSgd(2, p -> new Adam(p, 0.01))));

        assertFalse(Files.exists(dir.resolve("blobs-epoch1.safetensors")), "every 2 epochs: none after epoch 1");
        Path file = dir.resolve("blobs-epoch2.safetensors");
        var saved = ModelFile.load(file); // the single-machine model file: architecture and weights
        assertEquals(0.0, Fixtures.maxDifference(saved.model(), model));
        assertEquals("2", saved.metadata().get("epoch"));

        Module restored = FACTORY.get();
        Adam restoredOpt = new Adam(restored.parameters(), 0.01);
        Checkpoints.resume(file, restored, restoredOpt);
        assertEquals(0.0, Fixtures.maxDifference(restored, model));
        assertEquals(opt.stepCount(), restoredOpt.stepCount());
        assertEquals(opt.stateDict().keySet(), restoredOpt.stateDict().keySet());
    }

    @Test
    void aFactoryForAnotherArchitectureIsRejectedByName() {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        var e = assertThrows(IllegalArgumentException.class, () -> new SparkTrainer(sc, model, Fixtures.mlp(6, 9, 3, 2),
                new CrossEntropyLoss(), new SGD(model.parameters(), 0.1)));
        assertTrue(e.getMessage().contains("0.weight[8, 6]") && e.getMessage().contains("0.weight[9, 6]"), e.getMessage());
    }

    @Test
    void aFactoryCapturingTheModelIsRejectedBeforeSparkSeesIt() {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        SerializableSupplier<Module> capturing = () -> model; // Module is not serialisable
        var e = assertThrows(IllegalArgumentException.class,
                () -> new SparkTrainer(sc, model, capturing, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1)));
        assertTrue(e.getMessage().startsWith("the model factory cannot be sent to the executors"), e.getMessage());
    }

    @Test
    void localSgdWithAnotherKindOfOptimizerIsRejected() {
        JavaSparkContext sc = SharedSpark.context();
        Module model = FACTORY.get();
        var trainer = new SparkTrainer(sc, model, FACTORY, new CrossEntropyLoss(), new SGD(model.parameters(), 0.1));
        var e = assertThrows(IllegalArgumentException.class, () -> trainer.fit(
                sc.parallelize(Fixtures.blobs(10, 6, 3, 1, false, 1), 1), SparkTrainConfig.defaults().mode(Mode.localSgd(2, p -> new Adam(p)))));
        assertTrue(e.getMessage().contains("builds Adam but the driver trains with SGD"), e.getMessage());
    }
}

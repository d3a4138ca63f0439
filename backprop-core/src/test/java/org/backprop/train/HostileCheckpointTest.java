package org.backprop.train;

import static org.backprop.io.Hostile.assertOneLine;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.Dataset;
import org.backprop.io.SafeTensors;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Issue 17, points 5, 7 and 8: a checkpoint is checked whole, and a resume matches the run. */
class HostileCheckpointTest {
    private static final Dataset DIGITS = BuiltinDatasets.digits().split(0.8, 3).test(); // 360 samples: quick

    @TempDir
    Path dir;
    private Path file;

    private static FitConfig config(int epochs) {
        return FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(64).withSeed(11)
                .withValidationFraction(0.2).withEarlyStopping(50, 0);
    }

    private static Trainer trainer(Map<String, String> settings) {
        Sequential model = TestSupport.mlp(5, 64, 16, 10);
        return new Trainer(model, TestSupport.CROSS_ENTROPY, new Adam(model.parameters(), 1e-3)).runSettings(settings);
    }

    @BeforeEach
    void twoEpochs() {
        file = dir.resolve("c.safetensors");
        trainer(Map.of("activation", "relu", "data", "sha256:abc")).checkpoint(file, 1).fit(DIGITS, config(2));
    }

    /** Rewrites the checkpoint with {@code edit} applied to its JSON, with a valid checksum. */
    private void rewrite(java.util.function.Consumer<JsonObject> editJson,
            java.util.function.Consumer<Map<String, Tensor>> editTensors) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        JsonObject doc = JsonParser.parseString(c.metadata().get(Checkpoint.METADATA_KEY)).getAsJsonObject();
        editJson.accept(doc);
        Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
        editTensors.accept(tensors);
        String json = doc.toString();
        SafeTensors.write(file, tensors, Map.of(Checkpoint.METADATA_KEY, json,
                Checkpoint.CHECKSUM_KEY, Checkpoint.checksum(tensors, json)));
    }

    @Test
    void aNegativeSecondMomentIsRefusedOnLoad() throws IOException {
        rewrite(d -> {}, t -> t.get("optimizer.state.0.exp_avg_sq").array()[3] = -0.5f);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertOneLine(e);
        assertTrue(e.getMessage().contains("'optimizer.state.0.exp_avg_sq' holds -0.5"), e.getMessage());
    }

    @Test
    void aNaNWeightIsRefusedOnLoad() throws IOException {
        rewrite(d -> {}, t -> t.get("model.0.bias").array()[0] = Float.NaN);
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file)).getMessage()
                .contains("'model.0.bias' holds NaN"));
    }

    @Test
    void malformedHistoryAndMisshapenBestWeightsAreRefusedBeforeTraining() throws IOException {
        rewrite(d -> d.getAsJsonArray("history").get(1).getAsJsonObject().addProperty("epoch", 7), t -> {});
        IllegalArgumentException history = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertOneLine(history);
        assertTrue(history.getMessage().contains("history entry 2"), history.getMessage());

        twoEpochs();
        rewrite(d -> {}, t -> t.put("best.0.weight", Tensor.zeros(3, 3)));
        IllegalArgumentException best = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertTrue(best.getMessage().contains("best.0.weight has shape [3, 3]"), best.getMessage());

        twoEpochs();
        rewrite(d -> d.addProperty("since_best", "many"), t -> {});
        IllegalArgumentException type = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertOneLine(type);
        assertTrue(type.getMessage().contains("damaged checkpoint data"), type.getMessage());
    }

    @Test
    void aFlippedBitIsCaughtByTheChecksum() throws IOException {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            long at = f.length() - 100;
            f.seek(at);
            int b = f.read();
            f.seek(at);
            f.write(b ^ 0x10);
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Checkpoint.load(file));
        assertTrue(e.getMessage().contains("checksum mismatch"), e.getMessage());
    }

    @Test
    void aResumeWithAnotherSettingIsRefusedNamingIt() throws IOException {
        Checkpoint c = Checkpoint.load(file);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer(Map.of("activation", "tanh", "data", "sha256:abc")).resume(c).fit(DIGITS, config(4)));
        assertTrue(e.getMessage().contains("activation was 'relu'") && e.getMessage().contains("'tanh' now"),
                e.getMessage());
        IllegalArgumentException data = assertThrows(IllegalArgumentException.class,
                () -> trainer(Map.of("activation", "relu", "data", "sha256:def")).resume(c).fit(DIGITS, config(4)));
        assertTrue(data.getMessage().contains("resume: data was"), data.getMessage());
        IllegalArgumentException patience = assertThrows(IllegalArgumentException.class,
                () -> trainer(Map.of("activation", "relu", "data", "sha256:abc")).resume(c)
                        .fit(DIGITS, config(4).withEarlyStopping(3, 0)));
        assertTrue(patience.getMessage().contains("resume: early_stopping"), patience.getMessage());
        trainer(Map.of("activation", "relu", "data", "sha256:abc")).resume(c).fit(DIGITS, config(4)); // same: fine
    }

    @Test
    void anUpdateThatOverflowsStopsWithTheDivergenceDiagnosis() {
        Sequential model = TestSupport.mlp(5, 64, 16, 10);
        Trainer t = new Trainer(model, TestSupport.CROSS_ENTROPY, new SGD(model.parameters(), 1e300));
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> t.fit(DIGITS, FitConfig.of(Task.CLASSIFICATION).withEpochs(1).withBatchSize(64)));
        assertTrue(e.getMessage().contains("left parameter") && e.getMessage().contains("lower learning rate"),
                e.getMessage());
        assertTrue(e.step() == 1, "caught at the step that overflowed, not later: step " + e.step());
        assertTrue(List.copyOf(model.namedParameters().keySet()).contains(e.parameter()), e.parameter());
    }
}

package org.backprop.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.backprop.io.SafeTensors;
import org.backprop.tensor.Tensor;

/**
 * Everything {@link Trainer#fit} needs to continue an interrupted run as if it had never stopped:
 * the model's state, the optimizer's state, the epochs done with their results, and the
 * early-stopping and convergence bookkeeping. Written by the trainer after an epoch when
 * {@link Trainer#checkpoint} is set, read back for {@link Trainer#resume}.
 *
 * <h2>What is not saved, and why that is enough</h2>
 * <ul>
 *   <li>Random generator state: the only randomness during training is the shuffle, and
 *       {@code DataLoader} seeds each epoch's order from the seed and the epoch number alone; the
 *       validation split depends on the seed alone. Epoch number and seed fix both. (A layer with
 *       its own generator, such as dropout, would need its state added here.)</li>
 *   <li>The learning-rate schedule: schedules are deterministic in the values they are stepped
 *       with, so the trainer replays the saved epochs' monitored losses into a freshly built
 *       schedule, which leaves it, and the optimizer's learning rate, where they were; the saved
 *       learning rate is compared afterwards to catch a schedule built differently.</li>
 * </ul>
 * Identical results also need the same data, model, optimizer options and number of kernel
 * threads; the settings that decide the order of the data are stored and checked on resume.
 *
 * <h2>File</h2>
 * A safetensors file: tensors {@code model.<name>}, {@code optimizer.<key>} (the optimizer's
 * {@code stateDict}) and, once early stopping has a best epoch, {@code best.<name>}; the rest as
 * JSON strings in the metadata under {@code "backprop.checkpoint"}.
 *
 * @param epoch          epochs completed
 * @param model          the model's {@code stateDict} after epoch {@code epoch}
 * @param optimizer      the optimizer's {@code stateDict}
 * @param optimizerType  the optimizer's class name, checked on resume
 * @param lr             the optimizer's learning rate for the next epoch
 * @param settings       the settings that decide the data order, checked on resume
 * @param history        the results of epochs 1 to {@code epoch}
 * @param bestLoss       early stopping: the best monitored loss so far (+∞ when none)
 * @param bestEpoch      early stopping: its epoch (0 when none)
 * @param sinceBest      early stopping: epochs since it
 * @param calmEpochs     convergence: epochs in a row with a change below the tolerance
 * @param bestModel      early stopping: the model's state at {@code bestEpoch}, empty when none
 */
public record Checkpoint(int epoch, Map<String, Tensor> model, Map<String, Tensor> optimizer, String optimizerType,
                         double lr, Settings settings, List<EpochResult> history, double bestLoss, int bestEpoch,
                         int sinceBest, int calmEpochs, Map<String, Tensor> bestModel) {

    /** The metadata key holding the JSON document; its presence marks a file as a checkpoint. */
    public static final String METADATA_KEY = "backprop.checkpoint";
    private static final int VERSION = 1;
    // NaN and ±∞ occur (metrics that do not apply to the task, a best loss not yet set).
    private static final Gson GSON = new GsonBuilder().serializeSpecialFloatingPointValues().disableHtmlEscaping().create();

    /**
     * The fit settings that decide which samples go where and in what order. A resumed run with
     * other values would not continue the same run.
     */
    public record Settings(Task task, long seed, int batchSize, boolean shuffle, boolean dropLast,
                           double validationFraction) {
        static Settings of(FitConfig c) {
            return new Settings(c.task(), c.seed(), c.batchSize(), c.shuffle(), c.dropLast(), c.validationFraction());
        }
    }

    public Checkpoint {
        if (epoch < 1) throw new IllegalArgumentException("Checkpoint: epoch must be at least 1, got " + epoch);
        if (history.size() != epoch) {
            throw new IllegalArgumentException("Checkpoint: " + history.size() + " epoch results for epoch " + epoch);
        }
        model = Collections.unmodifiableMap(new LinkedHashMap<>(model));
        optimizer = Collections.unmodifiableMap(new LinkedHashMap<>(optimizer));
        history = List.copyOf(history);
        bestModel = Collections.unmodifiableMap(new LinkedHashMap<>(bestModel));
    }

    /** Writes this checkpoint to {@code file} atomically: a crash leaves the previous checkpoint whole. */
    public void save(Path file) throws IOException {
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        model.forEach((k, v) -> tensors.put("model." + k, v));
        optimizer.forEach((k, v) -> tensors.put("optimizer." + k, v));
        bestModel.forEach((k, v) -> tensors.put("best." + k, v));
        JsonObject doc = new JsonObject();
        doc.addProperty("version", VERSION);
        doc.addProperty("epoch", epoch);
        doc.addProperty("optimizer_type", optimizerType);
        doc.addProperty("lr", lr);
        doc.add("settings", GSON.toJsonTree(settings));
        doc.addProperty("best_loss", bestLoss);
        doc.addProperty("best_epoch", bestEpoch);
        doc.addProperty("since_best", sinceBest);
        doc.addProperty("calm_epochs", calmEpochs);
        JsonArray h = new JsonArray();
        for (EpochResult r : history) h.add(GSON.toJsonTree(r));
        doc.add("history", h);
        SafeTensors.write(file, tensors, Map.of(METADATA_KEY, GSON.toJson(doc)));
    }

    /**
     * Reads a checkpoint written by {@link #save}.
     *
     * @throws IllegalArgumentException when the file is a safetensors file but not a checkpoint, or
     *                                  its checkpoint data are incomplete
     * @throws IOException              when it cannot be read or is not a safetensors file
     */
    public static Checkpoint load(Path file) throws IOException {
        SafeTensors.Contents c = SafeTensors.read(file);
        String json = c.metadata().get(METADATA_KEY);
        if (json == null) {
            throw new IllegalArgumentException(file + " is not a training checkpoint (a model file? checkpoints are "
                    + "written by --checkpoint-every)");
        }
        try {
            JsonReader reader = new JsonReader(new StringReader(json));
            reader.setStrictness(Strictness.LENIENT); // for NaN and Infinity
            JsonObject doc = JsonParser.parseReader(reader).getAsJsonObject();
            int version = doc.get("version").getAsInt();
            if (version != VERSION) {
                throw new IllegalArgumentException(file + ": checkpoint version " + version + ", this Backprop reads "
                        + VERSION);
            }
            Map<String, Tensor> model = new LinkedHashMap<>(), opt = new LinkedHashMap<>(), best = new LinkedHashMap<>();
            c.tensors().forEach((k, v) -> {
                if (k.startsWith("model.")) model.put(k.substring(6), v);
                else if (k.startsWith("optimizer.")) opt.put(k.substring(10), v);
                else if (k.startsWith("best.")) best.put(k.substring(5), v);
                else throw new IllegalArgumentException(file + ": unexpected tensor '" + k + "' in a checkpoint");
            });
            List<EpochResult> history = new ArrayList<>();
            for (JsonElement e : doc.getAsJsonArray("history")) history.add(GSON.fromJson(e, EpochResult.class));
            return new Checkpoint(doc.get("epoch").getAsInt(), model, opt, doc.get("optimizer_type").getAsString(),
                    doc.get("lr").getAsDouble(), GSON.fromJson(doc.get("settings"), Settings.class), history,
                    doc.get("best_loss").getAsDouble(), doc.get("best_epoch").getAsInt(), doc.get("since_best").getAsInt(),
                    doc.get("calm_epochs").getAsInt(), best);
        } catch (JsonParseException | IllegalStateException | NullPointerException | UnsupportedOperationException e) {
            throw new IllegalArgumentException(file + ": damaged checkpoint data (" + e.getMessage() + ")", e);
        }
    }
}

package org.backprop.train;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
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
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import org.backprop.io.SafeTensors;
import org.backprop.io.TensorChecks;
import org.backprop.guard.Untrusted;
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
 * @param runSettings    every other setting that changes the run (stopping rules, and what the caller
 *                       adds with {@link Trainer#runSettings}: the network, the loss, a hash of the
 *                       data...), by name; a resume with another value is refused naming it
 */
public record Checkpoint(int epoch, Map<String, Tensor> model, Map<String, Tensor> optimizer, String optimizerType,
                         double lr, Settings settings, List<EpochResult> history, double bestLoss, int bestEpoch,
                         int sinceBest, int calmEpochs, Map<String, Tensor> bestModel, Map<String, String> runSettings) {

    /** The metadata key holding the JSON document; its presence marks a file as a checkpoint. */
    public static final String METADATA_KEY = "backprop.checkpoint";
    /** The metadata key of the SHA-256 of the tensors and the JSON document, which detects damage. */
    public static final String CHECKSUM_KEY = "backprop.checksum";
    private static final int VERSION = 2;
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
        runSettings = Collections.unmodifiableMap(new java.util.TreeMap<>(runSettings));
        for (int i = 0; i < history.size(); i++) {
            EpochResult r = history.get(i);
            if (r == null || r.train() == null || r.epoch() != i + 1) {
                throw new IllegalArgumentException("Checkpoint: history entry " + (i + 1) + " is not the result of epoch "
                        + (i + 1));
            }
        }
        if (bestEpoch < 0 || bestEpoch > epoch || sinceBest < 0 || calmEpochs < 0) {
            throw new IllegalArgumentException("Checkpoint: inconsistent early-stopping state (best epoch " + bestEpoch
                    + ", epochs since " + sinceBest + ", calm epochs " + calmEpochs + ") at epoch " + epoch);
        }
        if (!bestModel.isEmpty()) {
            if (!bestModel.keySet().equals(model.keySet())) {
                throw new IllegalArgumentException("Checkpoint: the best weights name other tensors than the model's");
            }
            for (Map.Entry<String, Tensor> e : bestModel.entrySet()) {
                if (!java.util.Arrays.equals(e.getValue().shape(), model.get(e.getKey()).shape())) {
                    throw new IllegalArgumentException("Checkpoint: best." + Untrusted.text(e.getKey()) + " has shape "
                            + java.util.Arrays.toString(e.getValue().shape()) + " but the model's tensor has "
                            + java.util.Arrays.toString(model.get(e.getKey()).shape()));
                }
            }
        }
    }

    /** Refuses to continue with {@code now} unless every run setting has the value this checkpoint recorded. */
    void checkRunSettings(Map<String, String> now) {
        java.util.Set<String> keys = new java.util.TreeSet<>(now.keySet());
        keys.addAll(runSettings.keySet());
        for (String key : keys) {
            String was = runSettings.get(key), is = now.get(key);
            if (!java.util.Objects.equals(was, is)) {
                throw new IllegalArgumentException("resume: " + key + " was " + shown(was) + " in the checkpoint's run"
                        + " but is " + shown(is) + " now; use the same settings to continue the same run");
            }
        }
    }

    private static String shown(String value) {
        return value == null ? "not set" : "'" + Untrusted.line(value) + "'";
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
        JsonObject run = new JsonObject();
        runSettings.forEach(run::addProperty);
        doc.add("run_settings", run);
        String json = GSON.toJson(doc);
        Map<String, String> metadata = new LinkedHashMap<>();
        metadata.put(METADATA_KEY, json);
        metadata.put(CHECKSUM_KEY, checksum(tensors, json));
        SafeTensors.write(file, tensors, metadata);
    }

    /** SHA-256 over every tensor's name, shape and value bits, in file order, and the JSON document. */
    static String checksum(Map<String, Tensor> tensors, String json) {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
        ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            md.update(e.getKey().getBytes(StandardCharsets.UTF_8));
            md.update((byte) 0);
            for (int d : e.getValue().shape()) md.update(ByteBuffer.allocate(4).putInt(d).array());
            float[] v = e.getValue().toFloatArray();
            for (int i = 0; i < v.length; ) {
                b.clear();
                while (i < v.length && b.remaining() >= 4) b.putInt(Float.floatToRawIntBits(v[i++]));
                b.flip();
                md.update(b);
            }
        }
        md.update(json.getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(md.digest());
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
        String sum = c.metadata().get(CHECKSUM_KEY);
        if (sum == null) {
            throw new IllegalArgumentException(file + ": the checkpoint has no checksum (written by an older Backprop?); "
                    + "start a fresh run");
        }
        if (!sum.equals(checksum(c.tensors(), json))) {
            throw new IllegalArgumentException(file + ": checksum mismatch: the checkpoint is damaged (a changed bit "
                    + "or an edit); use an intact copy or start a fresh run");
        }
        String bad = TensorChecks.problem("", c.tensors());
        if (bad != null) throw new IllegalArgumentException(file + ": " + bad);
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
                else throw new IllegalArgumentException("unexpected tensor " + Untrusted.quote(k));
            });
            List<EpochResult> history = new ArrayList<>();
            for (JsonElement e : doc.getAsJsonArray("history")) history.add(GSON.fromJson(e, EpochResult.class));
            Map<String, String> run = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> e : doc.getAsJsonObject("run_settings").entrySet()) {
                run.put(e.getKey(), e.getValue().getAsString());
            }
            return new Checkpoint(doc.get("epoch").getAsInt(), model, opt, doc.get("optimizer_type").getAsString(),
                    doc.get("lr").getAsDouble(), GSON.fromJson(doc.get("settings"), Settings.class), history,
                    doc.get("best_loss").getAsDouble(), doc.get("best_epoch").getAsInt(), doc.get("since_best").getAsInt(),
                    doc.get("calm_epochs").getAsInt(), best, run);
        } catch (RuntimeException e) { // Gson's parse, cast, number and null failures on a damaged document
            if (e.getMessage() != null && e.getMessage().startsWith(file + ":")) throw e;
            throw new IllegalArgumentException(file + ": damaged checkpoint data (" + e.getClass().getSimpleName() + ": "
                    + Untrusted.line(String.valueOf(e.getMessage())) + ")", e);
        }
    }
}

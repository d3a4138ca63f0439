package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.data.ClassLabels;
import org.backprop.data.Dataset;
import org.backprop.data.MissingPolicy;
import org.backprop.data.Standardizer;
import org.backprop.data.TableEncoder;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.AtomicFiles;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.io.SafeTensors;
import org.backprop.nn.Sequential;
import org.backprop.train.Evaluation;
import org.backprop.train.History;
import org.backprop.train.Task;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

/**
 * The {@code --out DIR} option of {@code train}: saves the trained model with its preprocessing
 * ({@code DIR/model.safetensors}) and a run summary ({@code DIR/summary.json}), each atomically.
 */
final class TrainOutput {
    static final String SUMMARY_FILE = "summary.json";

    /** Metadata keys (outside the reserved {@code backprop.} namespace) that let evaluate reproduce the test split. */
    static final String DATASET_KEY = "dataset";
    static final String SEED_KEY = "split_seed";
    static final String TEST_FRACTION_KEY = "test_fraction";
    /** "stratified" (classification since class shares are kept) or "random"; absent in older files, which were random. */
    static final String SPLIT_KEY = "split";

    @Option(names = "--out", paramLabel = "DIR",
            description = "Save the model (DIR/model.safetensors) and a run summary (DIR/summary.json); nothing is saved without it.")
    Path dir;

    /** More metadata for the model file, e.g. a speech model's feature settings ({@code ModelFile.AUDIO_KEY}). */
    final Map<String, String> extraMetadata = new java.util.LinkedHashMap<>();

    @Option(names = "--overwrite",
            description = "Let --out replace the files of an earlier run in DIR (without it, a folder holding files is refused).")
    boolean overwrite;

    /** Held while this run owns {@code dir}: a second run into the same folder is refused, not raced. */
    private FileChannel lockChannel;
    private FileLock lock;

    static final String LOCK_FILE = ".backprop.lock";

    /**
     * Before anything is trained: creates {@code dir}, checks that files can be written there,
     * refuses a folder that holds another run's files unless {@code --overwrite} is given or the
     * run is resumed, and locks the folder for this run. {@link #release} unlocks it.
     */
    void prepare(boolean resuming) throws IOException {
        if (dir == null) return;
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--out " + dir + " is a file, not a folder");
        }
        Files.createDirectories(dir);
        Path probe;
        try {
            probe = Files.createTempFile(dir, ".backprop-write-check", ".tmp");
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IllegalArgumentException("--out " + dir + ": cannot write there (permission denied); choose "
                    + "another folder before training starts");
        }
        Files.delete(probe);
        lockChannel = FileChannel.open(dir.resolve(LOCK_FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            lock = lockChannel.tryLock();
        } catch (java.nio.channels.OverlappingFileLockException e) {
            lock = null; // held by another run in this same process
        }
        if (lock == null) {
            lockChannel.close();
            lockChannel = null;
            throw new IllegalArgumentException("--out " + dir + " is in use by another backprop run; wait for it or "
                    + "choose another folder");
        }
        if (!overwrite && !resuming) {
            List<String> existing;
            try (var entries = Files.list(dir)) {
                existing = entries.map(p -> p.getFileName().toString()).filter(n -> !n.equals(LOCK_FILE)).sorted()
                        .toList();
            }
            if (!existing.isEmpty()) {
                release();
                throw new IllegalArgumentException("--out " + dir + " already holds " + String.join(", ",
                        existing.subList(0, Math.min(4, existing.size()))) + (existing.size() > 4 ? ", ..." : "")
                        + ": give --overwrite to replace them, --resume to continue that run, or another folder");
            }
        }
    }

    /** Unlocks the folder (the lock file stays: deleting it could let two runs lock different files). */
    void release() throws IOException {
        if (lock != null) lock.release();
        if (lockChannel != null) lockChannel.close();
        lock = null;
        lockChannel = null;
    }

    /**
     * What a finished training run hands over for saving.
     *
     * @param features the standardiser of the features fitted on the training part, or {@code null}
     * @param targets  the standardiser of regression targets, or {@code null}
     * @param trainSize the training part (validation included), before the trainer splits off validation
     * @param test     the test metrics in the target's units
     * @param encoder  a CSV table's encoding (categories, fill values) fitted on the training rows, or {@code null}
     * @param labels   a CSV classification's class labels, or {@code null}
     * @param missing  a CSV table's missing-value policy, or {@code null}
     * @param stratified whether the test rows were drawn class by class (evaluate --split test draws them alike)
     */
    record Run(String dataName, Dataset data, Task task, Sequential model, Standardizer features, Standardizer targets,
               int trainSize, int testSize, double testFraction, long seed, History history, double seconds,
               Evaluation test, TableEncoder encoder, ClassLabels labels, MissingPolicy missing, boolean stratified) {

        /** A run on data without a table encoding (built-in or image data), split at random. */
        Run(String dataName, Dataset data, Task task, Sequential model, Standardizer features, Standardizer targets,
            int trainSize, int testSize, double testFraction, long seed, History history, double seconds, Evaluation test) {
            this(dataName, data, task, model, features, targets, trainSize, testSize, testFraction, seed, history, seconds,
                    test, null, null, null, false);
        }
    }

    /** Writes both files when {@code --out} was given, and says where they went. */
    void save(CommandSpec spec, PrintWriter out, Run run) throws IOException {
        if (dir == null) return;
        Files.createDirectories(dir);
        Path modelFile = dir.resolve(ModelLoader.MODEL_FILE);
        Path summaryFile = dir.resolve(SUMMARY_FILE);
        Map<String, String> meta = new java.util.LinkedHashMap<>();
        meta.put(DATASET_KEY, run.dataName());
        meta.put(SEED_KEY, Long.toString(run.seed()));
        meta.put(TEST_FRACTION_KEY, Double.toString(run.testFraction()));
        meta.put(SPLIT_KEY, run.stratified() ? "stratified" : "random");
        meta.putAll(extraMetadata);
        List<Integer> inputShape = inputShape(run.data());
        if (isDescribable(run.model(), inputShape)) {
            ModelFile.save(modelFile, run.model(), inputShape, preprocessing(run), meta);
        } else {
            // A layer the architecture spec cannot describe: keep the trained weights (and buffers)
            // under their state_dict names so the work is not lost, and say so.
            modelFile = dir.resolve(WEIGHTS_FILE);
            SafeTensors.write(modelFile, run.model().stateDict(), meta);
            out.printf("Note: %s holds the weights only, as the model has a layer a model file cannot describe; "
                    + "evaluate and predict cannot rebuild it%n", modelFile);
        }

        Dataset d = run.data();
        List<String> targets = d.targetNames();
        var data = new RunSummary.DataInfo(run.dataName(), run.task().name().toLowerCase(Locale.ROOT), d.size(),
                d.featureWidth(), d.featureNames(), targets.isEmpty() ? null : String.join(",", targets),
                run.task() == Task.CLASSIFICATION ? d.classCount() : null);
        var last = run.history().last();
        int validation = last.hasValidation() ? last.validation().samples() : 0;
        var split = new RunSummary.Split(run.trainSize() - validation, validation, run.testSize(), run.testFraction(),
                run.seed());
        RunSummary summary = RunSummary.of(spec, data, split, run.history(), run.test(), run.seconds(),
                modelFile.getFileName().toString());
        AtomicFiles.writeString(summaryFile, summary.toJson());
        out.printf("Saved: %s and %s%n", modelFile, summaryFile);
        out.flush();
    }

    /** For models the architecture spec cannot describe (custom layers). */
    static final String WEIGHTS_FILE = "weights.safetensors";

    /**
     * The shape of one sample when the features are more than flat rows (e.g. [1, 28, 28] images),
     * so that readers of the file can reshape flat rows; empty for flat rows.
     */
    static List<Integer> inputShape(Dataset data) {
        int[] shape = data.featureShape();
        if (shape.length <= 2) return List.of();
        return java.util.Arrays.stream(shape, 1, shape.length).boxed().toList();
    }

    private static boolean isDescribable(Sequential model, List<Integer> inputShape) {
        try {
            ArchitectureSpec.of(model, inputShape);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    /** Names, task and the statistics fitted on the training part, as the model file stores them. */
    private static Preprocessing preprocessing(Run run) {
        Dataset d = run.data();
        List<String> targets = d.targetNames();
        return new Preprocessing(
                run.task() == Task.CLASSIFICATION ? Preprocessing.Task.CLASSIFICATION : Preprocessing.Task.REGRESSION,
                d.featureNames().isEmpty() ? null : d.featureNames(),
                targets.size() == 1 ? targets.getFirst() : null,
                run.features() == null ? null : run.features().means(), stds(run.features()),
                run.targets() == null ? null : run.targets().means(), stds(run.targets()),
                run.labels() == null ? null : run.labels().names(), run.missing(),
                run.encoder() == null ? null : run.encoder().columns());
    }

    /** A constant column has std 0, which the Standardizer treats as 1; the file must hold that 1. */
    private static float[] stds(Standardizer s) {
        if (s == null) return null;
        float[] stds = s.stds();
        for (int i = 0; i < stds.length; i++) if (stds[i] == 0) stds[i] = 1;
        return stds;
    }
}

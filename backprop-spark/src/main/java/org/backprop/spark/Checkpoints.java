package org.backprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.io.SafeTensors;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;

/**
 * Checkpoints written by the driver, in the single-machine formats, to any Hadoop file system
 * ({@code file:}, {@code hdfs:}, {@code s3a:}...; a plain path is the driver's disk): the model as
 * a Backprop model file ({@link ModelFile}, safetensors with the architecture in its metadata,
 * loadable by {@code ModelFile.load} and by PyTorch) and the optimizer's
 * {@link Optimizer#stateDict()} as a plain safetensors file beside it. The metadata also holds the
 * epoch, the learning rate, the epochs' losses (to put a learning-rate schedule back where it was)
 * and the settings that fix the data order, so that {@link SparkTrainer#resume} continues the run
 * as if it had never stopped.
 * <pre>{@code
 * trainer.listener(Checkpoints.every(1, "hdfs:///runs/fashion", "fashion"));  // fashion-epoch3.safetensors, ...
 * trainer.resume(Checkpoints.load("hdfs:///runs/fashion/fashion-epoch3.safetensors"));
 * }</pre>
 * Each file is written to a temporary name beside its target and renamed, the optimizer's first:
 * a model file that exists is complete, and its optimizer file is there. A model that is not a
 * {@link Sequential} (which a model file cannot describe) is saved as its bare state dict.
 */
public final class Checkpoints implements TrainingListener {
    /** Suffix of the optimizer-state file that sits beside a model checkpoint. */
    public static final String OPTIMIZER_SUFFIX = ".optimizer.safetensors";

    private final int everyEpochs;
    private final String dir;
    private final String name;
    private final List<Double> epochLosses = new ArrayList<>();
    private SparkTrainConfig config;

    private Checkpoints(int everyEpochs, String dir, String name) {
        if (everyEpochs < 1) throw new IllegalArgumentException("Checkpoints: the interval must be >= 1 epoch, got " + everyEpochs);
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("Checkpoints: '" + name + "' is not a plain file name");
        }
        this.everyEpochs = everyEpochs;
        this.dir = dir.endsWith("/") ? dir.substring(0, dir.length() - 1) : dir;
        this.name = name;
    }

    /** Saves {@code dir/<name>-epoch<N>.safetensors} (and the optimizer file) every {@code everyEpochs} epochs. */
    public static Checkpoints every(int everyEpochs, String dirUri, String name) {
        return new Checkpoints(everyEpochs, dirUri, name);
    }

    /** {@link #every(int, String, String)} on the driver's disk. */
    public static Checkpoints every(int everyEpochs, Path dir, String name) {
        return new Checkpoints(everyEpochs, dir.toAbsolutePath().toUri().toString(), name);
    }

    /**
     * A checkpoint read back: the model and optimizer states and what {@link SparkTrainer#resume}
     * checks and restores.
     *
     * @param epoch       epochs completed
     * @param epochLosses the mean training loss of epochs 1 to {@code epoch}
     * @param metadata    the model file's metadata (epoch, lr, seed, global batch, ...)
     */
    public record Saved(int epoch, Map<String, Tensor> model, Map<String, Tensor> optimizer, List<Double> epochLosses,
            Map<String, String> metadata) {
        /** The learning rate the optimizer had when the checkpoint was written. */
        public double lr() {
            return Double.parseDouble(metadata.get("lr"));
        }
    }

    @Override
    public void onStart(SparkTrainConfig config, List<Double> earlierEpochLosses) {
        this.config = config;
        epochLosses.clear();
        epochLosses.addAll(earlierEpochLosses);
    }

    @Override
    public void onEpochEnd(int epoch, double meanLoss, Module model, Optimizer optimizer) {
        epochLosses.add(meanLoss);
        if (epoch % everyEpochs != 0) return;
        String target = dir + "/" + name + "-epoch" + epoch + ModelFile.EXTENSION;
        try {
            Map<String, String> meta = new LinkedHashMap<>();
            meta.put("epoch_losses", join(epochLosses));
            if (config != null) {
                meta.put("seed", Long.toString(config.seed()));
                meta.put("global_batch", Integer.toString(config.globalBatchSize()));
            }
            save(target, model, optimizer, epoch, meta);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at epoch " + epoch + " could not be written to " + target + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code modelFile} and, beside it, the optimizer state (a path or any Hadoop URI). */
    public static void save(String modelFile, Module model, Optimizer optimizer, int epoch, Map<String, String> extraMetadata)
            throws IOException {
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(epoch));
        meta.put("optimizer", optimizer.getClass().getName());
        meta.put("lr", Double.toString(optimizer.lr()));
        meta.putAll(extraMetadata);
        Path local = Files.createTempDirectory("backprop-checkpoint");
        try {
            Path m = local.resolve("model" + ModelFile.EXTENSION), o = local.resolve("optimizer" + ModelFile.EXTENSION);
            if (model instanceof Sequential s) ModelFile.save(m, s, Preprocessing.none(), meta);
            else SafeTensors.write(m, model.stateDict(), meta);
            SafeTensors.write(o, optimizer.stateDict(), meta);
            upload(o, optimizerFile(modelFile));
            upload(m, modelFile);
        } finally {
            deleteQuietly(local);
        }
    }

    /** Reads a checkpoint written by {@link #every} or {@link #save} (a path or any Hadoop URI). */
    public static Saved load(String modelFile) throws IOException {
        Path local = Files.createTempDirectory("backprop-checkpoint");
        try {
            Path m = download(modelFile, local.resolve("model" + ModelFile.EXTENSION));
            Path o = download(optimizerFile(modelFile), local.resolve("optimizer" + ModelFile.EXTENSION));
            SafeTensors.Contents model = SafeTensors.read(m);
            String epoch = model.metadata().get("epoch");
            if (epoch == null) throw new IllegalArgumentException(modelFile + " is not a Spark training checkpoint (no epoch in its metadata)");
            List<Double> losses = new ArrayList<>();
            String joined = model.metadata().getOrDefault("epoch_losses", "");
            for (String v : joined.isEmpty() ? new String[0] : joined.split(",")) losses.add(Double.parseDouble(v));
            return new Saved(Integer.parseInt(epoch), model.tensors(), SafeTensors.read(o).tensors(), List.copyOf(losses),
                    model.metadata());
        } finally {
            deleteQuietly(local);
        }
    }

    /** Loads a checkpoint's weights into {@code model} and, when given, its state into {@code optimizer}. */
    public static void resume(Path modelFile, Module model, Optimizer optimizer) throws IOException {
        Saved s = load(modelFile.toAbsolutePath().toUri().toString());
        model.loadStateDict(s.model());
        if (optimizer != null) optimizer.loadStateDict(s.optimizer());
    }

    /** {@code x.safetensors} → {@code x.optimizer.safetensors}. */
    public static Path optimizerFile(Path modelFile) {
        return modelFile.resolveSibling(optimizerFile(modelFile.getFileName().toString()));
    }

    static String optimizerFile(String modelFile) {
        String stem = modelFile.endsWith(ModelFile.EXTENSION)
                ? modelFile.substring(0, modelFile.length() - ModelFile.EXTENSION.length()) : modelFile;
        return stem + OPTIMIZER_SUFFIX;
    }

    private static String join(List<Double> values) {
        StringBuilder b = new StringBuilder();
        for (double v : values) b.append(b.isEmpty() ? "" : ",").append(v);
        return b.toString();
    }

    /** Copies a local file to {@code target} through a temporary name beside it, then renames it into place. */
    private static void upload(Path local, String target) throws IOException {
        var dst = new org.apache.hadoop.fs.Path(target);
        FileSystem fs = dst.getFileSystem(hadoopConf());
        fs.mkdirs(dst.getParent());
        var tmp = new org.apache.hadoop.fs.Path(dst.getParent(), "." + dst.getName() + "." + UUID.randomUUID() + ".tmp");
        fs.copyFromLocalFile(false, true, new org.apache.hadoop.fs.Path(local.toUri()), tmp);
        // Hadoop's rename does not replace: drop the old file first (a crash in between leaves the new one under .tmp)
        if (fs.exists(dst)) fs.delete(dst, false);
        if (!fs.rename(tmp, dst)) {
            fs.delete(tmp, false);
            throw new IOException("could not rename " + tmp + " to " + dst);
        }
    }

    private static Path download(String source, Path local) throws IOException {
        var src = new org.apache.hadoop.fs.Path(source);
        FileSystem fs = src.getFileSystem(hadoopConf());
        if (!fs.exists(src)) throw new java.io.FileNotFoundException(source + " does not exist");
        fs.copyToLocalFile(false, src, new org.apache.hadoop.fs.Path(local.toUri()), true);
        return local;
    }

    /** The running SparkContext's Hadoop settings (credentials, spark.hadoop.*), else Hadoop's defaults. */
    private static Configuration hadoopConf() {
        var active = org.apache.spark.SparkContext$.MODULE$.getActive();
        Configuration conf = active.isDefined() ? active.get().hadoopConfiguration() : new Configuration();
        return conf;
    }

    private static void deleteQuietly(Path dir) {
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temporary folder left behind is harmless
        }
    }
}

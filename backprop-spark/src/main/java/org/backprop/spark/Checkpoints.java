package org.backprop.spark;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.io.SafeTensors;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.Optimizer;

/**
 * Checkpoints written by the driver, in the single-machine formats: the model as a Backprop
 * model file ({@link ModelFile}, safetensors with the architecture in its metadata, loadable by
 * {@code ModelFile.load} and by PyTorch) and the optimizer's {@link Optimizer#stateDict()} as a
 * plain safetensors file beside it. Both writes are atomic.
 * <pre>{@code
 * trainer.listener(Checkpoints.every(1, dir, "fashion"));   // fashion-epoch3.safetensors, fashion-epoch3.optimizer.safetensors
 * Checkpoints.resume(dir.resolve("fashion-epoch3.safetensors"), model, optimizer);
 * }</pre>
 * A model that is not a {@link Sequential} (which a model file cannot describe) is saved as its
 * bare state dict, loadable with {@link #resume}.
 */
public final class Checkpoints implements TrainingListener {
    /** Suffix of the optimizer-state file that sits beside a model checkpoint. */
    public static final String OPTIMIZER_SUFFIX = ".optimizer.safetensors";

    private final int everyEpochs;
    private final Path dir;
    private final String name;

    private Checkpoints(int everyEpochs, Path dir, String name) {
        if (everyEpochs < 1) throw new IllegalArgumentException("Checkpoints: the interval must be >= 1 epoch, got " + everyEpochs);
        if (name.isBlank() || name.contains("/") || name.contains("\\")) {
            throw new IllegalArgumentException("Checkpoints: '" + name + "' is not a plain file name");
        }
        this.everyEpochs = everyEpochs;
        this.dir = dir;
        this.name = name;
    }

    /** Saves {@code dir/<name>-epoch<N>.safetensors} (and the optimizer file) every {@code everyEpochs} epochs. */
    public static Checkpoints every(int everyEpochs, Path dir, String name) {
        return new Checkpoints(everyEpochs, dir, name);
    }

    @Override
    public void onEpochEnd(int epoch, double meanLoss, Module model, Optimizer optimizer) {
        if (epoch % everyEpochs != 0) return;
        try {
            save(dir.resolve(name + "-epoch" + epoch + ModelFile.EXTENSION), model, optimizer, epoch);
        } catch (IOException e) {
            throw new UncheckedIOException("checkpoint at epoch " + epoch + " could not be written to " + dir + ": " + e.getMessage(), e);
        }
    }

    /** Writes {@code modelFile} and, beside it, the optimizer state. */
    public static void save(Path modelFile, Module model, Optimizer optimizer, int epoch) throws IOException {
        if (modelFile.getParent() != null) Files.createDirectories(modelFile.getParent());
        Map<String, String> meta = new LinkedHashMap<>();
        meta.put("epoch", Integer.toString(epoch));
        meta.put("optimizer", optimizer.getClass().getSimpleName());
        meta.put("lr", Double.toString(optimizer.lr()));
        if (model instanceof Sequential s) {
            ModelFile.save(modelFile, s, Preprocessing.none(), meta);
        } else {
            SafeTensors.write(modelFile, model.stateDict(), meta);
        }
        SafeTensors.write(optimizerFile(modelFile), optimizer.stateDict(), meta);
    }

    /** Loads a checkpoint's weights into {@code model} and, when given, its state into {@code optimizer}. */
    public static void resume(Path modelFile, Module model, Optimizer optimizer) throws IOException {
        model.loadStateDict(SafeTensors.read(modelFile).tensors());
        if (optimizer != null) optimizer.loadStateDict(SafeTensors.read(optimizerFile(modelFile)).tensors());
    }

    /** {@code x.safetensors} → {@code x.optimizer.safetensors}. */
    public static Path optimizerFile(Path modelFile) {
        String f = modelFile.getFileName().toString();
        String stem = f.endsWith(ModelFile.EXTENSION) ? f.substring(0, f.length() - ModelFile.EXTENSION.length()) : f;
        return modelFile.resolveSibling(stem + OPTIMIZER_SUFFIX);
    }
}

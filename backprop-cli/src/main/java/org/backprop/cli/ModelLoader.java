package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.backprop.io.FileFormatException;
import org.backprop.guard.InputLimits;
import org.backprop.io.ModelFile;

/** Loads the model file a command names, with errors a user can act on. */
final class ModelLoader {
    /** The file name {@code train --out DIR} gives the model inside DIR. */
    static final String MODEL_FILE = "model" + ModelFile.EXTENSION;

    private ModelLoader() {}

    /**
     * Loads {@code path}, or {@code path/model.safetensors} when {@code path} is a directory (as
     * written by {@code train --out}).
     *
     * @throws IllegalArgumentException when there is no such file
     * @throws IOException              naming the file and what is wrong with it (damaged, not a model)
     */
    static ModelFile.SavedModel load(Path path) throws IOException {
        Path file = file(path);
        try {
            return ModelFile.load(file);
        } catch (FileFormatException | InputLimits.TooLargeException e) {
            throw e; // their messages already name the file and the problem
        } catch (IOException e) {
            // e.g. AccessDeniedException, whose message is only the path
            throw new IOException(file + ": cannot read the model file (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    /** As {@link #load}, reading only the file's header: architecture, preprocessing, metadata. */
    static ModelFile.Description describe(Path path) throws IOException {
        Path file = file(path);
        try {
            return ModelFile.describe(file);
        } catch (FileFormatException | InputLimits.TooLargeException e) {
            throw e;
        } catch (IOException e) {
            throw new IOException(file + ": cannot read the model file (" + e.getClass().getSimpleName() + ": "
                    + e.getMessage() + ")", e);
        }
    }

    private static Path file(Path path) {
        Path file = Files.isDirectory(path) ? path.resolve(MODEL_FILE) : path;
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--model: no model file " + file
                    + (Files.isDirectory(path) ? " (the directory has no " + MODEL_FILE + ")" : ""));
        }
        return file;
    }
}

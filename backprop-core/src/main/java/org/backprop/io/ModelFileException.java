package org.backprop.io;

import java.nio.file.Path;

/**
 * A valid safetensors file that is not a loadable Backprop model: no architecture metadata, an
 * architecture Backprop cannot read, or tensors that do not match it. The message names the file
 * and every mismatch found (up to a few).
 */
public final class ModelFileException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public ModelFileException(Path file, String problem) {
        this(file, problem, null);
    }

    public ModelFileException(Path file, String problem, Throwable cause) {
        super(file, "cannot load model", problem, cause);
    }
}

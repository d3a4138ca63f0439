package org.backprop.io;

import java.nio.file.Path;

/**
 * A file that is not a valid safetensors file (or not one Backprop can read): truncated, with a
 * malformed header, or with tensor entries that contradict each other or the file size. The
 * message names the file and the first problem found.
 */
public final class SafeTensorsFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public SafeTensorsFormatException(Path file, String problem) {
        this(file, problem, null);
    }

    public SafeTensorsFormatException(Path file, String problem, Throwable cause) {
        super(file, "not a valid safetensors file", problem, cause);
    }
}

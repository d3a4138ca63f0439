package org.backprop.io;

import java.io.IOException;
import java.nio.file.Path;

/**
 * A file that cannot be read as the format it should be in. The message is one line: the file,
 * what it failed to be ({@code not a valid safetensors file}, {@code cannot load model}...) and
 * the problem found. Each file format has one subclass (so callers can tell them apart), and
 * callers that only report the problem catch this one type.
 */
public class FileFormatException extends IOException {
    private static final long serialVersionUID = 1L;

    private final transient Path file;
    private final String problem;

    /**
     * @param failure what the file failed to be, e.g. {@code not a valid safetensors file}
     * @param problem what is wrong with it, without the file name
     */
    public FileFormatException(Path file, String failure, String problem, Throwable cause) {
        super(file + ": " + failure + ": " + problem, cause);
        this.file = file;
        this.problem = problem;
    }

    /** The file that was being read. */
    public Path file() {
        return file;
    }

    /** What is wrong with it, without the file name. */
    public String problem() {
        return problem;
    }
}

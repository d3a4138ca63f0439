package org.backprop.audio;

import java.nio.file.Path;
import org.backprop.io.FileFormatException;

/** A file that is not audio Backprop can read: the message names the file and the problem in one line. */
public final class AudioFormatException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public AudioFormatException(String source, String problem) {
        super(Path.of(source), "cannot read as WAV", problem, null);
    }
}

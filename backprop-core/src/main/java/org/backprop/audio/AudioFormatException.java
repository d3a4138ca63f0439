package org.backprop.audio;

import java.io.IOException;

/** A file that is not audio Backprop can read: the message names the file and the problem in one line. */
public final class AudioFormatException extends IOException {
    public AudioFormatException(String source, String problem) {
        super(source + ": " + problem);
    }
}

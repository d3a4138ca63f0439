package org.backprop.io.torch;

import java.nio.file.Path;
import org.backprop.io.FileFormatException;

/**
 * A PyTorch checkpoint that cannot be imported: not a {@code torch.save} zip file, a pickle that
 * asks for anything a state dict does not need (refused, never run), storage data that does not
 * fit its tensors, or tensors that do not match the architecture. The message names the file and
 * the problem in one line.
 */
public final class TorchCheckpointException extends FileFormatException {
    private static final long serialVersionUID = 1L;

    public TorchCheckpointException(Path file, String problem) {
        super(file, "cannot import PyTorch checkpoint", problem, null);
    }
}

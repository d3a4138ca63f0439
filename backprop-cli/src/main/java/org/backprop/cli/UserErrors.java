package org.backprop.cli;

import org.backprop.data.MissingValuesException;
import org.backprop.guard.InputLimits;
import picocli.CommandLine;
import picocli.CommandLine.IExecutionExceptionHandler;
import picocli.CommandLine.ParseResult;

/**
 * Turns exceptions from a command into one line a user can act on ("backprop: ..."), exit code 1,
 * and no stack trace unless {@code --verbose} was given.
 */
final class UserErrors implements IExecutionExceptionHandler {
    @Override
    public int handleExecutionException(Exception e, CommandLine cmd, ParseResult parsed) {
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof MissingValuesException m) {
            message = m.source() + ": " + m.count() + " missing value" + (m.count() == 1 ? "" : "s") + " (the first on line "
                    + m.firstLine() + ", column '" + m.firstColumn() + "'): add --missing drop (leave those rows out), "
                    + "--missing mean or --missing median (fill the gaps from the training part)";
        }
        if (e instanceof java.nio.file.FileSystemException f) message = fileProblem(f);
        else if (e instanceof ArithmeticException) message = "a size is too large (" + message + "): lower the sizes given";
        cmd.getErr().println("backprop: " + message);
        if (verbose) e.printStackTrace(cmd.getErr());
        return 1;
    }

    /**
     * An {@link OutOfMemoryError} as one line: what ran out, how large the heap is, and the options
     * that change it (the heap itself, and the input limit the readers apply).
     */
    static String outOfMemory(OutOfMemoryError e, String[] args) {
        String command = args.length == 0 ? "backprop" : "backprop " + args[0];
        return "out of memory in '" + command + "' (" + e.getMessage() + ", Java heap " + InputLimits.size(
                Runtime.getRuntime().maxMemory()) + "): the network, the batch or the data is too large for the heap. "
                + "Give Java more memory with BACKPROP_JAVA_OPTS=-Xmx8g (or more), or use smaller layers, batches or data";
    }

    /** A file-system exception's message is often a bare path ("x: Is a directory", "/etc/x"): say what failed. */
    static String fileProblem(java.nio.file.FileSystemException f) {
        String what = switch (f) {
            case java.nio.file.AccessDeniedException _ -> "permission denied";
            case java.nio.file.NoSuchFileException _ -> "no such file or directory";
            case java.nio.file.FileAlreadyExistsException _ -> "already exists";
            case java.nio.file.NotDirectoryException _ -> "not a directory";
            case java.nio.file.DirectoryNotEmptyException _ -> "directory not empty";
            default -> f.getReason() == null ? f.getClass().getSimpleName() : f.getReason();
        };
        String file = f.getFile() == null ? "" : f.getFile();
        String other = f.getOtherFile() == null ? "" : " (and " + f.getOtherFile() + ")";
        return file + other + ": " + what;
    }
}

package org.backprop.cli;

import org.backprop.data.MissingValuesException;
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
        cmd.getErr().println("backprop: " + message);
        if (verbose) e.printStackTrace(cmd.getErr());
        return 1;
    }
}

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
        if (e instanceof MissingValuesException) message += ": add --missing drop (drop those rows), --missing mean or --missing median";
        cmd.getErr().println("backprop: " + message);
        if (verbose) e.printStackTrace(cmd.getErr());
        return 1;
    }
}

package org.backprop.cli;

import picocli.CommandLine;

/** Entry point of the {@code backprop} command. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return execute(commandLine(), args);
    }

    /** The configured command line (tests set its out and err). */
    static CommandLine commandLine() {
        CommandLine cmd = new CommandLine(new BackpropCommand());
        cmd.setExecutionExceptionHandler(new UserErrors());
        cmd.setCaseInsensitiveEnumValuesAllowed(true);
        return cmd;
    }

    /** Runs {@code args}; an OutOfMemoryError becomes one line too. */
    static int execute(CommandLine cmd, String... args) {
        try {
            return cmd.execute(args);
        } catch (OutOfMemoryError e) {
            // The readers bound what they allocate; what remains is a network or a batch too large for the heap.
            cmd.getErr().println("backprop: " + UserErrors.outOfMemory(e, args));
            return 1;
        }
    }
}

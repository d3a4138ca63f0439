package org.backprop.cli;

import picocli.CommandLine.Command;

@Command(name = "backprop",
        mixinStandardHelpOptions = true,
        version = "backprop 0.1.0",
        description = "Build and train neural networks by backpropagation.",
        subcommands = {TrainCommand.class, ExplainCommand.class, EvaluateCommand.class, PredictCommand.class,
                InfoCommand.class, GradcheckCommand.class, GenerateCommand.class, ImportCommand.class, ExportCommand.class,
                CompletionCommand.class, ManCommand.class,
                picocli.CommandLine.HelpCommand.class})
final class BackpropCommand implements Runnable {
    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        spec.commandLine().usage(System.out);
    }
}

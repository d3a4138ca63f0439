package org.backprop.cli;

import picocli.CommandLine.Option;

/** The options of {@code train --model gpt} (the rest, such as --layers and --lr, are shared). */
final class GptOptions {
    @Option(names = "--iters", paramLabel = "N", description = "--model gpt: training iterations (default: 2000).")
    Integer iters;

    @Option(names = "--heads", defaultValue = "4", description = "--model gpt: attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--width", defaultValue = "128", description = "--model gpt: embedding width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--context", defaultValue = "64", description = "--model gpt: context length in characters (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--dropout", defaultValue = "0", description = "--model gpt: dropout (default: ${DEFAULT-VALUE}).")
    double dropout;

    @Option(names = "--eval-every", defaultValue = "250", paramLabel = "N",
            description = "--model gpt: print train and validation loss every N iterations (default: ${DEFAULT-VALUE}).")
    int evalEvery;
}

package org.backprop.cli;

import picocli.CommandLine.Option;

/**
 * The options of {@code train --model gpt} of its own; --iters, --eval-every, --dropout and
 * --num-layers are the text models' ({@link TextOptions}), --batch-size and --lr are shared.
 */
final class GptOptions {
    @Option(names = "--heads", defaultValue = "4", description = "--model gpt: attention heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--width", defaultValue = "128", description = "--model gpt: embedding width (default: ${DEFAULT-VALUE}).")
    int width;

    @Option(names = "--context", defaultValue = "64", description = "--model gpt: context length in characters (default: ${DEFAULT-VALUE}).")
    int context;
}

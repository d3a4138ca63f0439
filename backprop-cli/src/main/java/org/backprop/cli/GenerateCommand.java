package org.backprop.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.data.CharText;
import org.backprop.io.ModelFile;
import org.backprop.nn.Gpt;
import org.backprop.nn.GptSampler;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** Samples text from a character-level GPT saved by {@code train --model gpt}, with the key/value cache. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Sample text from a language model saved by train --model gpt --out DIR.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "DIR|FILE", description = "The model (a train --out folder or its model.safetensors).")
    Path model;

    @Option(names = "--length", defaultValue = "500", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--prompt", defaultValue = "\n", description = "Text to continue (default: a newline).")
    String prompt;

    @Option(names = "--temperature", defaultValue = "0.8", description = "Sampling temperature > 0; lower is safer (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the sampling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--no-cache", description = "Recompute the whole context for every character (slower; for comparison).")
    boolean noCache;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (length < 0) throw new IllegalArgumentException("--length must be at least 0, got " + length);
        ModelFile.SavedModel saved = ModelLoader.load(model);
        if (saved.model().layers().size() != 1 || !(saved.model().layers().getFirst() instanceof Gpt gpt)) {
            throw new IllegalArgumentException("--model: " + model + " is not a language model (generate needs one trained with --model gpt)");
        }
        CharText vocab = GptRun.vocabulary(saved.metadata(), model);
        int[] promptIds = vocab.encode(prompt.isEmpty() ? "\n" : prompt);
        GptSampler sampler = new GptSampler(gpt);
        long t0 = System.nanoTime();
        int[] ids = sampler.generate(promptIds, length, temperature, new Random(seed), !noCache);
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.print(prompt);
        out.println(vocab.decode(ids));
        out.flush();
        spec.commandLine().getErr().printf(Locale.ROOT, "(%d characters in %.2f s, %.0f characters/s, %s)%n", length, seconds,
                length / Math.max(seconds, 1e-9), noCache ? "no cache" : "key/value cache");
        return 0;
    }
}

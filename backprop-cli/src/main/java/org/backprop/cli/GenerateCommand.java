package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.backprop.io.ModelFile;
import org.backprop.text.CharLanguageModel;
import org.backprop.text.Sampler;
import org.backprop.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** Samples text from a saved character language model, printing each character as it is drawn. */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text with a character language model saved by 'train --data shakespeare|FILE.txt --out DIR'.")
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR", description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Option(names = "--prompt", defaultValue = "", description = "Text to start from (default: a newline).")
    String prompt;

    @Option(names = "--length", defaultValue = "500", description = "Characters to generate (default: ${DEFAULT-VALUE}).")
    int length;

    @Option(names = "--temperature", defaultValue = "0.8",
            description = "Divides the logits: lower is more conservative, 0 always takes the most likely character (default: ${DEFAULT-VALUE}).")
    double temperature;

    @Option(names = "--top-k", defaultValue = "0", description = "Draw among the K most likely characters only; 0 = all (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the sampling generator (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    /** The vocabulary stored with a text model, or a clear error for other models. */
    static Vocabulary vocabulary(ModelFile.SavedModel saved, Path file) {
        String v = saved.metadata().get(TextTraining.VOCABULARY_KEY);
        if (v == null || !CharLanguageModel.fits(saved.model())) {
            throw new IllegalArgumentException(file + " is not a character language model (no vocabulary stored); train one with "
                    + "'train --data shakespeare --model lstm --out DIR'");
        }
        return Vocabulary.fromString(v);
    }

    @Override
    public Integer call() throws IOException {
        if (length < 0) throw new IllegalArgumentException("--length must be ≥ 0, got " + length);
        ModelFile.SavedModel saved = ModelLoader.load(model);
        Vocabulary vocab = vocabulary(saved, model);
        Sampler sampler = new Sampler(temperature, topK, seed);
        PrintWriter out = spec.commandLine().getOut();
        out.print(prompt);
        out.flush();
        CharLanguageModel.generate(saved.model(), vocab, prompt, length, sampler, s -> {
            out.print(s);
            out.flush();
        });
        out.println();
        out.flush();
        return 0;
    }
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.backprop.io.ModelFile;
import org.backprop.nn.Gpt;
import org.backprop.nn.GptSampler;
import org.backprop.text.CharLanguageModel;
import org.backprop.text.Sampler;
import org.backprop.text.Vocabulary;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * Samples text from a saved character language model: a recurrent one (printing each character as
 * it is drawn) or a GPT (with its key/value cache), both through the text package's vocabulary
 * and sampler, so the options mean the same for both.
 */
@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Generate text with a character language model saved by 'train --data shakespeare|FILE.txt [--model lstm|gru|rnn|gpt] --out DIR'.")
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

    @Option(names = "--no-cache", description = "GPT models: recompute the whole context for every character (slower; for comparison).")
    boolean noCache;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    /** The GPT of a saved GPT model, else null. */
    static Gpt gptOf(ModelFile.SavedModel saved) {
        return saved.model().layers().size() == 1 && saved.model().layers().getFirst() instanceof Gpt gpt ? gpt : null;
    }

    /** The vocabulary stored with a GPT, or a clear error when it is missing or does not fit the model. */
    static Vocabulary gptVocabulary(ModelFile.SavedModel saved, Gpt gpt, Path file) {
        String v = saved.metadata().get(TextTraining.VOCABULARY_KEY);
        if (v == null) throw new IllegalArgumentException(file + ": the GPT model file holds no vocabulary (train it with --model gpt)");
        Vocabulary vocab = Vocabulary.fromString(v);
        if (vocab.size() != gpt.config.vocab()) {
            throw new IllegalArgumentException(file + ": the stored vocabulary has " + vocab.size() + " characters, the model " + gpt.config.vocab());
        }
        return vocab;
    }

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
        Gpt gpt = gptOf(saved);
        if (gpt != null) return gpt(saved, gpt);
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

    /** A GPT: the prompt (default a newline) through the key/value cache, then the text at once. */
    private int gpt(ModelFile.SavedModel saved, Gpt gpt) {
        Vocabulary vocab = gptVocabulary(saved, gpt, model);
        int[] promptIds = vocab.encode(prompt.isEmpty() ? "\n" : prompt, "the prompt");
        Sampler sampler = new Sampler(temperature, topK, seed);
        long t0 = System.nanoTime();
        int[] ids = new GptSampler(gpt).generate(promptIds, length, sampler::next, !noCache);
        double seconds = (System.nanoTime() - t0) / 1e9;
        PrintWriter out = spec.commandLine().getOut();
        out.print(prompt);
        out.println(vocab.decode(ids));
        out.flush();
        spec.commandLine().getErr().printf(Locale.ROOT, "(%d characters in %.2f s, %.0f characters/s, %s)%n", length, seconds,
                length / Math.max(seconds, 1e-9), noCache ? "no cache" : "key/value cache");
        return 0;
    }
}

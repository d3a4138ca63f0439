package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Sequential;
import org.backprop.nn.Parameter;
import org.backprop.text.CharLanguageModel;
import org.backprop.text.CharLmTrainer;
import org.backprop.text.Sampler;
import org.backprop.text.TextCorpus;
import org.backprop.train.EpochResult;
import org.backprop.train.GradientHealth;
import org.backprop.train.StepInfo;

/**
 * {@code train} for character language models: {@code --data shakespeare} (built in) or a UTF-8
 * {@code FILE.txt}, {@code --model lstm|gru|rnn}. The recipe is char-rnn's default (embedding
 * 128, two recurrent layers of 128, windows of 64, batches of 32, Adam 2e-3, gradient norm
 * clipped at 5); any option given wins. Prints the training and validation loss in nats per
 * character as it goes and {@code val loss X} at the end; {@code --out DIR} saves the model with
 * its vocabulary.
 */
final class TextTraining {
    /** Model-file metadata key of the vocabulary (its characters in id order). */
    static final String VOCABULARY_KEY = "text.vocabulary";
    /** Model-file metadata key of the training window length, used by {@code evaluate}. */
    static final String SEQ_LEN_KEY = "text.seq_len";

    private TextTraining() {}

    /** The corpus of {@code --data}: the built-in Shakespeare or a UTF-8 text file. */
    static TextCorpus corpus(String data) throws IOException {
        if (data.equalsIgnoreCase(TextCorpus.SHAKESPEARE)) return TextCorpus.shakespeare();
        return TextCorpus.load(Path.of(data));
    }

    static int run(TrainCommand o, PrintWriter out) throws IOException {
        var given = o.spec.commandLine().getParseResult();
        TextOptions t = o.text;
        String kindName = o.modelKind.equalsIgnoreCase("mlp") ? "lstm" : o.modelKind.toLowerCase(Locale.ROOT);
        CharLanguageModel.Kind kind = switch (kindName) {
            case "lstm" -> CharLanguageModel.Kind.LSTM;
            case "gru" -> CharLanguageModel.Kind.GRU;
            case "rnn" -> CharLanguageModel.Kind.RNN;
            default -> throw new IllegalArgumentException("--model " + o.modelKind + " does not read text; use lstm, gru or rnn");
        };
        if (o.data.equalsIgnoreCase("digits") && !given.hasMatchedOption("--data")) o.data = TextCorpus.SHAKESPEARE;
        TextCorpus corpus = corpus(o.data);
        o.checkRunFileOptions();
        int steps = t.seqLen != null ? t.seqLen : CharLmTrainer.Config.STEPS;
        int batch = given.hasMatchedOption("--batch-size") ? o.batchSize : CharLmTrainer.Config.BATCH;
        double lr = o.lr != null ? o.lr : CharLmTrainer.Config.LR;
        double clip = o.clipNorm != null ? o.clipNorm : CharLmTrainer.Config.CLIP;
        double budget = t.time != null ? TextOptions.seconds(t.time) : 0;
        // a time budget without --iters runs as many steps as the budget allows
        int iters = t.iters != null ? t.iters : budget > 0 ? Integer.MAX_VALUE : TextOptions.ITERS;
        String ofIters = iters == Integer.MAX_VALUE ? "" : "/" + iters;
        int evalEvery = t.evalEvery != null ? t.evalEvery : Math.min(TextOptions.EVAL_EVERY, iters);
        int embed = t.embed != null ? t.embed : TextOptions.EMBED, hidden = t.hidden != null ? t.hidden : TextOptions.HIDDEN;
        int layers = t.numLayers != null ? t.numLayers : TextOptions.LAYERS;
        float dropout = t.dropout != null ? t.dropout : 0f;
        if (!o.optimizer.equalsIgnoreCase("adam")) throw new IllegalArgumentException("text models train with adam; --optimizer " + o.optimizer + " is not supported here");

        int[] train = corpus.train(), val = corpus.validation();
        Sequential model = CharLanguageModel.build(kind, corpus.vocab().size(), embed, hidden, layers, dropout, new Random(o.seed));
        out.printf(Locale.ROOT, "Data: %s, %,d characters, vocabulary of %d (%,d train, %,d validation)%n", corpus.name(),
                corpus.length(), corpus.vocab().size(), train.length, val.length);
        out.printf(Locale.ROOT, "Model: Embedding(%d, %d) → %s %d×%d → Linear(%d, %d), %,d parameters%n", corpus.vocab().size(), embed,
                kind, layers, hidden, hidden, corpus.vocab().size(), model.parameterCount());
        String length = budget > 0 ? (t.iters != null ? "at most " + iters + " batches" : "batches") : iters + " iterations";
        String until = budget > 0 ? " for " + ProgressBar.duration(budget) + " of training" : "";
        out.printf(Locale.ROOT, "Recipe: %s of %d windows of %d characters (%s)%s, Adam lr %s, clip %s, seed %d%n", length,
                batch, steps, t.tbptt ? "consecutive, state carried" : "random starts, zero state", until, lr, clip, o.seed);
        out.flush();
        boolean bar = o.progress.resolve(ProgressDisplay.stdoutIsTerminal()) == ProgressDisplay.Mode.BAR;
        TextReport report = new TextReport("Training report: " + kind + " on " + corpus.name());
        // the gradient-health monitor, one "epoch" per evaluation interval
        GradientHealth health = new GradientHealth(model).listener(w -> {
            if (bar) out.print("\r\033[K");
            out.println("warning: " + w.message());
        });
        long t0 = System.nanoTime();
        int[] lastIter = {0}; // the step of the last evaluation: the run's length under a time budget
        double valLoss = CharLmTrainer.train(model, train, val,
                new CharLmTrainer.Config(iters, steps, batch, lr, clip, o.seed, t.tbptt, evalEvery, budget), new CharLmTrainer.Listener() {
                    private int interval = 1;
                    private long intervalStart = System.nanoTime();

                    @Override
                    public void beforeStep(int it, List<Parameter> parameters) {
                        if ((it - 1) % evalEvery == 0) health.onEpochStart(interval);
                        health.beforeStep(parameters);
                    }

                    @Override
                    public void step(int it, double loss, double tps) {
                        health.onBatchEnd(new StepInfo(interval, (it - 1) % evalEvery + 1, evalEvery, loss, it * batch));
                        if (bar) {
                            double trained = (double) it * batch * steps / tps; // seconds of training so far
                            String filled = budget > 0 && trained / budget > (double) it / iters
                                    ? ProgressBar.bar((int) Math.min(1000, 1000 * trained / budget), 1000) : ProgressBar.bar(it, iters);
                            out.printf(Locale.ROOT, "\r%s iter %d%s  loss %.4f  %,.0f chars/s ", filled, it, ofIters, loss, tps);
                            out.flush();
                        }
                    }

                    @Override
                    public void evaluated(int it, double trainLoss, double v) {
                        health.onEpochEnd(new EpochResult(interval++, null, null, lr, (System.nanoTime() - intervalStart) / 1e9));
                        intervalStart = System.nanoTime();
                        report.evaluated(it, trainLoss, v);
                        lastIter[0] = it;
                        if (bar) out.print("\r\033[K");
                        out.printf(Locale.ROOT, "iter %d%s: train loss %.4f, val loss %.4f nats/char (%.1f s)%n", it, ofIters, trainLoss, v,
                                (System.nanoTime() - t0) / 1e9);
                        out.flush();
                    }
                });
        Map<String, double[]> throughTime = health.stepGradientNorms().getLast();
        printThroughTime(out, throughTime);
        out.printf(Locale.ROOT, "val loss %.4f (perplexity %.2f)%n", valLoss, Math.exp(valLoss));
        if (o.output.dir != null) {
            Files.createDirectories(o.output.dir);
            Path file = o.output.dir.resolve(ModelLoader.MODEL_FILE);
            Preprocessing classify = new Preprocessing(Preprocessing.Task.CLASSIFICATION, null, null, null, null, null, null);
            ModelFile.save(file, model, List.of(steps), classify, Map.of(VOCABULARY_KEY, corpus.vocab().asString(),
                    SEQ_LEN_KEY, Integer.toString(steps), TrainOutput.DATASET_KEY, corpus.name()));
            out.println("Saved " + file);
        }
        if (o.plots || o.report) {
            StringBuilder sample = new StringBuilder();
            CharLanguageModel.generate(model, corpus.vocab(), "", SAMPLE_LENGTH, new Sampler(0.8, 0, o.seed), sample::append);
            report.stepNorms(throughTime);
            report.sample(sample.toString());
            report.metric("validation loss", String.format(Locale.ROOT, "%.4f nats per character (perplexity %.2f)", valLoss, Math.exp(valLoss)))
                    .setting("data", corpus.name() + ", " + corpus.length() + " characters, vocabulary of " + corpus.vocab().size())
                    .setting("model", "Embedding(" + corpus.vocab().size() + ", " + embed + ") → " + kind + " " + layers + "×" + hidden
                            + " → Linear, " + model.parameterCount() + " parameters")
                    .setting("training", lastIter[0] + " iterations of " + batch + " windows of " + steps + " characters, Adam lr " + lr
                            + ", clip " + clip + ", seed " + o.seed);
            report.write(o.output.dir, o.plots, o.report, out);
        }
        out.flush();
        return 0;
    }

    /** Characters sampled (temperature 0.8, from a newline) for the report. */
    static final int SAMPLE_LENGTH = 300;

    /** The gradient reaching every eighth step of each recurrent layer, from the last evaluation interval. */
    private static void printThroughTime(PrintWriter out, Map<String, double[]> norms) {
        norms.forEach((layer, n) -> {
            StringBuilder line = new StringBuilder(String.format(Locale.ROOT, "gradient reaching each step, ‖∂L/∂h_t‖ (layer %s):", layer));
            int every = Math.max(1, n.length / 8);
            for (int t = n.length; t >= 1; t -= every) line.append(String.format(Locale.ROOT, " t=%d %.2e", t, n[t - 1]));
            if ((n.length - 1) % every != 0) line.append(String.format(Locale.ROOT, " t=1 %.2e", n[0]));
            out.println(line);
        });
    }
}

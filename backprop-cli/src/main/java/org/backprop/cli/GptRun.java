package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Gpt;
import org.backprop.nn.GptSampler;
import org.backprop.nn.Sequential;
import org.backprop.text.TextCorpus;
import org.backprop.train.GptTraining;

/**
 * {@code train --model gpt}: a character-level GPT trained by iterations with nanoGPT's CPU recipe
 * for Tiny Shakespeare (4 layers, 4 heads, width 128, context 64, batch 12, AdamW lr 1e-3 betas
 * (0.9, 0.99) weight decay 0.1, 100 warm-up iterations, cosine to 1e-4 at 2000, clip 1.0), each
 * option given on the command line winning. Prints the train and validation losses every
 * {@code --eval-every} iterations and {@code val loss X} at the end; saves model.safetensors
 * (with the vocabulary, stored as the recurrent text models store theirs, so {@code generate}
 * reads both) into {@code --out}, and checkpoints it can resume from exactly. The text is read
 * by the text package ({@link TextCorpus}), as for the recurrent models.
 */
final class GptRun {
    static final int EVAL_BATCHES = 20;

    private final TrainCommand c;

    GptRun(TrainCommand c) {
        this.c = c;
    }

    int run(PrintWriter out) throws IOException {
        TextOptions o = c.text;
        GptTraining.Recipe recipe = GptTraining.Recipe.nanoCpu().withIters(o.iters == null ? TextOptions.ITERS : o.iters);
        if (c.given("--batch-size")) recipe = recipe.withBatch(c.batchSize);
        if (c.lr != null) recipe = recipe.withLr(c.lr);
        int layers = o.numLayers != null ? o.numLayers : c.given("--layers") ? parse("--layers", c.layerSpec) : 4;
        int evalEvery = o.evalEvery != null ? o.evalEvery : TextOptions.EVAL_EVERY;
        if (evalEvery < 1) throw new IllegalArgumentException("--eval-every must be at least 1, got " + evalEvery);
        if (c.data.equalsIgnoreCase("digits") && !c.given("--data")) c.data = TextCorpus.SHAKESPEARE;
        TextCorpus text = TextTraining.corpus(c.data);
        Gpt.Config config = new Gpt.Config(text.vocab().size(), c.gpt.context, layers, c.gpt.heads, c.gpt.width,
                o.dropout == null ? 0f : o.dropout);
        int[] train = text.train(), val = text.validation();
        if (val.length <= config.context()) {
            throw new IllegalArgumentException(c.data + ": the validation part (last 10%) has " + val.length
                    + " characters, not more than the context of " + config.context() + "; use a longer text or a smaller --context");
        }
        Gpt model = new Gpt(config, new Random(c.seed));
        GptTraining t = new GptTraining(model, recipe);
        long seed = c.seed;
        if (c.resume != null) {
            seed = t.resume(c.resume);
            out.printf(Locale.ROOT, "Resuming from %s after iteration %d%n", c.resume, t.iteration());
        }
        out.printf(Locale.ROOT, "Data: %s, %,d characters, vocabulary %d (%,d train, %,d validation)%n",
                text.name(), text.length(), text.vocab().size(), train.length, val.length);
        out.printf(Locale.ROOT, "Model: %s, %,d parameters%n", org.backprop.io.GptSpec.of(model).describe(), model.parameterCount());
        out.printf(Locale.ROOT, "Recipe: batch %d, AdamW lr %s betas (%s, %s) weight decay %s on matrices, %d warm-up iterations, "
                        + "cosine to %s at %d, clip %s (options given on the command line win)%n", recipe.batch(),
                TrainCommand.fmt(recipe.lr()), recipe.beta1(), recipe.beta2(), recipe.weightDecay(), recipe.warmup(),
                TrainCommand.fmt(recipe.minLr()), recipe.iters(), TrainCommand.fmt(recipe.clip()));
        out.flush();
        Map<String, String> vocab = Map.of(TextTraining.VOCABULARY_KEY, text.vocab().asString(), TrainOutput.DATASET_KEY, text.name());
        TextReport report = new TextReport("Training report: GPT on " + text.name());
        long t0 = System.nanoTime(), training = 0;
        int start = t.iteration();
        for (int it = start; it < recipe.iters(); it++) {
            long s0 = System.nanoTime();
            float loss = t.step(train, t.startsAt(seed, it, train.length));
            training += System.nanoTime() - s0;
            int done = it + 1;
            if (done % evalEvery == 0 || done == recipe.iters()) {
                double seconds = training / 1e9, trainLoss = t.estimateLoss(train, EVAL_BATCHES, 2), valLoss = t.estimateLoss(val, EVAL_BATCHES, 1);
                report.evaluated(done, trainLoss, valLoss);
                out.printf(Locale.ROOT, "iter %d: batch loss %.4f, train loss %.4f, val loss %.4f, lr %.2e, %.0f tokens/s (training)%n", done, loss,
                        trainLoss, valLoss, t.optimizer.lr(), (double) (done - start) * recipe.batch() * config.context() / seconds);
                out.flush();
            }
            if (c.checkpointEvery != null && done % c.checkpointEvery == 0) {
                t.saveCheckpoint(c.output.dir.resolve("checkpoint.safetensors"), seed, vocab);
            }
        }
        double seconds = (System.nanoTime() - t0) / 1e9;
        double valLoss = t.estimateLoss(val, 200, 1);
        out.printf(Locale.ROOT, "Trained %d iterations in %.1f s%n", recipe.iters() - start, seconds);
        out.printf(Locale.ROOT, "val loss %.4f%n", valLoss);
        int[] newline = {Math.max(0, text.vocab().id('\n'))}; // a newline, or the first character of a text without one
        int[] sample = new GptSampler(model).generate(newline, 200, 0.8, new Random(c.seed), true);
        out.println("Sample (200 characters, temperature 0.8):");
        out.println(text.vocab().decode(sample));
        out.flush();
        if (c.plots || c.report) {
            report.sample(text.vocab().decode(sample));
            report.metric("validation loss", String.format(Locale.ROOT, "%.4f nats per character (perplexity %.2f)", valLoss, Math.exp(valLoss)))
                    .setting("data", text.name() + ", " + text.length() + " characters, vocabulary of " + text.vocab().size())
                    .setting("model", org.backprop.io.GptSpec.of(model).describe() + ", " + model.parameterCount() + " parameters")
                    .setting("training", recipe.iters() + " iterations of batch " + recipe.batch() + ", AdamW lr " + TrainCommand.fmt(recipe.lr())
                            + " (warm-up " + recipe.warmup() + ", cosine to " + TrainCommand.fmt(recipe.minLr()) + "), clip "
                            + TrainCommand.fmt(recipe.clip()) + ", seed " + c.seed + (start > 0 ? ", resumed after iteration " + start : ""));
            report.write(c.output.dir, c.plots, c.report, out);
        }
        if (c.output.dir != null) {
            Path file = c.output.dir.resolve(ModelLoader.MODEL_FILE);
            ModelFile.save(file, new Sequential(model), List.of(config.context()), Preprocessing.none(), vocab);
            out.printf("Saved %s%n", file);
        }
        return 0;
    }

    private static int parse(String option, String v) {
        try {
            return Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(option + " for --model gpt is the number of transformer blocks, got '" + v + "'");
        }
    }
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.data.Dataset;
import org.backprop.data.BatchTransform;
import org.backprop.data.Standardizer;
import org.backprop.loss.Loss;
import org.backprop.loss.Losses;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adagrad;
import org.backprop.optim.Adam;
import org.backprop.optim.GradClip;
import org.backprop.optim.LrScheduler;
import org.backprop.optim.Optimizer;
import org.backprop.optim.Optimizers;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.backprop.train.Callback;
import org.backprop.train.Checkpoint;
import org.backprop.train.FitConfig;
import org.backprop.train.Evaluation;
import org.backprop.train.GradientHealth;
import org.backprop.train.History;
import org.backprop.train.Metrics;
import org.backprop.train.Predictions;
import org.backprop.train.Task;
import org.backprop.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains a multilayer perceptron on a built-in dataset or a CSV table and reports its test
 * metrics. With no options: the 8×8 digits, a 64-64-10 ReLU network, Adam, early stopping; the
 * defaults were tuned for tables of a few hundred rows (docs/TABLES.md).
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on a built-in dataset (digits, housing, fashion-mnist) or a CSV file.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "digits", paramLabel = "NAME|FILE.csv",
            description = "digits (8×8 images of digits), housing (Boston house prices), fashion-mnist (28×28 clothing "
                    + "images, found or downloaded: --data-dir), fsdd (spoken digits, WAV recordings: --data-dir), "
                    + "shakespeare (Tiny Shakespeare, for --model lstm|gru|rnn), a CSV file with a header and --target, or "
                    + "a UTF-8 FILE.txt (default: ${DEFAULT-VALUE}).")
    String data;

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Option(names = "--split", defaultValue = "official", paramLabel = "official|speaker=NAME",
            description = "With --data fsdd: official (recordings 0-4 of each digit and speaker are the test set) or "
                    + "speaker=NAME (hold one speaker out) (default: ${DEFAULT-VALUE}).")
    String split;

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "KIND",
            description = "mlp (sized by --layers), cnn (a small batch-norm CNN) or lenet (LeNet-5), which need 28×28 images; lstm, gru or rnn "
                    + "for text; gpt (a character-level transformer) for --data shakespeare or FILE.txt (default: ${DEFAULT-VALUE}).")
    String modelKind;

    @Mixin
    CsvInput csv = new CsvInput();

    @Option(names = "--target", paramLabel = "COLUMN", description = "The CSV column to predict.")
    String target;

    @Option(names = "--drop", split = ",", paramLabel = "COLUMN", description = "CSV columns to leave out.")
    List<String> drop = new ArrayList<>();

    @Option(names = "--task", paramLabel = "TASK",
            description = "classification or regression (built-ins know theirs; CSV default: regression).")
    Task task;

    @Option(names = "--missing", defaultValue = "fail", paramLabel = "POLICY",
            description = "Missing CSV cells (empty, NA, NaN, null, ?): drop the rows, fill with the training part's mean "
                    + "or median (text columns: most frequent category), or fail naming the first (default: ${DEFAULT-VALUE}).")
    String missing;

    @Option(names = "--cv", paramLabel = "K",
            description = "K-fold cross-validation instead of one test split: K trainings, every fold's test metric, "
                    + "their mean and spread (stratified for classification); saves no model.")
    Integer cv;

    @Option(names = "--batch-norm", description = "MLP: batch normalisation after each hidden layer (a remedy for vanishing gradients).")
    boolean batchNorm;

    // The defaults of the next options were tuned on small tables (docs/TABLES.md); the image recipe overrides them.
    @Option(names = "--layers", defaultValue = "64", paramLabel = "N,N,...",
            description = "Hidden layer sizes (default: ${DEFAULT-VALUE}); 'none' for a linear model.")
    String layerSpec;

    @Option(names = "--activation", defaultValue = "relu",
            description = "relu, leaky_relu, elu, gelu, sigmoid or tanh (default: ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--init", defaultValue = "auto",
            description = "Weight init: auto (He for ReLU-family, Xavier for sigmoid/tanh), he, xavier, lecun, pytorch (default: ${DEFAULT-VALUE}).")
    String init;

    @Option(names = "--loss", defaultValue = "auto",
            description = "auto (cross_entropy for classification, mse for regression) or one of: ${COMPLETION-CANDIDATES}",
            completionCandidates = LossNames.class)
    String loss;

    @Option(names = "--optimizer", defaultValue = "adam",
            description = "sgd, adam, adamw, rmsprop or adagrad (default: ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = {"--lr", "--learning-rate"}, paramLabel = "η",
            description = "Learning rate (default: " + Adam.DEFAULT_LR + " for adam/adamw, " + Optimizers.RMSPROP_LR
                    + " for rmsprop, " + Adagrad.DEFAULT_LR + " for adagrad, " + Optimizers.SGD_LR + " for sgd).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "" + Optimizers.SGD_MOMENTUM, description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 penalty; decoupled for adamw (default: " + TrainSetup.REGRESSION_WEIGHT_DECAY + " for a regression, else ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "none", paramLabel = "KIND",
            description = "Learning-rate schedule: none, cosine (anneal to 0 over --epochs), step (×0.1 every third of --epochs) or plateau (×0.1 after --patience/2 epochs without improvement) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--augment", defaultValue = "auto", paramLabel = "LIST",
            description = "Randomly change each training batch of images: shift (up to 2 px, or shift=N), flip (mirror half left-right), mask (--data fsdd: SpecAugment band and frame masks), "
                    + "both as shift,flip, or none; auto is shift for --model cnn and none otherwise (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--batch-size", defaultValue = "16", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "200", description = "Most epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", defaultValue = "20",
            description = "Early stopping: epochs without validation improvement before stopping, best weights restored; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--tolerance", paramLabel = "TOL",
            description = "Convergence: stop when the training loss changes by less than TOL for --patience epochs.")
    Double tolerance;

    @Option(names = "--clip-norm", paramLabel = "MAX", description = "Clip the global gradient norm to MAX.")
    Double clipNorm;

    @Option(names = "--val-fraction", defaultValue = "0.2",
            description = "Part of the training data held out for validation (default: ${DEFAULT-VALUE}).")
    double valFraction;

    @Option(names = "--test-fraction", defaultValue = "0.2",
            description = "Part of the data held out for the final test (default: ${DEFAULT-VALUE}).")
    double testFraction;

    @Option(names = "--seed", defaultValue = "42", description = "Seed for the split, the initial weights and the shuffling (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Mixin
    TrainOutput output;

    @Mixin
    TextOptions text = new TextOptions();

    // ---- progress, plots, report, checkpoints (with the folder they are written to)
    @Option(names = "--progress", defaultValue = "auto", paramLabel = "MODE",
            description = "auto (a bar redrawn in place on a terminal, a line per epoch otherwise), bar, lines or none (default: ${DEFAULT-VALUE}).")
    ProgressDisplay.Mode progress;

    @Option(names = "--plots", description = "Write PNG charts of the losses, the metric and each layer's gradients into --out.")
    boolean plots;

    @Option(names = "--report", description = "Write report.html (settings, curves, metrics, confusion matrix, gradient health) into --out.")
    boolean report;

    @Option(names = "--checkpoint-every", paramLabel = "N",
            description = "Save the training state to checkpoint.safetensors in --out every N epochs and after the last.")
    Integer checkpointEvery;

    @Mixin
    GptOptions gpt = new GptOptions();

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run saved in checkpoint FILE; give the options of that run, with more --epochs if needed.")
    Path resume;

    /** With --data fsdd and --plots or --report: a few test spectrograms. */
    List<Plots.Chart> speechPictures;

    static final class LossNames extends ArrayList<String> {
        LossNames() {
            super(Losses.names());
        }
    }

    @Override
    public Integer call() throws IOException {
        try {
            return run();
        } finally {
            output.release();
        }
    }

    private int run() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (modelKind.equalsIgnoreCase("gpt")) {
            if (text.tbptt || text.seqLen != null || text.hidden != null || text.embed != null) {
                throw new IllegalArgumentException("--tbptt, --seq-len, --hidden and --embed are for lstm, gru and rnn; a GPT takes --context, --width and --heads");
            }
            if (text.time != null) {
                throw new IllegalArgumentException("--time is for lstm, gru and rnn; a GPT's learning-rate schedule is set by --iters");
            }
            checkRunFileOptions();
            return new GptRun(this).run(out);
        }
        if (TextOptions.applies(data, modelKind)) return TextTraining.run(this, out);
        if (text.time != null) throw new IllegalArgumentException("--time is for text models (lstm, gru, rnn); this model trains by --epochs");
        TrainSetup setup = new TrainSetup(this);
        String recipe = setup.applyImageRecipe();
        setup.check();
        checkRunFileOptions();
        TrainSetup.Loaded loaded = setup.load();
        Task t = loaded.task();
        setup.applyTaskDefaults(t);
        if (cv != null) return crossValidate(out, setup, loaded);
        TrainParts parts = loaded.table() != null ? TrainParts.of(loaded.table(), testFraction, seed)
                : TrainParts.of(loaded.data(), loaded.test(), t, testFraction, seed);
        Dataset train = parts.train(), test = parts.test();
        if (t == Task.CLASSIFICATION && parts.all() != null) TrainSetup.checkClasses(parts.all(), loaded.name());

        // Standardise with statistics of the training part only, so the test set stays unseen.
        Standardizer xs = loaded.standardizeFeatures() ? Standardizer.fitFeatures(train) : null;
        Standardizer ys = t == Task.REGRESSION ? Standardizer.fitTargets(train) : null;
        if (xs != null) {
            train = xs.transformFeatures(train);
            test = xs.transformFeatures(test);
        }
        Dataset trainScaled = ys == null ? train : ys.transformTargets(train);

        int outputs = t != Task.CLASSIFICATION ? parts.all().targetWidth()
                : parts.labels() != null ? parts.labels().count() : parts.all().classCount();
        Sequential model = setup.model(train, outputs, loaded.name(), new Random(seed));
        Loss lossFn = Losses.named(loss.equals("auto") ? (t == Task.CLASSIFICATION ? "cross_entropy" : "mse") : loss);
        Optimizer opt = setup.optimizer(model.parameters());

        out.printf(Locale.ROOT, "Data: %s, %d %s, %d features → %s %s%n", loaded.name(), parts.size(),
                loaded.table() != null ? "rows" : "samples", train.featureWidth(), parts.target(t, outputs), parts.counts());
        parts.describe("--task", "--missing").forEach(out::println);
        out.printf(Locale.ROOT, "Model: %s, %,d parameters; %s, %s, lr %s%s, batch %d%n",
                setup.describe(train.featureWidth(), outputs), model.parameterCount(), lossName(lossFn), optimizer,
                fmt(opt.lr()), weightDecay > 0 ? ", weight decay " + fmt(weightDecay) : "", batchSize);
        if (recipe != null) {
            out.printf(Locale.ROOT, "Recipe for --model %s on %s: %s (options given on the command line win)%n", modelKind,
                    loaded.name(), recipe);
        }
        out.flush();

        FitConfig config = FitConfig.of(t).withEpochs(epochs).withBatchSize(batchSize).withSeed(seed);
        if (valFraction > 0) config = config.withValidationFraction(valFraction);
        if (patience > 0 && valFraction > 0) config = config.withEarlyStopping(patience, 0);
        if (tolerance != null) config = config.withConvergence(tolerance, Math.max(1, patience));

        // The monitor first, so it sees the gradients before clipping; the bar before the epoch lines, which it clears.
        ProgressDisplay display = new ProgressDisplay(out, progress.resolve(ProgressDisplay.stdoutIsTerminal()), epochs);
        GradientHealth health = new GradientHealth(model).listener(new HealthPrinter(display, activation,
                modelKind.equalsIgnoreCase("mlp"), batchNorm));
        Trainer trainer = new Trainer(model, lossFn, opt).callback(health).callback(display);
        // Only checkpoints use them, and the data fingerprint reads every value once.
        if (checkpointEvery != null || resume != null) trainer.runSettings(setup.runSettings(loaded, train, test));
        BatchTransform augmentation = setup.augmentation();
        if (augmentation != null) {
            trainer.augmentation(augmentation);
            out.printf(Locale.ROOT, "Augmentation: %s (training batches only)%n", augmentation);
        }
        LrScheduler scheduler = setup.scheduler(opt);
        if (scheduler != null) trainer.scheduler(scheduler);
        if (display.printsEpochLines()) trainer.callback(new EpochPrinter(out, t, epochs));
        if (checkpointEvery != null) trainer.checkpoint(output.dir.resolve("checkpoint.safetensors"), checkpointEvery);
        if (resume != null) {
            Checkpoint checkpoint = Checkpoint.load(resume);
            trainer.resume(checkpoint);
            out.printf(Locale.ROOT, "Resuming from %s after epoch %d%n", resume, checkpoint.epoch());
        }
        if (clipNorm != null) {
            double max = clipNorm;
            trainer.callback(new Callback() {
                @Override
                public void beforeStep(List<Parameter> parameters) {
                    GradClip.clipGradNorm(parameters, max);
                }
            });
        }
        long t0 = System.nanoTime();
        History history = trainer.fit(trainScaled, config);
        double seconds = (System.nanoTime() - t0) / 1e9;
        out.printf(Locale.ROOT, "Stopped: %s (%.1f s)%s%n", history.stopMessage(), seconds,
                history.restoredBestWeights() && !history.stopMessage().contains("best epoch")
                        ? "; the weights of epoch " + history.bestEpoch() + " (lowest validation loss) are restored" : "");
        String hint = StopHint.of(history, epochs);
        if (hint != null) out.println(hint);

        model.eval();
        Tensor predictions = Predictions.of(model, test, Math.max(batchSize, 256));
        if (t == Task.CLASSIFICATION) {
            out.printf(Locale.ROOT, "Test accuracy: %.4f (%d samples)%n", Metrics.accuracy(predictions, test.targets()),
                    test.size());
            if (setup.speech != null) Speech.afterTraining(out, this.split, setup.speech.features(), predictions, test, output);
        } else {
            // Metrics in the target's own units: undo the target standardisation first.
            Tensor p = ys.inverseTransform(predictions);
            Evaluation e = Metrics.of(Task.REGRESSION, p, test.targets());
            out.printf(Locale.ROOT, "Test RMSE: %.4f   MAE: %.4f   R²: %.4f (%d samples)%n", e.rmse(), e.mae(), e.r2(),
                    test.size());
        }
        out.flush();
        if ((plots || report) && setup.speech != null) {
            int[] predicted = new int[test.size()];
            Tensor classes = predictions.argmax(1, false);
            for (int i = 0; i < predicted.length; i++) predicted[i] = (int) classes.get(i);
            speechPictures = Speech.spectrograms(setup.speech.features(), test.features().toFloatArray(), setup.speechSplit.test(),
                    predicted, 4);
        }
        if (plots || report) {
            TrainReport.write(this, out, history, health, t, predictions, test, ys, setup.describe(train.featureWidth(), outputs),
                    model.parameterCount(), lossName(lossFn), loaded.name(), setup.augmentation());
        }
        Evaluation testMetrics = Metrics.of(t, ys == null ? predictions : ys.inverseTransform(predictions), test.targets());
        output.save(spec, out, new TrainOutput.Run(loaded.name(), parts.all(), t, model, xs, ys, train.size(), test.size(),
                testFraction, seed, history, seconds, testMetrics, parts.encoder(), parts.labels(),
                loaded.table() == null ? null : loaded.table().policy(), parts.stratified()));
        return 0;
    }

    /** --cv K: the folds' scores instead of one run; nothing is saved. */
    private int crossValidate(PrintWriter out, TrainSetup setup, TrainSetup.Loaded loaded) {
        Task t = loaded.task();
        boolean cls = t == Task.CLASSIFICATION;
        var table = loaded.table();
        int n = table != null ? table.size() : loaded.data().size();
        var folds = table != null ? table.folds(cv, seed)
                : org.backprop.data.Splits.kFold(cls ? loaded.data().classIndices() : null, n, cv, seed);
        int outputs = !cls ? 1 : table != null ? table.labels().count() : loaded.data().classCount();
        out.printf(Locale.ROOT, "Data: %s, %d %s → %s; %d-fold cross-validation%n", loaded.name(), n,
                table != null ? "rows" : "samples", cls ? "classification into " + outputs + " classes" : "regression", cv);
        if (table != null) TrainParts.of(table, 1.0 / cv, seed).describe("--task", "--missing").forEach(out::println);
        Loss lossFn = Losses.named(loss.equals("auto") ? (cls ? "cross_entropy" : "mse") : loss);
        FitConfig config = FitConfig.of(t).withEpochs(epochs).withBatchSize(batchSize).withSeed(seed);
        if (valFraction > 0) config = config.withValidationFraction(valFraction);
        if (patience > 0 && valFraction > 0) config = config.withEarlyStopping(patience, 0);
        CrossValidation.run(out, folds, rows -> {
                    if (table == null) return loaded.data().split(rows);
                    var prepared = table.prepare(rows);
                    return new Dataset.Split(prepared.train(), prepared.test());
                },
                new CrossValidation.Recipe(t, train -> setup.model(train, outputs, loaded.name(), new Random(seed)),
                        setup::optimizer, lossFn, config, loaded.standardizeFeatures()));
        return 0;
    }

    /** Whether the option was given on the command line. */
    boolean given(String option) {
        return spec.commandLine().getParseResult().hasMatchedOption(option);
    }

    /** --plots, --report and --checkpoint-every write into --out, which is created here. */
    void checkRunFileOptions() throws IOException {
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be at least 1, got " + checkpointEvery);
        }
        if (output.dir == null && (plots || report || checkpointEvery != null)) {
            throw new IllegalArgumentException("--plots, --report and --checkpoint-every write into a folder: give it with --out DIR");
        }
        if (resume != null && !Files.isRegularFile(resume)) throw new IllegalArgumentException("--resume: no file " + resume);
        output.prepare(resume != null); // --out checked writable and locked before any training
    }

    private static String lossName(Loss l) {
        return l.getClass().getSimpleName();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.autograd.GradMode;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.CsvTable;
import org.backprop.data.Dataset;
import org.backprop.data.FashionMnist;
import org.backprop.data.ImageAugmentation;
import org.backprop.data.Standardizer;
import org.backprop.loss.Loss;
import org.backprop.loss.Losses;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adagrad;
import org.backprop.optim.Adam;
import org.backprop.optim.AdamW;
import org.backprop.optim.CosineAnnealingLR;
import org.backprop.optim.GradClip;
import org.backprop.optim.LrScheduler;
import org.backprop.optim.ReduceLROnPlateau;
import org.backprop.optim.StepLR;
import org.backprop.optim.Optimizer;
import org.backprop.optim.RMSprop;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.backprop.train.Callback;
import org.backprop.train.Checkpoint;
import org.backprop.train.ConfusionMatrix;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.FitConfig;
import org.backprop.train.GradientHealth;
import org.backprop.train.History;
import org.backprop.train.Metrics;
import org.backprop.train.Task;
import org.backprop.train.Trainer;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Trains a multilayer perceptron on a built-in dataset or a CSV table and reports its test
 * metrics. With no options: the 8×8 digits, a 64-64-32-10 ReLU network, Adam, early stopping.
 */
@Command(name = "train", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Train a network on a built-in dataset (digits, housing) or a CSV file.")
final class TrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--data", defaultValue = "digits", paramLabel = "NAME|FILE.csv",
            description = "A built-in dataset (digits, housing) or a CSV file with a header (default: ${DEFAULT-VALUE}).")
    String data;

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Option(names = "--model", defaultValue = "mlp", paramLabel = "KIND",
            description = "mlp (sized by --layers), cnn (a small batch-norm CNN) or lenet (LeNet-5); the last two need 28×28 images (default: ${DEFAULT-VALUE}).")
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

    @Option(names = "--layers", defaultValue = "64,32", paramLabel = "N,N,...",
            description = "Hidden layer sizes (default: ${DEFAULT-VALUE}); 'none' for a linear model.")
    String layerSpec;

    /** The dataset's name, for messages. */
    private String loadedName;

    /** Hidden sizes parsed from --layers. */
    List<Integer> layers;

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
            description = "Learning rate (default: 1e-3 for adam/adamw/rmsprop, 1e-2 for adagrad, 0.05 for sgd).")
    Double lr;

    @Option(names = "--momentum", defaultValue = "0.9", description = "SGD momentum (default: ${DEFAULT-VALUE}).")
    double momentum;

    @Option(names = "--weight-decay", defaultValue = "0", description = "L2 penalty; decoupled for adamw (default: ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--schedule", defaultValue = "none", paramLabel = "KIND",
            description = "Learning-rate schedule: none, cosine (anneal to 0 over --epochs), step (×0.1 every third of --epochs) or plateau (×0.1 after --patience/2 epochs without improvement) (default: ${DEFAULT-VALUE}).")
    String schedule;

    @Option(names = "--augment", defaultValue = "auto", paramLabel = "LIST",
            description = "Randomly change each training batch of images: shift (up to 2 px, or shift=N), flip (mirror half left-right), "
                    + "both as shift,flip, or none; auto is shift for --model cnn and none otherwise (default: ${DEFAULT-VALUE}).")
    String augment;

    @Option(names = "--batch-size", defaultValue = "32", description = "Mini-batch size (default: ${DEFAULT-VALUE}).")
    int batchSize;

    @Option(names = "--epochs", defaultValue = "40", description = "Most epochs to train (default: ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--patience", defaultValue = "8",
            description = "Early stopping: epochs without validation improvement before stopping, best weights restored; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int patience;

    @Option(names = "--tolerance", paramLabel = "TOL",
            description = "Convergence: stop when the training loss changes by less than TOL for --patience epochs.")
    Double tolerance;

    @Option(names = "--clip-norm", paramLabel = "MAX", description = "Clip the global gradient norm to MAX.")
    Double clipNorm;

    @Option(names = "--val-fraction", defaultValue = "0.1",
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

    @Option(names = "--resume", paramLabel = "FILE",
            description = "Continue the run saved in checkpoint FILE; give the options of that run, with more --epochs if needed.")
    Path resume;

    static final class LossNames extends ArrayList<String> {
        LossNames() {
            super(Losses.names());
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        String recipe = applyImageRecipe();
        checkOptions();
        checkRunFileOptions();
        Loaded loaded = load();
        loadedName = loaded.name;
        Task t = loaded.task;
        Dataset.Split split = loaded.test != null ? new Dataset.Split(loaded.data, loaded.test)
                : loaded.data.split(testFraction, seed);
        Dataset train = split.train(), test = split.test();

        // Standardise with statistics of the training part only, so the test set stays unseen.
        Standardizer xs = loaded.standardizeFeatures ? Standardizer.fitFeatures(train) : null;
        Standardizer ys = t == Task.REGRESSION ? Standardizer.fitTargets(train) : null;
        if (xs != null) {
            train = xs.transformFeatures(train);
            test = xs.transformFeatures(test);
        }
        Dataset trainScaled = ys == null ? train : ys.transformTargets(train);

        int outputs = t == Task.CLASSIFICATION ? loaded.data.classCount() : loaded.data.targetWidth();
        Sequential model = buildModel(train, outputs, new Random(seed));
        Loss lossFn = Losses.named(loss.equals("auto") ? (t == Task.CLASSIFICATION ? "cross_entropy" : "mse") : loss);
        Optimizer opt = buildOptimizer(model.parameters());

        out.printf(Locale.ROOT, "Data: %s, %d samples, %d features → %s (%d train, %d test)%n", loaded.name,
                loaded.data.size() + (loaded.test == null ? 0 : loaded.test.size()), train.featureWidth(),
                t == Task.CLASSIFICATION ? outputs + " classes" : "regression of " + String.join(",", loaded.data.targetNames()),
                train.size(), test.size());
        out.printf(Locale.ROOT, "Model: %s, %,d parameters; %s, %s, lr %s, batch %d%n",
                describe(train.featureWidth(), outputs), model.parameterCount(), lossName(lossFn), optimizer,
                fmt(opt.lr()), batchSize);
        if (recipe != null) {
            out.printf(Locale.ROOT, "Recipe for --model %s on %s: %s (options given on the command line win)%n", modelKind,
                    loaded.name, recipe);
        }
        out.flush();

        FitConfig config = FitConfig.of(t).withEpochs(epochs).withBatchSize(batchSize).withSeed(seed);
        if (valFraction > 0) config = config.withValidationFraction(valFraction);
        if (patience > 0 && valFraction > 0) config = config.withEarlyStopping(patience, 0);
        if (tolerance != null) config = config.withConvergence(tolerance, Math.max(1, patience));

        // The monitor first, so it sees the gradients before clipping; the bar before the epoch lines, which it clears.
        ProgressDisplay display = new ProgressDisplay(out, progress.resolve(ProgressDisplay.stdoutIsTerminal()), epochs);
        GradientHealth health = new GradientHealth(model).listener(new HealthPrinter(display));
        Trainer trainer = new Trainer(model, lossFn, opt).callback(health).callback(display);
        ImageAugmentation augmentation = augmentation();
        if (!augmentation.isIdentity()) {
            trainer.augmentation(augmentation);
            out.printf(Locale.ROOT, "Augmentation: %s (training batches only)%n", augmentation);
        }
        LrScheduler scheduler = buildScheduler(opt);
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

        model.eval();
        Tensor predictions;
        try (var noGrad = GradMode.noGrad()) {
            predictions = model.forward(test.features());
        }
        if (t == Task.CLASSIFICATION) {
            out.printf(Locale.ROOT, "Test accuracy: %.4f (%d samples)%n", Metrics.accuracy(predictions, test.targets()),
                    test.size());
        } else {
            // Metrics in the target's own units: undo the target standardisation first.
            Tensor p = ys.inverseTransform(predictions);
            Evaluation e = Metrics.of(Task.REGRESSION, p, test.targets());
            out.printf(Locale.ROOT, "Test RMSE: %.4f   MAE: %.4f   R²: %.4f (%d samples)%n", e.rmse(), e.mae(), e.r2(),
                    test.size());
        }
        out.flush();
        if (plots || report) {
            writePlotsAndReport(out, history, health, t, predictions, test, ys, describe(train.featureWidth(), outputs),
                    model.parameterCount(), lossName(lossFn), loaded.name);
        }
        Evaluation testMetrics = Metrics.of(t, ys == null ? predictions : ys.inverseTransform(predictions), test.targets());
        output.save(spec, out, new TrainOutput.Run(loaded.name, loaded.data, t, model, xs, ys, train.size(), test.size(),
                testFraction, seed, history, seconds, testMetrics));
        return 0;
    }

    /** --plots, --report and --checkpoint-every write into --out, which is created here. */
    private void checkRunFileOptions() throws IOException {
        if (checkpointEvery != null && checkpointEvery < 1) {
            throw new IllegalArgumentException("--checkpoint-every must be at least 1, got " + checkpointEvery);
        }
        if (output.dir == null && (plots || report || checkpointEvery != null)) {
            throw new IllegalArgumentException("--plots, --report and --checkpoint-every write into a folder: give it with --out DIR");
        }
        if (resume != null && !Files.isRegularFile(resume)) throw new IllegalArgumentException("--resume: no file " + resume);
        if (output.dir != null) Files.createDirectories(output.dir);
    }

    private void writePlotsAndReport(PrintWriter console, History history, GradientHealth health, Task t, Tensor predictions,
                                     Dataset test, Standardizer ys, String architecture, long parameters, String lossName,
                                     String dataName) throws IOException {
        List<Plots.Chart> charts = Plots.of(history.epochs(), t, health.epochs(), health.layerWeightNames());
        if (plots) {
            Plots.write(output.dir, charts);
            console.printf("Plots: %s%n", String.join(", ", charts.stream().map(Plots.Chart::fileName).toList()));
        }
        if (!report) return;
        Map<String, String> metrics = new LinkedHashMap<>();
        ConfusionMatrix confusion = null;
        if (t == Task.CLASSIFICATION) {
            confusion = ConfusionMatrix.of(predictions, test.targets());
            metrics.put("test accuracy", String.format(Locale.ROOT, "%.4f", confusion.accuracy()));
        } else {
            Evaluation e = Metrics.of(Task.REGRESSION, ys.inverseTransform(predictions), test.targets());
            metrics.put("test RMSE", String.format(Locale.ROOT, "%.4f", e.rmse()));
            metrics.put("test MAE", String.format(Locale.ROOT, "%.4f", e.mae()));
            metrics.put("test R²", String.format(Locale.ROOT, "%.4f", e.r2()));
        }
        metrics.put("test samples", Integer.toString(test.size()));
        metrics.put("best epoch", Integer.toString(history.bestEpoch()));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("data", dataName + " (" + t.name().toLowerCase(Locale.ROOT) + ")");
        settings.put("model", architecture + ", " + parameters + " parameters, init " + init);
        settings.put("loss", lossName);
        settings.put("optimizer", optimizer + ", lr " + fmt(lr == null ? history.epochs().getFirst().lr() : lr)
                + (weightDecay > 0 ? ", weight decay " + fmt(weightDecay) : "") + (clipNorm != null ? ", clip norm " + fmt(clipNorm) : ""));
        settings.put("batch size", Integer.toString(batchSize));
        settings.put("augmentation", augmentation().toString());
        settings.put("epochs", history.epochs().size() + " of at most " + epochs + (patience > 0 ? ", patience " + patience : ""));
        settings.put("validation / test fraction", fmt(valFraction) + " / " + fmt(testFraction));
        settings.put("seed", Long.toString(seed));
        Path file = output.dir.resolve("report.html");
        new HtmlReport("Training report: " + dataName, settings, metrics, "Stopped: " + history.stopMessage(), t,
                history.epochs(), charts, confusion, health).write(file);
        console.printf("Report: %s%n", file);
        console.flush();
    }

    private void checkOptions() {
        if (batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + batchSize);
        if (epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + epochs);
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be between 0 and 1 (exclusive), got " + testFraction);
        }
        if (!(valFraction >= 0 && valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + valFraction);
        }
        layers = parseLayers(layerSpec);
        augmentation(); // fails early on a bad --augment
        Activation.named(activation); // fails early with the list of known names
        if (!List.of("none", "cosine", "step", "plateau").contains(schedule.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--schedule must be none, cosine, step or plateau, not '" + schedule + "'");
        }
        if (!List.of("mlp", "cnn", "lenet").contains(modelKind.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--model must be mlp, cnn or lenet, not '" + modelKind + "'");
        }
    }

    /**
     * Fashion-MNIST is 60,000 images, not a small table: with {@code --model cnn} or {@code lenet},
     * or an MLP on Fashion-MNIST, the options the user left out take the values those runs were
     * tuned with (docs/BENCHMARKS.md) instead of the tabular defaults: batches of 128, a fixed
     * number of epochs annealed with a cosine schedule, no validation split (the official test
     * set is kept apart anyway, so early stopping is off), and for the MLP hidden layers of 256
     * and 128 (the benchmark's network) instead of 64 and 32.
     *
     * @return what was set, for the console, or {@code null} when nothing was
     */
    String applyImageRecipe() {
        boolean mlp = modelKind.equalsIgnoreCase("mlp");
        if (mlp && !isFashionMnist(data)) return null;
        var given = spec.commandLine().getParseResult();
        List<String> set = new ArrayList<>();
        if (mlp && !given.hasMatchedOption("--layers")) {
            layerSpec = MLP_LAYERS;
            set.add("layers " + MLP_LAYERS);
        }
        if (!given.hasMatchedOption("--batch-size")) {
            batchSize = 128;
            set.add("batch 128");
        }
        if (!given.hasMatchedOption("--epochs")) {
            epochs = modelKind.equalsIgnoreCase("lenet") ? LENET_EPOCHS : modelKind.equalsIgnoreCase("cnn") ? CNN_EPOCHS : MLP_EPOCHS;
            set.add(epochs + " epochs");
        }
        if (!given.hasMatchedOption("--schedule")) {
            schedule = "cosine";
            set.add("cosine schedule");
        }
        if (!given.hasMatchedOption("--val-fraction")) {
            valFraction = 0;
            set.add("no validation split");
        }
        return set.isEmpty() ? null : String.join(", ", set);
    }

    /**
     * Epochs of the recipes: the small CNN's test accuracy levels off by 20 (0.924), the MLP's
     * by 20 (0.899), LeNet-5's by 10 (docs/BENCHMARKS.md).
     */
    static final int CNN_EPOCHS = 20, LENET_EPOCHS = 10, MLP_EPOCHS = 20;

    /** The MLP's hidden layers on Fashion-MNIST: the benchmark's 784-256-128-10. */
    static final String MLP_LAYERS = "256,128";

    /** --augment as a transform; images only, since flat rows have no layout to shift or mirror. */
    ImageAugmentation augmentation() {
        boolean images = !modelKind.equalsIgnoreCase("mlp");
        ImageAugmentation a = parseAugmentation(augment, modelKind.equalsIgnoreCase("cnn"));
        if (!a.isIdentity() && !images) {
            throw new IllegalArgumentException("--augment " + augment + " shifts and mirrors images: it needs --model cnn or lenet"
                    + " (--model " + modelKind + " takes flat rows)");
        }
        return a;
    }

    /**
     * "shift,flip", "shift=3", "flip", "none"; "auto" is {@code autoOn ? shift : none}. Shifts
     * alone, not flips: on Fashion-MNIST mirroring turned out no help (15 epochs of the small CNN:
     * 0.9188 with shift and flip, 0.9199 with shift alone; shoes all point the same way there).
     */
    static ImageAugmentation parseAugmentation(String spec, boolean autoOn) {
        String s = spec.trim().toLowerCase(Locale.ROOT);
        if (s.equals("auto")) return new ImageAugmentation(autoOn ? ImageAugmentation.standard().maxShift() : 0, false);
        if (s.equals("none")) return new ImageAugmentation(0, false);
        int shift = 0;
        boolean flip = false;
        for (String part : s.split(",")) {
            String p = part.trim();
            if (p.equals("flip")) {
                flip = true;
            } else if (p.equals("shift")) {
                shift = ImageAugmentation.standard().maxShift();
            } else if (p.startsWith("shift=")) {
                try {
                    shift = Integer.parseInt(p.substring(6));
                } catch (NumberFormatException e) {
                    shift = -1;
                }
                if (shift < 0) throw new IllegalArgumentException("--augment: shift=N takes a whole number of pixels >= 0, not '" + p + "'");
            } else {
                throw new IllegalArgumentException("--augment takes auto, none, or a list of shift, shift=N and flip; not '" + part + "'");
            }
        }
        return new ImageAugmentation(shift, flip);
    }

    /** "64,32" → [64, 32]; "" or "none" → [] (a linear model). */
    static List<Integer> parseLayers(String spec) {
        List<Integer> sizes = new ArrayList<>();
        String s = spec.strip();
        if (s.isEmpty() || s.equalsIgnoreCase("none")) return sizes;
        for (String part : s.split(",", -1)) {
            int h;
            try {
                h = Integer.parseInt(part.strip());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--layers: '" + part.strip() + "' in '" + spec
                        + "' is not a whole number; give hidden sizes like 64,32 (or 'none')");
            }
            if (h < 1) throw new IllegalArgumentException("--layers: hidden size " + h + " in '" + spec + "' must be at least 1");
            sizes.add(h);
        }
        return sizes;
    }

    /**
     * @param data the data to split into training and test parts, or the training part itself when
     *             {@code test} is given (a dataset with an official test set, as Fashion-MNIST)
     */
    private record Loaded(String name, Dataset data, Dataset test, Task task, boolean standardizeFeatures) {
        Loaded(String name, Dataset data, Task task, boolean standardizeFeatures) {
            this(name, data, null, task, standardizeFeatures);
        }
    }

    static boolean isFashionMnist(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return n.equals("fashion-mnist") || n.equals("fashion");
    }

    private Loaded load() throws IOException {
        if (isFashionMnist(data)) {
            if (task == Task.REGRESSION) throw new IllegalArgumentException("--task regression does not fit Fashion-MNIST, which is classification");
            FashionMnist fm = fashionDir.load();
            // Pixels are already scaled to [0, 1]; the official 10,000 test images stay the test set.
            return new Loaded("fashion-mnist", imageDataset(fm.train()), imageDataset(fm.test()), Task.CLASSIFICATION, false);
        }
        if (BuiltinDatasets.names().contains(data.toLowerCase(Locale.ROOT)) && !data.toLowerCase(Locale.ROOT).endsWith(".csv")) {
            Task builtin = BuiltinDatasets.isClassification(data) ? Task.CLASSIFICATION : Task.REGRESSION;
            if (task != null && task != builtin) {
                throw new IllegalArgumentException("--task " + task.name().toLowerCase(Locale.ROOT) + " does not fit the built-in '"
                        + data + "' dataset, which is " + builtin.name().toLowerCase(Locale.ROOT));
            }
            // The digits' pixels are already in [0, 1]; the housing features have very different scales.
            return new Loaded(data, BuiltinDatasets.load(data), builtin, builtin == Task.REGRESSION);
        }
        Path file = Path.of(data);
        if (!Files.exists(file)) {
            throw new IllegalArgumentException("--data: '" + data + "' is neither a built-in dataset ("
                    + String.join(", ", BuiltinDatasets.names()) + ") nor an existing file");
        }
        if (target == null) throw new IllegalArgumentException("--target COLUMN is required with a CSV file (" + data + ")");
        CsvTable table = CsvTable.read(file, csv.format());
        Task t = task == null ? Task.REGRESSION : task;
        Dataset ds = t == Task.CLASSIFICATION ? table.toClassification(target, drop) : table.toRegression(target, drop);
        return new Loaded(file.getFileName().toString(), ds, t, true);
    }

    /** Flat [N, 784] rows for an MLP, [N, 1, 28, 28] images for the convolutional models. */
    private Dataset imageDataset(FashionMnist.Split split) {
        Tensor images = split.images();
        if (!modelKind.equalsIgnoreCase("mlp")) images = images.reshape(split.size(), 1, 28, 28);
        return new Dataset(images, split.labelTensor());
    }

    private Sequential buildModel(Dataset train, int outputs, Random rng) {
        String kind = modelKind.toLowerCase(Locale.ROOT);
        if (!kind.equals("mlp")) {
            int[] shape = train.features().shape();
            if (shape.length != 4 || shape[1] != 1 || shape[2] != 28 || shape[3] != 28 || outputs != 10) {
                throw new IllegalArgumentException("--model " + modelKind + " takes 28×28 grey images in 10 classes (--data fashion-mnist); "
                        + loadedName + " has features of shape " + Arrays.toString(java.util.Arrays.copyOfRange(shape, 1, shape.length)));
            }
            return switch (kind) {
                case "cnn" -> Models.smallCnn(rng);
                case "lenet" -> Models.lenet5(rng);
                default -> throw new IllegalStateException(kind);
            };
        }
        return buildMlp(train.featureWidth(), outputs, rng);
    }

    private Sequential buildMlp(int inputs, int outputs, Random rng) {
        Sequential model = new Sequential();
        int width = inputs;
        for (int h : layers) {
            model.add(new Linear(width, h, true, initFor(activation), rng));
            model.add(Activation.named(activation));
            width = h;
        }
        model.add(new Linear(width, outputs, true, Init.xavierUniform(), rng));
        return model;
    }

    private Init initFor(String act) {
        String a = act.toLowerCase(Locale.ROOT);
        return switch (init.toLowerCase(Locale.ROOT)) {
            case "auto" -> a.equals("sigmoid") || a.equals("tanh") ? Init.xavierUniform() : Init.heNormal();
            case "he" -> Init.heNormal();
            case "xavier" -> Init.xavierUniform();
            case "lecun" -> Init.lecunNormal();
            case "pytorch" -> Init.pytorchDefault();
            default -> throw new IllegalArgumentException("--init must be auto, he, xavier, lecun or pytorch, not '" + init + "'");
        };
    }

    private Optimizer buildOptimizer(List<Parameter> params) {
        String name = optimizer.toLowerCase(Locale.ROOT);
        return switch (name) {
            case "sgd" -> new SGD(params, SGD.Options.defaults().lr(lrOr(0.05)).momentum(momentum).weightDecay(weightDecay));
            case "adam" -> new Adam(params, Adam.Options.defaults().lr(lrOr(1e-3)).weightDecay(weightDecay));
            case "adamw" -> new AdamW(params, AdamW.defaults().lr(lrOr(1e-3)).weightDecay(weightDecay));
            case "rmsprop" -> new RMSprop(params, RMSprop.Options.defaults().lr(lrOr(1e-3)).weightDecay(weightDecay));
            case "adagrad" -> new Adagrad(params, Adagrad.Options.defaults().lr(lrOr(1e-2)).weightDecay(weightDecay));
            default -> throw new IllegalArgumentException("--optimizer must be sgd, adam, adamw, rmsprop or adagrad, not '"
                    + optimizer + "'");
        };
    }

    private LrScheduler buildScheduler(Optimizer opt) {
        return switch (schedule.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "cosine" -> new CosineAnnealingLR(opt, epochs);
            case "step" -> new StepLR(opt, Math.max(1, epochs / 3), 0.1);
            case "plateau" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(Math.max(1, patience / 2)));
            default -> throw new IllegalArgumentException("--schedule must be none, cosine, step or plateau, not '" + schedule + "'");
        };
    }

    private double lrOr(double fallback) {
        return lr == null ? fallback : lr;
    }

    private String describe(int inputs, int outputs) {
        if (modelKind.equalsIgnoreCase("cnn")) return "small CNN (3 conv + batch-norm blocks)";
        if (modelKind.equalsIgnoreCase("lenet")) return "LeNet-5";
        List<String> parts = new ArrayList<>();
        parts.add(Integer.toString(inputs));
        for (int h : layers) parts.add(Integer.toString(h));
        parts.add(Integer.toString(outputs));
        return String.join("-", parts) + " " + activation;
    }

    private static String lossName(Loss l) {
        return l.getClass().getSimpleName();
    }

    static String fmt(double v) {
        return v == Math.rint(v) ? String.format(Locale.ROOT, "%.0f", v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** One line per epoch: losses and the task's metric, for training and validation. */
    private static final class EpochPrinter implements Callback {
        private final PrintWriter out;
        private final Task task;
        private final int width;

        EpochPrinter(PrintWriter out, Task task, int epochs) {
            this.out = out;
            this.task = task;
            this.width = Integer.toString(epochs).length();
        }

        @Override
        public void onEpochEnd(EpochResult r) {
            StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "epoch %" + width + "d  loss %.4f", r.epoch(),
                    r.trainLoss()));
            if (task == Task.CLASSIFICATION) sb.append(String.format(Locale.ROOT, "  acc %.4f", r.train().accuracy()));
            if (r.hasValidation()) {
                sb.append(String.format(Locale.ROOT, "  val_loss %.4f", r.validationLoss()));
                if (task == Task.CLASSIFICATION) {
                    sb.append(String.format(Locale.ROOT, "  val_acc %.4f", r.validation().accuracy()));
                } else {
                    sb.append(String.format(Locale.ROOT, "  val_r2 %.4f", r.validation().r2()));
                }
            }
            sb.append(String.format(Locale.ROOT, "  %.2fs", r.seconds()));
            out.println(sb);
            out.flush();
        }
    }
}

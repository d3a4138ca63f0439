package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.autograd.GradMode;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.CsvFormat;
import org.backprop.data.CsvTable;
import org.backprop.data.Dataset;
import org.backprop.data.Standardizer;
import org.backprop.loss.Loss;
import org.backprop.loss.Losses;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adagrad;
import org.backprop.optim.Adam;
import org.backprop.optim.AdamW;
import org.backprop.optim.GradClip;
import org.backprop.optim.Optimizer;
import org.backprop.optim.RMSprop;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.backprop.train.Callback;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.FitConfig;
import org.backprop.train.History;
import org.backprop.train.Metrics;
import org.backprop.train.Task;
import org.backprop.train.Trainer;
import picocli.CommandLine.Command;
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

    static final class LossNames extends ArrayList<String> {
        LossNames() {
            super(Losses.names());
        }
    }

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        checkOptions();
        Loaded loaded = load();
        Task t = loaded.task;
        Dataset.Split split = loaded.data.split(testFraction, seed);
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
        Sequential model = buildModel(train.featureWidth(), outputs, new Random(seed));
        Loss lossFn = Losses.named(loss.equals("auto") ? (t == Task.CLASSIFICATION ? "cross_entropy" : "mse") : loss);
        Optimizer opt = buildOptimizer(model.parameters());

        out.printf(Locale.ROOT, "Data: %s, %d samples, %d features → %s (%d train, %d test)%n", loaded.name,
                loaded.data.size(), train.featureWidth(),
                t == Task.CLASSIFICATION ? outputs + " classes" : "regression of " + String.join(",", loaded.data.targetNames()),
                train.size(), test.size());
        out.printf(Locale.ROOT, "Model: %s, %,d parameters; %s, %s, lr %s, batch %d%n",
                describe(train.featureWidth(), outputs), model.parameterCount(), lossName(lossFn), optimizer,
                fmt(opt.lr()), batchSize);
        out.flush();

        FitConfig config = FitConfig.of(t).withEpochs(epochs).withBatchSize(batchSize).withSeed(seed);
        if (valFraction > 0) config = config.withValidationFraction(valFraction);
        if (patience > 0 && valFraction > 0) config = config.withEarlyStopping(patience, 0);
        if (tolerance != null) config = config.withConvergence(tolerance, Math.max(1, patience));

        Trainer trainer = new Trainer(model, lossFn, opt).callback(new EpochPrinter(out, t, epochs));
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
        out.printf(Locale.ROOT, "Stopped: %s (%.1f s)%n", history.stopMessage(), seconds);

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
        return 0;
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
        Activation.named(activation); // fails early with the list of known names
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

    private record Loaded(String name, Dataset data, Task task, boolean standardizeFeatures) {}

    private Loaded load() throws IOException {
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
        CsvTable table = CsvTable.read(file, CsvFormat.DEFAULT);
        Task t = task == null ? Task.REGRESSION : task;
        Dataset ds = t == Task.CLASSIFICATION ? table.toClassification(target, drop) : table.toRegression(target, drop);
        return new Loaded(file.getFileName().toString(), ds, t, true);
    }

    private Sequential buildModel(int inputs, int outputs, Random rng) {
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
            case "adamw" -> new AdamW(params, AdamW.Options.defaults().lr(lrOr(1e-3)).weightDecay(weightDecay));
            case "rmsprop" -> new RMSprop(params, RMSprop.Options.defaults().lr(lrOr(1e-3)).weightDecay(weightDecay));
            case "adagrad" -> new Adagrad(params, Adagrad.Options.defaults().lr(lrOr(1e-2)).weightDecay(weightDecay));
            default -> throw new IllegalArgumentException("--optimizer must be sgd, adam, adamw, rmsprop or adagrad, not '"
                    + optimizer + "'");
        };
    }

    private double lrOr(double fallback) {
        return lr == null ? fallback : lr;
    }

    private String describe(int inputs, int outputs) {
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

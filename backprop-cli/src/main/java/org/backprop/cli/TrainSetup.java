package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.Random;
import org.backprop.audio.LogMel;
import org.backprop.data.BatchTransform;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.CsvTable;
import org.backprop.data.Dataset;
import org.backprop.data.FashionMnist;
import org.backprop.audio.Fsdd;
import org.backprop.audio.SpokenDigits;
import org.backprop.data.ImageAugmentation;
import org.backprop.data.MissingPolicy;
import org.backprop.data.TabularData;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Models;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.CosineAnnealingLR;
import org.backprop.optim.LrScheduler;
import org.backprop.optim.Optimizer;
import org.backprop.optim.Optimizers;
import org.backprop.optim.ReduceLROnPlateau;
import org.backprop.optim.StepLR;
import org.backprop.train.Task;

/**
 * What {@code train}'s options build, apart from running and reporting: the image recipe (the
 * options left out take the tuned values of the image runs), the option checks, the data, the
 * model, the optimizer, the schedule and the augmentation. The defaults come from the library
 * ({@link Optimizers#defaultLr}, {@link StepLR#DEFAULT_GAMMA}...), not from literals here.
 */
final class TrainSetup {
    /**
     * Epochs of the recipes: the small CNN's test accuracy levels off by 20 (0.924), the MLP's
     * by 20 (0.899), LeNet-5's by 10 (docs/BENCHMARKS.md).
     */
    static final int CNN_EPOCHS = 20, LENET_EPOCHS = 10, MLP_EPOCHS = 20;

    /** The MLP's hidden layers on Fashion-MNIST: the benchmark's 784-256-128-10. */
    static final String MLP_LAYERS = "256,128";

    /** The batch size of the image recipe. */
    static final int IMAGE_BATCH = 128;

    private final TrainCommand o;

    /** Hidden sizes parsed from --layers (by {@link #check}). */
    private List<Integer> layers;

    TrainSetup(TrainCommand options) {
        this.o = options;
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
        if (Speech.isFsdd(o.data)) return Speech.applyRecipe(o);
        boolean mlp = o.modelKind.equalsIgnoreCase("mlp");
        if (mlp && !isFashionMnist(o.data)) return null;
        var given = o.spec.commandLine().getParseResult();
        List<String> set = new ArrayList<>();
        if (mlp && !given.hasMatchedOption("--layers")) {
            o.layerSpec = MLP_LAYERS;
            set.add("layers " + MLP_LAYERS);
        }
        if (!given.hasMatchedOption("--batch-size")) {
            o.batchSize = IMAGE_BATCH;
            set.add("batch " + IMAGE_BATCH);
        }
        if (!given.hasMatchedOption("--epochs")) {
            o.epochs = o.modelKind.equalsIgnoreCase("lenet") ? LENET_EPOCHS : o.modelKind.equalsIgnoreCase("cnn") ? CNN_EPOCHS : MLP_EPOCHS;
            set.add(o.epochs + " epochs");
        }
        if (!given.hasMatchedOption("--schedule")) {
            o.schedule = "cosine";
            set.add("cosine schedule");
        }
        if (!given.hasMatchedOption("--val-fraction")) {
            o.valFraction = 0;
            set.add("no validation split");
        }
        return set.isEmpty() ? null : String.join(", ", set);
    }

    /** A regression's weight decay unless given: it raised or kept R² on every tuning table, and cost classification accuracy (docs/TABLES.md). */
    static final double REGRESSION_WEIGHT_DECAY = 0.03;

    /** Defaults that depend on the task, known once the data is read; options given win. */
    void applyTaskDefaults(Task task) {
        if (task == Task.REGRESSION && !o.spec.commandLine().getParseResult().hasMatchedOption("--weight-decay")) o.weightDecay = REGRESSION_WEIGHT_DECAY;
    }

    /** Fails on the first bad option, before any data is read. */
    void check() {
        if (o.batchSize < 1) throw new IllegalArgumentException("--batch-size must be at least 1, got " + o.batchSize);
        if (o.epochs < 1) throw new IllegalArgumentException("--epochs must be at least 1, got " + o.epochs);
        if (!(o.testFraction > 0 && o.testFraction < 1)) {
            throw new IllegalArgumentException("--test-fraction must be between 0 and 1 (exclusive), got " + o.testFraction);
        }
        if (o.patience < 0) throw new IllegalArgumentException("--patience must be 0 (off) or more, got " + o.patience);
        if (o.clipNorm != null && !(o.clipNorm > 0)) {
            throw new IllegalArgumentException("--clip-norm must be positive, got " + o.clipNorm);
        }
        if (!(o.valFraction >= 0 && o.valFraction < 1)) {
            throw new IllegalArgumentException("--val-fraction must be in [0, 1), got " + o.valFraction);
        }
        layers = parseLayers(o.layerSpec);
        augmentation(); // fails early on a bad --augment
        Activation.named(o.activation); // fails early with the list of known names
        if (!List.of("none", "cosine", "step", "plateau").contains(o.schedule.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--schedule must be none, cosine, step or plateau, not '" + o.schedule + "'");
        }
        if (Speech.isFsdd(o.data)) {
            Speech.checkModel(o.modelKind);
        } else if (!List.of("mlp", "cnn", "lenet").contains(o.modelKind.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--model must be mlp, cnn or lenet, not '" + o.modelKind + "'");
        }
        if (!Speech.isFsdd(o.data) && !o.split.equals("official")) {
            throw new IllegalArgumentException("--split " + o.split + " applies to --data fsdd only");
}
        MissingPolicy.parse(o.missing); // fails early with the four choices
        if (o.cv != null && o.cv < 2) throw new IllegalArgumentException("--cv takes 2 or more folds, got " + o.cv);
        if (o.cv != null && (o.output.dir != null || o.resume != null)) {
            throw new IllegalArgumentException("--cv judges the settings and saves nothing: leave out --out and --resume "
                    + "(train without --cv to save a model)");
        }
        if (o.batchNorm && !o.modelKind.equalsIgnoreCase("mlp")) {
            throw new IllegalArgumentException("--batch-norm adds batch normalisation to an MLP's hidden layers; --model "
                    + o.modelKind + " has its own");
        }
        if (!Optimizers.NAMES.contains(o.optimizer.toLowerCase(Locale.ROOT))) {
            throw new IllegalArgumentException("--optimizer must be one of " + String.join(", ", Optimizers.NAMES)
                    + ", not '" + o.optimizer + "'");
        }
    }

    // ---------------------------------------------------------------- data

    /**
     * @param data the data to split into training and test parts, or the training part itself when
     *             {@code test} is given (a dataset with an official test set, as Fashion-MNIST)
     */
    record Loaded(String name, Dataset data, Dataset test, Task task, boolean standardizeFeatures, TabularData table) {
        Loaded(String name, Dataset data, Task task, boolean standardizeFeatures) {
            this(name, data, null, task, standardizeFeatures, null);
        }

        /** A CSV table, split and encoded later (the encoding is fitted on the training rows). */
        Loaded(String name, TabularData table) {
            this(name, null, null, table.isClassification() ? Task.CLASSIFICATION : Task.REGRESSION, true, table);
        }
    }

    static boolean isFashionMnist(String name) {
        String n = name.toLowerCase(Locale.ROOT).replace('_', '-');
        return n.equals("fashion-mnist") || n.equals("fashion");
    }

    /** With --data fsdd: the recordings of each part and their features, after {@link #load}. */
    Fsdd.Split speechSplit;
    SpokenDigits.Prepared speech;

    Loaded load() throws IOException {
        String data = o.data;
        Task task = o.task;
        if (Speech.isFsdd(data)) {
            if (task == Task.REGRESSION) throw new IllegalArgumentException("--task regression does not fit fsdd, which is classification");
            speechSplit = Speech.split(Fsdd.load(o.fashionDir.dir), o.split);
            speech = SpokenDigits.prepare(speechSplit, LogMel.FSDD, Speech.layout(o.modelKind));
            // Standardised per band with the training part's statistics, which the model file keeps.
            return new Loaded("fsdd", speech.train(), speech.test(), Task.CLASSIFICATION, false, null);
        }
        if (isFashionMnist(data)) {
            if (task == Task.REGRESSION) throw new IllegalArgumentException("--task regression does not fit Fashion-MNIST, which is classification");
            FashionMnist fm = o.fashionDir.load();
            // Pixels are already scaled to [0, 1]; the official 10,000 test images stay the test set.
            return new Loaded("fashion-mnist", imageDataset(fm.train()), imageDataset(fm.test()), Task.CLASSIFICATION, false, null);
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
        if (o.target == null) throw new IllegalArgumentException("--target COLUMN is required with a CSV file (" + data + ")");
        CsvTable table = CsvTable.read(file, o.csv.format());
        return new Loaded(file.getFileName().toString(), TabularData.of(table, o.target, o.drop,
                task == null ? null : task == Task.CLASSIFICATION, MissingPolicy.parse(o.missing)));
    }

    /**
     * Class labels must be 0..K-1 with at least two classes: one class trains to a meaningless
     * accuracy of 1.0, and a stray large label (1,000,000) would silently build an output layer of
     * that width.
     */
    static void checkClasses(Dataset ds, String name) {
        int classes = ds.classCount();
        if (classes < 2) {
            throw new IllegalArgumentException(name + ": the target holds only class 0 in all " + ds.size()
                    + " rows: there is nothing to classify (for a numeric target use --task regression)");
        }
        if (classes > ds.size()) {
            throw new IllegalArgumentException(name + ": the largest class label is " + (classes - 1) + ", which means "
                    + classes + " classes for " + ds.size() + " rows; class labels must be 0..K-1 "
                    + "(for a numeric target use --task regression)");
        }
    }

    /**
     * Every option that changes the run, by name, and a fingerprint of the data: a checkpoint
     * records them, and a resume with another value is refused naming it. (--epochs may grow;
     * the learning rate, seed, batch size and split fractions are checked by the trainer.)
     */
    Map<String, String> runSettings(Loaded loaded, Dataset train, Dataset test) {
        Map<String, String> settings = new java.util.TreeMap<>();
        for (String name : List.of("--target", "--drop", "--task", "--model", "--layers", "--activation",
                "--init", "--loss", "--optimizer", "--momentum", "--weight-decay", "--schedule", "--augment",
                "--clip-norm", "--test-fraction", "--skip-lines")) {
            var option = o.spec.findOption(name);
            if (option != null) settings.put(name, String.valueOf((Object) option.getValue()));
        }
        // A table's rows are split later: fingerprint what the run trains and tests on.
        settings.put("data fingerprint", loaded.data() != null ? DataFingerprint.of(loaded.data(), loaded.test()) : DataFingerprint.of(train, test));
        return settings;
    }

    /** Flat [N, 784] rows for an MLP, [N, 1, 28, 28] images for the CNNs; as bytes (47 MB, not 188 of floats). */
    private Dataset imageDataset(FashionMnist.Split split) {
        var images = split.imageBytes();
        if (!o.modelKind.equalsIgnoreCase("mlp")) images = images.reshape(split.size(), 1, 28, 28);
        return new Dataset(images, split.labelTensor());
    }

    // ---------------------------------------------------------------- model, optimizer, schedule

    Sequential model(Dataset train, int outputs, String dataName, Random rng) {
        String kind = o.modelKind.toLowerCase(Locale.ROOT);
        if (speech != null) return Speech.model(o.modelKind, rng);
        if (!kind.equals("mlp")) {
            int[] shape = train.featureShape();
            if (shape.length != 4 || shape[1] != 1 || shape[2] != 28 || shape[3] != 28 || outputs != 10) {
                throw new IllegalArgumentException("--model " + o.modelKind + " takes 28×28 grey images in 10 classes (--data fashion-mnist); "
                        + dataName + " has features of shape " + Arrays.toString(Arrays.copyOfRange(shape, 1, shape.length)));
            }
            return kind.equals("cnn") ? Models.smallCnn(rng) : Models.lenet5(rng);
        }
        long parameters = 0;
        int in = train.featureWidth();
        for (int h : layers) {
            parameters += ((long) in + 1) * h;
            in = h;
        }
        ModelOptions.checkFitsInMemory(parameters + ((long) in + 1) * outputs);
        Sequential model = new Sequential();
        int width = train.featureWidth();
        for (int h : layers) {
            model.add(new Linear(width, h, true, hiddenInit(), rng));
            if (o.batchNorm) model.add(new BatchNorm1d(h));
            model.add(Activation.named(o.activation));
            width = h;
        }
        model.add(new Linear(width, outputs, true, Init.xavierUniform(), rng));
        return model;
    }

    private Init hiddenInit() {
        String a = o.activation.toLowerCase(Locale.ROOT);
        return switch (o.init.toLowerCase(Locale.ROOT)) {
            case "auto" -> a.equals("sigmoid") || a.equals("tanh") ? Init.xavierUniform() : Init.heNormal();
            case "he" -> Init.heNormal();
            case "xavier" -> Init.xavierUniform();
            case "lecun" -> Init.lecunNormal();
            case "pytorch" -> Init.pytorchDefault();
            default -> throw new IllegalArgumentException("--init must be auto, he, xavier, lecun or pytorch, not '" + o.init + "'");
        };
    }

    /** --optimizer with --lr, or the library's starting rate for that rule ({@link Optimizers#defaultLr}). */
    Optimizer optimizer(List<Parameter> params) {
        double lr = o.lr != null ? o.lr : Optimizers.defaultLr(o.optimizer);
        return Optimizers.create(o.optimizer, params, lr, o.momentum, o.weightDecay);
    }

    /** --schedule, or null for none. */
    LrScheduler scheduler(Optimizer opt) {
        return switch (o.schedule.toLowerCase(Locale.ROOT)) {
            case "none" -> null;
            case "cosine" -> new CosineAnnealingLR(opt, o.epochs);
            case "step" -> new StepLR(opt, Math.max(1, o.epochs / 3));
            case "plateau" -> new ReduceLROnPlateau(opt, ReduceLROnPlateau.Options.defaults().patience(Math.max(1, o.patience / 2)));
            default -> throw new IllegalStateException(o.schedule); // refused by check()
        };
    }

    /** --augment as a transform, null for none; images only, since flat rows have no layout to shift or mirror. */
    BatchTransform augmentation() {
        if (Speech.isFsdd(o.data)) return Speech.augmentation(o.augment, o.modelKind);
        boolean images = !o.modelKind.equalsIgnoreCase("mlp");
        ImageAugmentation a = parseAugmentation(o.augment, o.modelKind.equalsIgnoreCase("cnn"));
        if (!a.isIdentity() && !images) {
            throw new IllegalArgumentException("--augment " + o.augment + " shifts and mirrors images: it needs --model cnn or lenet"
                    + " (--model " + o.modelKind + " takes flat rows)");
        }
        return a.isIdentity() ? null : a;
    }

    /** The network in one phrase for the console and the report, e.g. {@code 64-64-32-10 relu}. */
    String describe(int inputs, int outputs) {
        if (speech != null) return Speech.describe(o.modelKind);
        if (o.modelKind.equalsIgnoreCase("cnn")) return "small CNN (3 conv + batch-norm blocks)";
        if (o.modelKind.equalsIgnoreCase("lenet")) return "LeNet-5";
        List<String> parts = new ArrayList<>();
        parts.add(Integer.toString(inputs));
        for (int h : layers) parts.add(Integer.toString(h));
        parts.add(Integer.toString(outputs));
        return String.join("-", parts) + " " + o.activation + (o.batchNorm ? " with batch norm" : "");
    }

    // ---------------------------------------------------------------- parsing

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
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.function.Function;
import org.backprop.autograd.GradCheck;
import org.backprop.data.Dataset;
import org.backprop.guard.InputLimits;
import org.backprop.loss.Loss;
import org.backprop.loss.Losses;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;
import org.backprop.train.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Checks backpropagation on a real model: every parameter's gradient of the loss on a few samples,
 * as autograd computes it, against central finite differences of the network with its ReLU sides
 * and max-pool cells held where they are at the samples ({@link HeldSwitches},
 * {@link GradCheck#compareHeld}). Exit code 1 when any parameter fails.
 */
@Command(name = "gradcheck", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Compare every parameter's gradient with finite differences on a few samples.",
                "Prints each parameter's worst error (|numeric − autograd| / (atol + rtol·|numeric|), at most 1 passes) "
                        + "and PASS or FAIL; the exit code is 1 when any parameter fails."})
final class GradcheckCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--data", paramLabel = "NAME|FILE.csv",
            description = "Take the samples from digits, housing, fashion-mnist (test images with their labels) or a CSV "
                    + "file with the model's columns (with --model; default: random standard-normal inputs).")
    String data;

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Mixin
    CsvInput csv = new CsvInput();

    @Option(names = "--target", paramLabel = "COLUMN", description = "With a CSV --data: the target column (default: the saved one).")
    String target;

    @Option(names = "--samples", defaultValue = "4", paramLabel = "N", description = "Samples in the checked loss (default: ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--loss", defaultValue = "auto", paramLabel = "NAME",
            description = "auto (cross_entropy for a classification model, else mse) or a loss name.")
    String loss;

    @Option(names = "--max-elements", defaultValue = "200", paramLabel = "N",
            description = "Check at most N randomly chosen elements of each parameter (default: ${DEFAULT-VALUE}); 0 checks all.")
    int maxElements;

    @Option(names = "--step", defaultValue = "" + GradCheck.DEFAULT_STEP, description = "Finite-difference step (default: ${DEFAULT-VALUE}).")
    double step;

    @Option(names = "--atol", defaultValue = "" + GradCheck.DEFAULT_ATOL, description = "Absolute tolerance (default: ${DEFAULT-VALUE}).")
    double atol;

    @Option(names = "--rtol", defaultValue = "" + GradCheck.DEFAULT_RTOL, description = "Relative tolerance (default: ${DEFAULT-VALUE}).")
    double rtol;

    @Option(names = "--seed", defaultValue = "1", description = "Seed for the samples, the checked elements and a described model's weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        if (samples < 1) throw new IllegalArgumentException("--samples must be at least 1, got " + samples);
        if (maxElements < 0) throw new IllegalArgumentException("--max-elements must be 0 (all) or more, got " + maxElements);
        if (!(step > 0)) throw new IllegalArgumentException("--step must be positive, got " + step);
        ModelOptions.Resolved m = modelOptions.resolve(seed);
        Sequential network = m.network();
        if (m.saved() != null && m.saved().metadata().containsKey(TextTraining.VOCABULARY_KEY)) return checkText(out, m);
        int inputs = m.architecture().inputSize().orElseThrow(
                () -> new IllegalArgumentException(m.name() + ": the network's input size is unknown (no leading linear layer "
                        + "and no recorded input shape), so there is nothing to feed it"));
        int outputs = m.architecture().outputSize().orElseThrow(() -> new IllegalArgumentException(m.name()
                + ": the network's output size is unknown (its last layer with weights is not linear), so the loss "
                + "cannot be set up"));
        if (data == null) {
            InputLimits.checkBytes("--samples " + samples, "random samples of " + inputs + " inputs",
                    (long) samples * Math.max(inputs, outputs) * Float.BYTES * 2);
        }
        Task task = m.saved() == null ? Task.REGRESSION : Predictor.taskOf(m.saved());
        String lossName = loss.equalsIgnoreCase("auto") ? (task == Task.CLASSIFICATION ? "cross_entropy" : "mse") : loss;
        Loss lossFn = Losses.named(lossName);

        Random rng = new Random(seed);
        Tensor[] xy = data == null ? randomSamples(rng, inputs, outputs, lossName) : dataSamples(m, rng);
        Tensor x = toSampleShape(xy[0], m.architecture().inputShape()), y = xy[1];
        network.eval();

        Map<String, Parameter> named = network.namedParameters();
        List<String> names = new ArrayList<>(named.keySet());
        Tensor[] params = names.stream().map(n -> named.get(n).value()).toArray(Tensor[]::new);
        List<int[]> chosen = new ArrayList<>();
        boolean sampled = false;
        for (Tensor p : params) {
            boolean all = maxElements == 0 || p.numel() <= maxElements;
            chosen.add(all ? null : choose(p.numel(), maxElements, rng));
            sampled |= !all;
        }

        out.printf(Locale.ROOT, "Gradient check: %s (%s), %s loss on %d %s; step %s, atol %s, rtol %s%n", m.name(),
                ModelOptions.shape(m.architecture()), lossName, x.size(0),
                data == null ? "random samples" : "samples of " + data, fmt(step), fmt(atol), fmt(rtol));
        if (sampled) {
            out.printf("Large parameters: %d randomly chosen elements each (--max-elements; 0 checks all)%n", maxElements);
        }
        out.println("Worst error: the largest |autograd − finite differences| as a multiple of the tolerance "
                + "(atol + rtol·|finite differences|); 0.05× is well inside it, ≤ 1 passes");
        // A step of a first-layer weight moves every position of every image, so it crosses ReLU kinks
        // and max-pool switches at any usable float32 step, and a difference across one mixes two
        // slopes. The differences are therefore taken with every switch held on its side at x.
        HeldSwitches switches = HeldSwitches.at(network, x);
        int onKink = switches.exactKinks();
        if (onKink > 0) {
            out.printf(Locale.ROOT, "Not differentiable here: %,d ReLU input%s exactly 0 at these samples; a parameter "
                    + "that moves %s has no derivative and can FAIL%n", onKink, onKink == 1 ? " is" : "s are",
                    onKink == 1 ? "it" : "them");
        }
        Function<Tensor[], Tensor> f = in -> lossFn.apply(network.forward(x), y);
        Function<Tensor[], Tensor> held = in -> lossFn.apply(switches.forward(x), y);

        return check(out, names, params, chosen, f, held, switches);
    }

    /** Checks each parameter in turn and prints one line each and the verdict; 0 when all pass, else 1. */
    private int check(PrintWriter out, List<String> names, Tensor[] params, List<int[]> chosen, Function<Tensor[], Tensor> f,
                      Function<Tensor[], Tensor> held, HeldSwitches switches) {
        int width = names.stream().mapToInt(String::length).max().orElse(9);
        int failed = 0;
        long crossedTotal = 0;
        for (int i = 0; i < params.length; i++) {
            // one parameter at a time, so that the kinks its steps cross are counted for it
            List<int[]> only = new ArrayList<>();
            for (int j = 0; j < params.length; j++) only.add(j == i ? chosen.get(j) : new int[0]);
            long before = switches == null ? 0 : switches.crossings();
            GradCheck.Comparison c = GradCheck.compareHeld(f, held, step, atol, rtol, only, params).get(i);
            long crossed = switches == null ? 0 : switches.crossings() - before;
            crossedTotal += crossed;
            boolean pass = c.passed();
            if (!pass) failed++;
            String line = String.format(Locale.ROOT, "  %-" + width + "s  %-10s  %6d of %-6d  worst error %-9s  %s",
                    names.get(i), Shape.str(params[i].shape()), c.checked(), params[i].numel(), fmt(c.maxError()) + "×",
                    pass ? "PASS" : "FAIL");
            if (crossed > 0) line += String.format(Locale.ROOT, "  (%,d kink crossings held)", crossed);
            if (!pass) {
                line += String.format(Locale.ROOT, "  (element %d: autograd %.6g, finite differences %.6g)",
                        c.worstElement(), c.analytic(), c.numeric());
            }
            out.println(line);
        }
        if (failed == 0) {
            out.printf("PASS: all %d parameters agree with finite differences%s%n", params.length, crossedTotal == 0 ? ""
                    : String.format(Locale.ROOT, " (the steps crossed ReLU or max-pool kinks %,d times; each was held "
                    + "on its side at these samples)", crossedTotal));
        } else {
            out.printf("FAIL: %d of %d parameters disagree with finite differences%n", failed, params.length);
        }
        out.flush();
        return failed == 0 ? 0 : 1;
    }


    /**
     * A character language model (recurrent or GPT): {@code --samples} windows of 8 random
     * characters of its vocabulary (fewer if its windows or context are shorter), each followed by
     * a random next character, scored by the mean cross-entropy of every position. Its functions
     * (tanh, sigmoid, GELU, softmax) are smooth, so nothing needs holding.
     */
    private int checkText(PrintWriter out, ModelOptions.Resolved m) throws IOException {
        Sequential network = m.network();
        org.backprop.nn.Gpt gpt = GenerateCommand.gptOf(m.saved());
        int vocab = (gpt != null ? GenerateCommand.gptVocabulary(m.saved(), gpt, Path.of(m.name())) : GenerateCommand.vocabulary(m.saved(), Path.of(m.name()))).size();
        int window = gpt != null ? gpt.config.context() : Integer.parseInt(m.saved().metadata().getOrDefault(TextTraining.SEQ_LEN_KEY, "8"));
        int time = Math.min(8, window);
        InputLimits.checkBytes("--samples " + samples, "windows of " + time + " characters", (long) samples * time * vocab * Float.BYTES * 4);
        Random rng = new Random(seed);
        int[] ids = new int[samples * time];
        float[] next = new float[samples * time];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = rng.nextInt(vocab);
            next[i] = rng.nextInt(vocab);
        }
        Tensor y = Tensor.wrap(next, samples * time);
        Loss ce = Losses.named("cross_entropy");
        network.eval();
        Function<Tensor[], Tensor> f = gpt != null ? in -> ce.apply(gpt.logits(ids, samples, time), y)
                : in -> ce.apply(org.backprop.text.CharLanguageModel.forward(network, org.backprop.nn.Embedding.indices(ids, samples, time),
                        org.backprop.text.CharLanguageModel.State.ZERO).logits(), y);
        Map<String, Parameter> named = network.namedParameters();
        List<String> names = new ArrayList<>(named.keySet());
        Tensor[] params = names.stream().map(n -> named.get(n).value()).toArray(Tensor[]::new);
        List<int[]> chosen = new ArrayList<>();
        for (Tensor p : params) chosen.add(maxElements == 0 || p.numel() <= maxElements ? null : choose(p.numel(), maxElements, rng));
        out.printf(Locale.ROOT, "Gradient check: %s (character language model%s, vocabulary of %d), cross_entropy loss on %d windows "
                + "of %d random characters; step %s, atol %s, rtol %s%n", m.name(), gpt != null ? ", GPT" : "", vocab, samples, time,
                fmt(step), fmt(atol), fmt(rtol));
        if (chosen.stream().anyMatch(java.util.Objects::nonNull)) {
            out.printf("Large parameters: %d randomly chosen elements each (--max-elements; 0 checks all)%n", maxElements);
        }
        out.println("Worst error: the largest |autograd − finite differences| as a multiple of the tolerance "
                + "(atol + rtol·|finite differences|); 0.05× is well inside it, ≤ 1 passes");
        return check(out, names, params, chosen, f, f, null);
    }

    /** Flat rows [N, F] reshaped to the recorded sample shape, e.g. [N, 1, 28, 28]; other inputs as they are. */
    private static Tensor toSampleShape(Tensor x, List<Integer> sample) {
        if (sample.size() <= 1 || x.dim() != 2) return x;
        int[] shape = new int[sample.size() + 1];
        shape[0] = x.size(0);
        for (int i = 0; i < sample.size(); i++) shape[i + 1] = sample.get(i);
        return x.reshape(shape);
    }

    /** Standard-normal inputs (the scale of standardised features) and targets that suit the loss. */
    private Tensor[] randomSamples(Random rng, int inputs, int outputs, String lossName) {
        Tensor x = Tensor.randn(rng, samples, inputs);
        String key = lossName.strip().toLowerCase(Locale.ROOT).replace('-', '_');
        Tensor y = switch (key) {
            case "cross_entropy", "nll" -> {
                float[] classes = new float[samples];
                for (int i = 0; i < samples; i++) classes[i] = rng.nextInt(outputs);
                yield Tensor.wrap(classes, samples);
            }
            case "bce", "bce_logits" -> {
                float[] bits = new float[samples * outputs];
                for (int i = 0; i < bits.length; i++) bits[i] = rng.nextInt(2);
                yield Tensor.wrap(bits, samples, outputs);
            }
            default -> Tensor.randn(rng, samples, outputs);
        };
        return new Tensor[] {x, y};
    }

    /** Random rows of the data, preprocessed as the model saw them in training. */
    private Tensor[] dataSamples(ModelOptions.Resolved m, Random rng) throws IOException {
        if (m.saved() == null) {
            throw new IllegalArgumentException("--data needs --model: a described network has no preprocessing to apply");
        }
        Predictor predictor = new Predictor(m.saved());
        if (TrainSetup.isFashionMnist(data)) {
            Images images = Images.load(data, fashionDir, predictor, null);
            int[] rows = choose(images.count(), Math.min(samples, images.count()), rng);
            float[] x = new float[rows.length * 784], y = new float[rows.length];
            float[] all = images.pixels().toFloatArray();
            for (int i = 0; i < rows.length; i++) {
                System.arraycopy(all, rows[i] * 784, x, i * 784, 784);
                y[i] = images.labels()[rows[i]];
            }
            return new Tensor[] {predictor.prepare(Tensor.wrap(x, rows.length, 784)), Tensor.wrap(y, rows.length)};
        }
        DataSource.Loaded loaded = DataSource.load(data, target, csv.format(), predictor);
        Dataset ds = loaded.data();
        int n = Math.min(samples, ds.size());
        Dataset rows = ds.subset(choose(ds.size(), n, rng));
        Tensor x = predictor.prepare(predictor.features(rows, loaded.name()));
        return new Tensor[] {x, predictor.scaleTargets(rows.targets())};
    }

    /** {@code k} distinct indices of {@code 0..n-1}, in increasing order. */
    private static int[] choose(int n, int k, Random rng) {
        int[] perm = new int[n];
        for (int i = 0; i < n; i++) perm[i] = i;
        for (int i = 0; i < k; i++) {
            int j = i + rng.nextInt(n - i);
            int t = perm[i];
            perm[i] = perm[j];
            perm[j] = t;
        }
        int[] out = Arrays.copyOf(perm, k);
        Arrays.sort(out);
        return out;
    }

    private static String fmt(double v) {
        return Double.isNaN(v) ? "NaN" : String.format(Locale.ROOT, "%.3g", v);
    }
}

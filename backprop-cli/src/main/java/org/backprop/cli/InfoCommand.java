package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.LayerSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.io.SequentialSpec;
import org.backprop.guard.Untrusted;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Describes a model: its layers with output shapes and parameter counts, its preprocessing and metadata. */
@Command(name = "info", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Layers, output shapes and parameter counts of a saved or described model, and its preprocessing.")
final class InfoCommand implements Callable<Integer> {
    private static final int MAX_NAMES = 8;

    @Spec
    CommandSpec spec;

    @Mixin
    ModelOptions modelOptions;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        PrintWriter out = spec.commandLine().getOut();
        ModelOptions.Resolved m = modelOptions.describe();
        ArchitectureSpec arch = m.architecture();
        out.printf("Model: %s (%s)%n", m.name(), ModelOptions.shape(arch));
        printLayers(out, arch);
        if (modelOptions.model != null) {
            printPreprocessing(out, m.preprocessing());
            AudioFeatures audio = AudioFeatures.of(m.metadata(), arch, Path.of(m.name()));
            if (audio != null) printAudio(out, audio);
            printMetadata(out, m.metadata());
        }
        out.flush();
        return 0;
    }

    /**
     * One row per layer (the layers of a nested sequential as {@code i.j}): what it is, its output
     * shape for a batch of N (when the input shape is known), its tensors (parameters and buffers)
     * and its parameter count.
     */
    private static void printLayers(PrintWriter out, ArchitectureSpec arch) {
        Map<String, int[]> parameters = arch.parameterShapes();
        Map<String, int[]> state = arch.stateShapes();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "layer", "output", "parameters", "tensors"});
        int[] input = !arch.inputShape().isEmpty() ? arch.inputShape().stream().mapToInt(Integer::intValue).toArray()
                : arch.inputSize().isPresent() ? new int[] {arch.inputSize().getAsInt()} : null;
        addRows(rows, "", arch.layers(), input, parameters, state);
        int[] w = new int[5];
        for (String[] r : rows) for (int c = 0; c < w.length; c++) w[c] = Math.max(w[c], r[c].length());
        for (String[] r : rows) {
            out.println(String.format(Locale.ROOT, "  %-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3]
                    + "s  %s", (Object[]) r).stripTrailing());
        }
        long total = parameters.values().stream().mapToLong(InfoCommand::numel).sum();
        int buffers = state.size() - parameters.size();
        String in = input == null ? "[N, ?]" : batchOf(input);
        out.printf(Locale.ROOT, "Parameters: %,d in %d tensors%s; input %s%n", total, parameters.size(),
                buffers == 0 ? "" : " (plus " + buffers + " buffer" + (buffers == 1 ? "" : "s") + ")", in);
    }

    /** Adds the rows of {@code layers} (named {@code prefix + index}); returns the output shape, or null if unknown. */
    private static int[] addRows(List<String[]> rows, String prefix, List<LayerSpec> layers, int[] shape,
            Map<String, int[]> parameters, Map<String, int[]> state) {
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec layer = layers.get(i);
            String name = prefix + i;
            if (layer instanceof SequentialSpec block) {
                shape = addRows(rows, name + ".", block.layers(), shape, parameters, state);
                continue;
            }
            shape = shape == null ? null : layer.outputShape(shape);
            long count = 0;
            List<String> tensors = new ArrayList<>();
            for (Map.Entry<String, int[]> e : state.entrySet()) {
                if (!e.getKey().startsWith(name + ".")) continue;
                tensors.add(e.getKey() + " " + Arrays.toString(e.getValue()));
                if (parameters.containsKey(e.getKey())) count += numel(e.getValue());
            }
            rows.add(new String[] {name, layer.describe(), shape == null ? "[N, ?]" : batchOf(shape),
                    String.format(Locale.ROOT, "%,d", count), String.join(", ", tensors)});
        }
        return shape;
    }

    private static String batchOf(int[] sample) {
        StringBuilder sb = new StringBuilder("[N");
        for (int d : sample) sb.append(", ").append(d);
        return sb.append(']').toString();
    }

    private static long numel(int[] shape) {
        return Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact);
    }

    private static void printPreprocessing(PrintWriter out, Preprocessing p) {
        if (p.isEmpty()) {
            out.println("Preprocessing: none recorded (inputs go to the network as they are)");
            return;
        }
        out.println("Preprocessing:");
        if (p.task() != null) {
            out.println("  task: " + p.task().name().toLowerCase(Locale.ROOT) + (p.task() == Preprocessing.Task.CLASSIFICATION
                    ? " (the outputs are class scores; predict turns them into probabilities)" : " (the outputs are values of the target)"));
        }
        if (p.featureNames() != null) {
            List<String> names = p.featureNames().stream().map(Untrusted::text).toList();
            String shown = String.join(", ", names.subList(0, Math.min(MAX_NAMES, names.size())))
                    + (names.size() > MAX_NAMES ? ", ... (" + (names.size() - MAX_NAMES) + " more)" : "");
            out.printf("  features (%d): %s%n", names.size(), shown);
        }
        out.println("  feature standardisation: " + (p.featureMeans() == null ? "none"
                : "(x − mean) / std with the training part's statistics, e.g. " + firstStats(p)));
        if (p.columns() != null) {
            List<String> encoded = p.columns().stream().filter(c -> c.isCategorical())
                    .map(c -> Untrusted.text(c.name()) + " (" + c.categories().size() + " categories)").toList();
            List<String> filled = p.columns().stream().filter(c -> c.fillsGaps())
                    .map(c -> Untrusted.text(c.name()) + " → " + (c.isCategorical() ? Untrusted.text(c.fillCategory()) : num(c.fill()))).toList();
            out.println("  one-hot columns (a category unseen in training sets none of its inputs): "
                    + (encoded.isEmpty() ? "none" : String.join(", ", encoded)));
            if (p.missing() != null) {
                out.println("  missing values: " + p.missing().label() + switch (p.missing()) {
                    case DROP -> " (rows with a gap were left out of training; new rows need every value)";
                    case FAIL -> " (training had no gaps; new rows need every value)";
                    default -> " (gaps are filled with the training part's " + p.missing().label() + "; text columns with "
                            + "their most frequent category)";
                });
            }
            if (!filled.isEmpty()) out.println("  fill values: " + String.join(", ", filled.subList(0, Math.min(MAX_NAMES,
                    filled.size()))) + (filled.size() > MAX_NAMES ? ", ..." : ""));
        }
        if (p.targetName() != null) out.println("  target: " + Untrusted.text(p.targetName()));
        if (p.classNames() != null) {
            List<String> named = new ArrayList<>();
            for (int i = 0; i < p.classNames().size(); i++) named.add(i + " = " + Untrusted.text(p.classNames().get(i)));
            out.println("  classes (output index = label in the data): " + String.join(", ", named));
        }
        if (p.targetMeans() != null) {
            out.println("  target standardisation: predictions are mapped back with y = y′·std + mean, "
                    + stats(p.targetMeans(), p.targetStds()));
        }
    }

    /** A speech model's input pipeline, from WAV file to network input. */
    private static void printAudio(PrintWriter out, AudioFeatures f) {
        LogMel m = f.logMel();
        out.println("Audio features (predict takes WAV files):");
        out.printf(Locale.ROOT, "  %d Hz mono (other rates are resampled), right-aligned in %d samples%n", m.sampleRate(), m.windowSamples());
        out.printf(Locale.ROOT, "  %d frames of %d samples every %d, periodic Hann window, power spectrum%n", m.frames(),
                m.frameLength(), m.hop());
        out.printf(Locale.ROOT, "  %d HTK-mel filters %s–%s Hz, log(x + %s)%n", m.mels(), TrainCommand.fmt(m.minHz()),
                TrainCommand.fmt(m.maxHz()), m.logFloor());
        out.printf(Locale.ROOT, "  per-band standardisation with the training part's statistics, e.g. band 0: mean %s, std %s%n",
                num(f.bandMeans()[0]), num(f.bandStds()[0]));
        out.printf("  network input: %s per recording (%s)%n", Arrays.toString(f.sampleShape()),
                f.layout() == AudioFeatures.Layout.IMAGE ? "channel, bands, frames" : "frames, bands");
    }

    private static String firstStats(Preprocessing p) {
        String name = p.featureNames() == null ? "feature 0" : Untrusted.text(p.featureNames().getFirst());
        return name + ": mean " + num(p.featureMeans()[0]) + ", std " + num(p.featureStds()[0]);
    }

    private static String stats(float[] means, float[] stds) {
        List<String> parts = new ArrayList<>();
        for (int i = 0; i < means.length; i++) parts.add("mean " + num(means[i]) + ", std " + num(stds[i]));
        return String.join("; ", parts);
    }

    private static String num(float v) {
        return String.format(Locale.ROOT, "%.4g", v);
    }

    private static void printMetadata(PrintWriter out, Map<String, String> metadata) {
        out.println("Metadata (the file's text fields):");
        metadata.forEach((k, v) -> {
            if (k.equals(ModelFile.ARCHITECTURE_KEY) || k.equals(ModelFile.PREPROCESSING_KEY) || k.equals(ModelFile.AUDIO_KEY)) {
                out.printf("  %s: (JSON, %d characters; shown above)%n", k, v.length());
            } else {
                String meaning = MEANINGS.get(k);
                out.printf("  %s: %s%s%n", Untrusted.text(k), Untrusted.text(v), // from the file: cut and escaped
                        meaning == null ? "" : "  — " + meaning);
            }
        });
    }

    /** What the text fields that backprop and the safetensors convention write mean. */
    private static final Map<String, String> MEANINGS = Map.of(
            "format", "the safetensors convention's tensor flavour; \"pt\" means PyTorch's layout, so "
                    + "torch and safetensors' Python loader read the weights directly",
            TrainOutput.DATASET_KEY, "the data the model was trained on",
            TrainOutput.SEED_KEY, "train's --seed: evaluate --split test draws the same test rows with it",
            TrainOutput.TEST_FRACTION_KEY, "train's --test-fraction: with the seed, evaluate --split test draws the same test rows",
            TrainOutput.SPLIT_KEY, "how the test rows were drawn: stratified keeps each class's share, random does not");
}

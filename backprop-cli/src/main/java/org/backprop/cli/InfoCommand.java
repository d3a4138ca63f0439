package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.LayerSpec;
import org.backprop.io.LinearSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
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
        ModelOptions.Resolved m = modelOptions.resolve(0);
        ArchitectureSpec arch = m.architecture();
        out.printf("Model: %s (%s)%n", m.name(), ModelOptions.shape(arch));
        printLayers(out, arch);
        if (m.saved() != null) {
            printPreprocessing(out, m.preprocessing());
            printMetadata(out, m.metadata());
        }
        out.flush();
        return 0;
    }

    /** One row per layer: what it is, its output shape for a batch of N, its tensors and parameter count. */
    private static void printLayers(PrintWriter out, ArchitectureSpec arch) {
        Map<String, int[]> shapes = arch.parameterShapes();
        List<String[]> rows = new ArrayList<>();
        rows.add(new String[] {"#", "layer", "output", "parameters", "tensors"});
        long total = 0;
        int width = arch.inputSize().orElse(-1);
        for (int i = 0; i < arch.layers().size(); i++) {
            LayerSpec layer = arch.layers().get(i);
            long count = 0;
            List<String> tensors = new ArrayList<>();
            for (String suffix : List.of(".weight", ".bias")) {
                int[] shape = shapes.get(i + suffix);
                if (shape == null) continue;
                count += Arrays.stream(shape).asLongStream().reduce(1, Math::multiplyExact);
                tensors.add(i + suffix + " " + Arrays.toString(shape));
            }
            if (layer instanceof LinearSpec l) width = l.out();
            total += count;
            rows.add(new String[] {Integer.toString(i), layer.describe(), width < 0 ? "[N, ?]" : "[N, " + width + "]",
                    String.format(Locale.ROOT, "%,d", count), String.join(", ", tensors)});
        }
        int[] w = new int[5];
        for (String[] r : rows) for (int c = 0; c < w.length; c++) w[c] = Math.max(w[c], r[c].length());
        for (String[] r : rows) {
            out.println(String.format(Locale.ROOT, "  %-" + w[0] + "s  %-" + w[1] + "s  %-" + w[2] + "s  %" + w[3]
                    + "s  %s", (Object[]) r).stripTrailing());
        }
        out.printf(Locale.ROOT, "Parameters: %,d in %d tensors; input [N, %s]%n", total, shapes.size(),
                arch.inputSize().isPresent() ? Integer.toString(arch.inputSize().getAsInt()) : "?");
    }

    private static void printPreprocessing(PrintWriter out, Preprocessing p) {
        if (p.isEmpty()) {
            out.println("Preprocessing: none recorded (inputs go to the network as they are)");
            return;
        }
        out.println("Preprocessing:");
        if (p.task() != null) out.println("  task: " + p.task().name().toLowerCase(Locale.ROOT));
        if (p.featureNames() != null) {
            List<String> names = p.featureNames();
            String shown = String.join(", ", names.subList(0, Math.min(MAX_NAMES, names.size())))
                    + (names.size() > MAX_NAMES ? ", ... (" + (names.size() - MAX_NAMES) + " more)" : "");
            out.printf("  features (%d): %s%n", names.size(), shown);
        }
        out.println("  feature standardisation: " + (p.featureMeans() == null ? "none"
                : "(x − mean) / std with the training part's statistics, e.g. " + firstStats(p)));
        if (p.targetName() != null) out.println("  target: " + p.targetName());
        if (p.targetMeans() != null) {
            out.println("  target standardisation: predictions are mapped back with y = y′·std + mean, "
                    + stats(p.targetMeans(), p.targetStds()));
        }
    }

    private static String firstStats(Preprocessing p) {
        String name = p.featureNames() == null ? "feature 0" : p.featureNames().getFirst();
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
        out.println("Metadata:");
        metadata.forEach((k, v) -> {
            if (k.equals(ModelFile.ARCHITECTURE_KEY) || k.equals(ModelFile.PREPROCESSING_KEY)) {
                out.printf("  %s: (JSON, %d characters; shown above)%n", k, v.length());
            } else {
                out.printf("  %s: %s%n", k, v);
            }
        });
    }
}

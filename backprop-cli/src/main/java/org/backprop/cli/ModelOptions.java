package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.io.ActivationSpec;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.Conv2dSpec;
import org.backprop.io.SequentialSpec;
import org.backprop.io.LayerSpec;
import org.backprop.io.LinearSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Sequential;
import picocli.CommandLine.Option;

/**
 * Options that name a model: a saved file ({@code --model}), or a described multilayer perceptron
 * ({@code --layers 64,32 --inputs 13 --outputs 1 --activation relu}) built with fresh weights.
 */
final class ModelOptions {
    @Option(names = "--model", paramLabel = "FILE|DIR", description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Option(names = "--layers", paramLabel = "N,N,...",
            description = "Or describe a network: hidden layer sizes ('none' for a linear model).")
    String layers;

    @Option(names = "--inputs", paramLabel = "N", description = "With --layers: the number of input features.")
    Integer inputs;

    @Option(names = "--outputs", paramLabel = "N", description = "With --layers: the number of outputs.")
    Integer outputs;

    @Option(names = "--activation", paramLabel = "NAME",
            description = "With --layers: relu, leaky_relu, elu, gelu, sigmoid or tanh (default: relu).")
    String activation;

    /** The model to work on, with what the file says about it (nothing for a described one). */
    record Resolved(String name, ArchitectureSpec architecture, Sequential network, Preprocessing preprocessing,
                    Map<String, String> metadata, ModelFile.SavedModel saved) {}

    /** Loads or builds the model; the seed draws a described model's weights. */
    Resolved resolve(long seed) throws IOException {
        return resolve(seed, true);
    }

    /**
     * The model's description without its weights: a saved file's header only, a described
     * network without building it ({@code network} and {@code saved} are {@code null}), so that
     * {@code info} is quick and small for any size.
     */
    Resolved describe() throws IOException {
        return resolve(0, false);
    }

    private Resolved resolve(long seed, boolean build) throws IOException {
        boolean described = layers != null || inputs != null || outputs != null || activation != null;
        if (model != null && described) {
            throw new IllegalArgumentException("give either --model or a description (--layers, --inputs, --outputs, "
                    + "--activation), not both");
        }
        if (model != null && !build) {
            ModelFile.Description d = ModelLoader.describe(model);
            return new Resolved(model.toString(), d.architecture(), null, d.preprocessing(), d.metadata(), null);
        }
        if (model != null) {
            ModelFile.SavedModel saved = ModelLoader.load(model);
            return new Resolved(model.toString(), saved.architecture(), saved.model(), saved.preprocessing(),
                    saved.metadata(), saved);
        }
        if (!described) {
            throw new IllegalArgumentException("name a model: --model FILE, or describe one with --layers 64,32 "
                    + "--inputs N --outputs N [--activation relu]");
        }
        List<String> missing = new ArrayList<>();
        if (layers == null) missing.add("--layers");
        if (inputs == null) missing.add("--inputs");
        if (outputs == null) missing.add("--outputs");
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException("a described model needs " + String.join(", ", missing)
                    + " too (e.g. --layers 64,32 --inputs 13 --outputs 1)");
        }
        if (inputs < 1) throw new IllegalArgumentException("--inputs must be at least 1, got " + inputs);
        if (outputs < 1) throw new IllegalArgumentException("--outputs must be at least 1, got " + outputs);
        ArchitectureSpec architecture = describe(TrainSetup.parseLayers(layers), inputs, outputs,
                activation == null ? "relu" : activation);
        String name = "described network";
        if (!build) return new Resolved(name, architecture, null, Preprocessing.none(), Map.of(), null);
        checkFitsInMemory(architecture);
        return new Resolved(name, architecture, architecture.build(new Random(seed)), Preprocessing.none(), Map.of(),
                null);
    }

    /**
     * Refuses a network whose weights, gradients and two optimizer buffers would not fit in the
     * heap, before any is allocated, naming its size (instead of an OutOfMemoryError later).
     */
    static void checkFitsInMemory(ArchitectureSpec architecture) {
        long parameters = 0;
        for (int[] shape : architecture.stateShapes().values()) {
            long n = 1;
            for (int d : shape) n = Math.multiplyExact(n, (long) d);
            parameters = Math.addExact(parameters, n);
        }
        checkFitsInMemory(parameters);
    }

    /** As {@link #checkFitsInMemory(ArchitectureSpec)} for a network of {@code parameters} values. */
    static void checkFitsInMemory(long parameters) {
        long bytes = parameters * Float.BYTES * 4;
        long heap = Runtime.getRuntime().maxMemory();
        if (bytes > heap - (heap >> 3)) {
            throw new IllegalArgumentException(String.format(java.util.Locale.ROOT, "the network has %,d parameters "
                    + "(%s with gradients and optimizer state), more than the Java heap of %s holds: use smaller layers, "
                    + "or give Java more memory with BACKPROP_JAVA_OPTS=-Xmx16g", parameters,
                    org.backprop.guard.InputLimits.size(bytes), org.backprop.guard.InputLimits.size(heap)));
        }
    }

    /** Linear layers of the given sizes with the activation between them, as {@code train} builds. */
    static ArchitectureSpec describe(List<Integer> hidden, int inputs, int outputs, String activation) {
        List<LayerSpec> specs = new ArrayList<>();
        int width = inputs;
        for (int h : hidden) {
            specs.add(new LinearSpec(width, h, true));
            specs.add(ActivationSpec.named(activation));
            width = h;
        }
        specs.add(new LinearSpec(width, outputs, true));
        return new ArchitectureSpec(specs);
    }

    /**
     * e.g. {@code 12-64-32-1 relu}: the widths, then the activations used; for networks with other
     * layers, e.g. {@code [1, 28, 28] → 10, 2 conv + 3 linear layers, relu}.
     */
    static String shape(ArchitectureSpec architecture) {
        List<String> widths = new ArrayList<>();
        List<String> activations = new ArrayList<>();
        int[] counts = new int[2]; // conv, linear
        boolean plain = count(architecture.layers(), widths, activations, counts);
        String acts = activations.isEmpty() ? "" : " " + String.join(",", activations);
        if (!plain) {
            String in = architecture.inputShape().isEmpty() ? "?" : architecture.inputShape().toString();
            String out = architecture.outputSize().isPresent() ? Integer.toString(architecture.outputSize().getAsInt()) : "?";
            return in + " → " + out + ", " + counts[0] + " conv + " + counts[1] + " linear layers"
                    + (acts.isEmpty() ? "" : "," + acts);
        }
        String w = widths.isEmpty() ? "no linear layers" : String.join("-", widths);
        return w + acts;
    }

    /** Walks the layers (nested ones too); true when there are only linear layers and activations. */
    private static boolean count(List<LayerSpec> layers, List<String> widths, List<String> activations, int[] counts) {
        boolean plain = true;
        for (LayerSpec l : layers) {
            switch (l) {
                case LinearSpec s -> {
                    if (widths.isEmpty()) widths.add(Integer.toString(s.in()));
                    widths.add(Integer.toString(s.out()));
                    counts[1]++;
                }
                case ActivationSpec a -> {
                    if (!activations.contains(a.describe())) activations.add(a.describe());
                }
                case Conv2dSpec _ -> {
                    counts[0]++;
                    plain = false;
                }
                case SequentialSpec q -> {
                    count(q.layers(), widths, activations, counts);
                    plain = false;
                }
                default -> plain = false; // pooling, flatten, normalisation, dropout, ...
            }
        }
        return plain;
    }
}

package org.backprop.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.shape.Window2d;
import org.backprop.nn.Activation;
import org.backprop.nn.AvgPool2d;
import org.backprop.nn.BatchNorm;
import org.backprop.nn.BatchNorm1d;
import org.backprop.nn.BatchNorm2d;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Dropout;
import org.backprop.nn.Flatten;
import org.backprop.nn.Gpt;
import org.backprop.nn.Init;
import org.backprop.nn.LayerNorm;
import org.backprop.nn.Embedding;
import org.backprop.nn.GRU;
import org.backprop.nn.LSTM;
import org.backprop.nn.Linear;
import org.backprop.nn.RNN;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Models;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * The Java half of the PyTorch round trip ({@code scripts/torch_roundtrip.py}), over the models of
 * {@link #NAMES}: an MLP with every activation, LeNet-5, the small batch-normalised CNN, and a
 * CNN with every other layer kind and option a model file describes.
 *
 * <ol>
 *   <li>{@code export DIR} writes, for each model, {@code backprop_<name>.safetensors} (a model
 *       file) and {@code backprop_<name>_io.safetensors} (tensors {@code inputs} and Backprop's
 *       {@code predictions});</li>
 *   <li>the script rebuilds each in {@code torch.nn.Sequential}, compares predictions, and writes
 *       {@code torch_<name>.safetensors} and {@code torch_<name>_io.safetensors} from its own torch
 *       definitions of the same networks, plus {@value #TORCH_DTYPES} (one vector in four dtypes);</li>
 *   <li>{@code verify DIR} loads the torch files with Backprop and compares predictions.</li>
 * </ol>
 * Run through {@code TorchRoundTripTest} with {@code -Dbackprop.roundtrip.dir=DIR} (see
 * {@code scripts/README.md}), or with {@link #main} on the test classpath.
 */
public final class TorchRoundTrip {
    /** The models, in order; the script uses the same names for its side. */
    static final List<String> NAMES = List.of("mlp", "lenet5", "small_cnn", "every_layer", "char_lstm", "seq_gru", "gpt");
    static final String TORCH_DTYPES = "torch_dtypes.safetensors";
    /** Largest accepted |Backprop − PyTorch| over all predictions. */
    static final double TOLERANCE = 1e-5;

    private TorchRoundTrip() {}

    static Path backpropModel(Path dir, String name) {
        return dir.resolve("backprop_" + name + ".safetensors");
    }

    static Path backpropIo(Path dir, String name) {
        return dir.resolve("backprop_" + name + "_io.safetensors");
    }

    static Path torchModel(Path dir, String name) {
        return dir.resolve("torch_" + name + ".safetensors");
    }

    static Path torchIo(Path dir, String name) {
        return dir.resolve("torch_" + name + "_io.safetensors");
    }

    /** A model to export, with the sample shape it records, its preprocessing and the inputs to predict. */
    record Example(Sequential model, List<Integer> inputShape, Preprocessing preprocessing, Tensor inputs) {}

    static Example example(String name) {
        Random rng = new Random(2024);
        Preprocessing classify = new Preprocessing(Preprocessing.Task.CLASSIFICATION, null, null, null, null, null, null);
        return switch (name) {
            case "mlp" -> new Example(mlp(rng), List.of(), new Preprocessing(Preprocessing.Task.REGRESSION,
                    List.of("x0", "x1", "x2", "x3"), "y", new float[] {0.1f, -0.2f, 0.3f, 0f},
                    new float[] {1f, 2f, 0.5f, 1.5f}, new float[] {10f, 0f, -1f}, new float[] {2f, 1f, 0.25f}),
                    Tensor.randn(new Random(7), 64, 4).mul(2f));
            case "lenet5" -> new Example(Models.lenet5(rng), List.of(1, 28, 28), classify,
                    Tensor.randn(new Random(7), 8, 1, 28, 28));
            case "small_cnn" -> new Example(trained(Models.smallCnn(rng), 1, 28, 28), List.of(1, 28, 28), classify,
                    Tensor.randn(new Random(7), 8, 1, 28, 28));
            case "every_layer" -> new Example(trained(everyLayer(rng), 3, 16, 12), List.of(3, 16, 12), classify,
                    Tensor.randn(new Random(7), 8, 3, 16, 12));
            case "char_lstm" -> new Example(new Sequential(new Embedding(20, 8, rng),
                    new LSTM(8, 12, 2, false, true, 0.1f, rng), new Linear(12, 20, rng)), List.of(10), classify, tokens(20));
            case "seq_gru" -> new Example(sequenceLayers(rng), List.of(10), classify, tokens(16));
            case "gpt" -> new Example(gpt(rng), List.of(8), Preprocessing.none(), tokens(new Random(7), 11, 4, 8));
            default -> throw new IllegalArgumentException("no round-trip model '" + name + "' (known: " + NAMES + ")");
        };
    }

    /** Eight sequences of ten token ids below {@code vocab}, as floats. */
    static Tensor tokens(int vocab) {
        Random rng = new Random(7);
        float[] ids = new float[80];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
        return Tensor.wrap(ids, 8, 10);
    }

    /** The other recurrent kinds and options: a padding row, a bidirectional GRU, ReLU and tanh RNNs, stacked. */
    static Sequential sequenceLayers(Random rng) {
        return new Sequential(new Embedding(16, 6, 0, rng),
                new GRU(6, 5, 1, true, true, 0f, rng),                    // [10, 10]
                new RNN(10, 7, 2, true, false, true, 0.2f, rng),         // [10, 7]
                new RNN(7, 4, 1, false, true, true, 0f, rng),            // [10, 8]
                new Linear(8, 3, rng));
    }

    /** A small GPT (vocabulary 11, context 8, 2 layers, 2 heads, width 16), every parameter moved off its initial value. */
    static Sequential gpt(Random rng) {
        Gpt g = new Gpt(new Gpt.Config(11, 8, 2, 2, 16, 0f), rng);
        for (Parameter p : g.parameters()) {
            float[] v = p.data();
            for (int i = 0; i < v.length; i++) v[i] += (float) rng.nextGaussian() * 0.2f;
        }
        return new Sequential(g);
    }

    /** Random token ids [n, t] below {@code vocab}, as floats. */
    static Tensor tokens(Random rng, int vocab, int n, int t) {
        float[] ids = new float[n * t];
        for (int i = 0; i < ids.length; i++) ids[i] = rng.nextInt(vocab);
        return Tensor.wrap(ids, n, t);
    }

    /** Every activation, with softmax in the middle so the final outputs are raw and unsquashed. */
    static Sequential mlp(Random rng) {
        return new Sequential(
                new Linear(4, 16, rng), new Activation.LeakyReLU(0.2f),
                new Linear(16, 16, false, Init.heNormal(), rng), new Activation.ELU(0.5f),
                new Linear(16, 12, rng), new Activation.GELU(),
                new Linear(12, 12, rng), new Activation.Tanh(),
                new Linear(12, 10, rng), new Activation.Sigmoid(),
                new Linear(10, 10, rng), new Activation.ReLU(),
                new Linear(10, 8, rng), new Activation.Softmax(-1),
                new Linear(8, 3, rng));
    }

    /**
     * The layer kinds and options the CNN models leave out, on [3, 16, 12] images: stride,
     * dilation, no bias, padded and dilated max-pooling, average pooling without the padding in
     * the count, batch norm over [C, L] and [F], layer norm over two axes and without affine
     * parameters, a partial flatten, dropout, and sequentials nested two deep.
     */
    static Sequential everyLayer(Random rng) {
        return new Sequential(
                new Sequential(
                        new Conv2d(3, 8, Window2d.of(3, 1, 1), true, rng), new BatchNorm2d(8, 1e-3f, 0.2f),
                        new Activation.ReLU(),
                        new Sequential(new Conv2d(8, 6, new Window2d(3, 2, 2, 1, 2, 1, 2, 1), false, rng),
                                new Activation.LeakyReLU(0.1f))),                         // [6, 8, 13]
                new MaxPool2d(new Window2d(3, 2, 2, 1, 1, 1, 1, 2)),                      // [6, 4, 13]
                new AvgPool2d(new Window2d(3, 3, 1, 2, 1, 1, 1, 1), false),               // [6, 4, 7]
                new Dropout(0.3f, rng),
                new Flatten(2, -1),                                                       // [6, 28]
                new BatchNorm1d(6),
                new LayerNorm(new int[] {6, 28}, 1e-5f, true),
                new Flatten(),                                                            // [168]
                new Linear(168, 32, rng), new Activation.GELU(),
                new BatchNorm1d(32), new LayerNorm(new int[] {32}, 1e-4f, false), new Activation.Tanh(),
                new Linear(32, 10, rng));
    }

    /**
     * Moves the normalisation layers away from their initial state, as training would, so that
     * eval mode is compared on real numbers: a few training-mode passes set the batch-norm
     * running statistics, then γ and β of batch and layer norm get random offsets.
     */
    static Sequential trained(Sequential model, int... sample) {
        Random rng = new Random(99);
        int[] batch = new int[sample.length + 1];
        batch[0] = 16;
        System.arraycopy(sample, 0, batch, 1, sample.length);
        model.train();
        try (var _ = GradMode.noGrad()) {
            for (int step = 0; step < 3; step++) model.forward(Tensor.randn(rng, batch).mul(1.5f).add(0.3f));
        }
        model.eval();
        jitterNorms(model, rng);
        return model;
    }

    private static void jitterNorms(Sequential model, Random rng) {
        for (Module m : model.layers()) {
            List<Parameter> affine = switch (m) {
                case Sequential s -> {
                    jitterNorms(s, rng);
                    yield List.of();
                }
                case BatchNorm b -> List.of(b.weight, b.bias);
                case LayerNorm n when n.weight != null -> List.of(n.weight, n.bias);
                default -> List.of();
            };
            for (Parameter p : affine) {
                float[] v = p.data();
                for (int i = 0; i < v.length; i++) v[i] += (float) rng.nextGaussian() * 0.2f;
            }
        }
    }

    /** Writes every model with its inputs and Backprop's predictions for the script; returns the file count. */
    static int export(Path dir) throws IOException {
        Files.createDirectories(dir);
        for (String name : NAMES) {
            Example e = example(name);
            ModelFile.save(backpropModel(dir, name), e.model(), e.inputShape(), e.preprocessing(),
                    Map.of("purpose", "torch round trip"));
            Map<String, Tensor> io = new LinkedHashMap<>();
            io.put("inputs", e.inputs());
            io.put("predictions", predict(e.model(), e.inputs()));
            SafeTensors.write(backpropIo(dir, name), io);
        }
        return 2 * NAMES.size();
    }

    /**
     * Loads each torch-written model, compares predictions, and checks the dtype conversions;
     * returns the largest difference over all models.
     */
    static double verify(Path dir) throws IOException {
        List<String> missing = new ArrayList<>();
        for (String name : NAMES) {
            if (!Files.exists(torchModel(dir, name)) || !Files.exists(torchIo(dir, name))) missing.add(name);
        }
        if (!Files.exists(dir.resolve(TORCH_DTYPES)) || !missing.isEmpty()) {
            throw new AssertionError("torch files missing in " + dir + (missing.isEmpty() ? "" : " for " + missing)
                    + ": run scripts/torch_roundtrip.py on it first");
        }
        double worst = 0;
        for (String name : NAMES) {
            ModelFile.SavedModel saved = ModelFile.load(torchModel(dir, name));
            if (name.equals(NAMES.getFirst())) {
                System.out.println("Backprop reads the files of PyTorch " + saved.metadata().get("torch_version"));
            }
            SafeTensors.Contents io = SafeTensors.read(torchIo(dir, name));
            Tensor inputs = io.tensors().get("inputs");
            List<Integer> sample = new ArrayList<>();
            for (int d = 1; d < inputs.dim(); d++) sample.add(inputs.size(d));
            if (inputs.dim() > 2 && !saved.architecture().inputShape().equals(sample)) {
                throw new AssertionError(name + ": recorded input shape " + saved.architecture().inputShape()
                        + ", inputs " + sample);
            }
            // the script's torch definitions must describe the very architectures of this side's models
            Example mine = example(name);
            if (!saved.architecture().equals(ArchitectureSpec.of(mine.model(), mine.inputShape()))) {
                throw new AssertionError(name + ": torch's architecture\n" + saved.architecture().describe()
                        + "differs from Backprop's\n" + ArchitectureSpec.of(mine.model(), mine.inputShape()).describe());
            }
            float[] expected = io.tensors().get("predictions").toFloatArray();
            float[] got = predict(saved.model(), inputs).toFloatArray();
            double max = maxAbsDiff(expected, got);
            System.out.printf("torch -> Backprop %-11s %2d layers, %,6d parameters, %3d predictions, max |diff| = %.3g%n",
                    name, saved.architecture().layers().size(), saved.model().parameterCount(), got.length, max);
            if (!(max < TOLERANCE)) throw new AssertionError(name + ": predictions differ by " + max);
            worst = Math.max(worst, max);
        }
        SafeTensors.Contents dtypes = SafeTensors.read(dir.resolve(TORCH_DTYPES));
        float[] reference = dtypes.tensors().get("check_f32").toFloatArray();
        for (String name : List.of("check_f16", "check_bf16", "check_f64")) {
            double d = maxAbsDiff(reference, dtypes.tensors().get(name).toFloatArray());
            System.out.printf("%s read as float32: max |diff| from check_f32 = %s%n", name, d);
            if (d != 0) throw new AssertionError(name + " differs from check_f32 by " + d);
        }
        System.out.printf("torch -> Backprop: all predictions within %.0e%n", TOLERANCE);
        return worst;
    }

    static Tensor predict(Sequential model, Tensor inputs) {
        model.eval();
        try (var _ = GradMode.noGrad()) {
            return model.forward(inputs);
        }
    }

    static double maxAbsDiff(float[] a, float[] b) {
        if (a.length != b.length) throw new AssertionError("lengths differ: " + a.length + " vs " + b.length);
        double max = 0;
        for (int i = 0; i < a.length; i++) max = Math.max(max, Math.abs((double) a[i] - b[i]));
        return max;
    }

    /** {@code export DIR} or {@code verify DIR}. */
    public static void main(String[] args) throws IOException {
        if (args.length != 2 || !(args[0].equals("export") || args[0].equals("verify"))) {
            System.err.println("usage: TorchRoundTrip export|verify DIR");
            System.exit(2);
        }
        Path dir = Path.of(args[1]);
        if (args[0].equals("export")) {
            int files = export(dir);
            System.out.println("wrote " + files + " files for " + NAMES + " to " + dir);
        } else {
            verify(dir);
        }
    }
}

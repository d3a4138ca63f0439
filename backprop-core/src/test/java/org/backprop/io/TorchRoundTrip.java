package org.backprop.io;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.nn.Activation;
import org.backprop.nn.Init;
import org.backprop.nn.Linear;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * The Java half of the PyTorch round trip ({@code scripts/torch_roundtrip.py}).
 *
 * <ol>
 *   <li>{@code export DIR} writes {@value #BACKPROP_MODEL} (a model using every layer kind) and
 *       {@value #BACKPROP_IO} (tensors {@code inputs} and Backprop's {@code predictions});</li>
 *   <li>the script loads the model into {@code torch.nn.Sequential}, compares predictions, and
 *       writes {@value #TORCH_MODEL} and {@value #TORCH_IO} from a freshly initialised torch model;</li>
 *   <li>{@code verify DIR} loads the torch files with Backprop and compares predictions.</li>
 * </ol>
 * Run through {@code TorchRoundTripTest} with {@code -Dbackprop.roundtrip.dir=DIR} (see
 * {@code scripts/README.md}), or with {@link #main} on the test classpath.
 */
public final class TorchRoundTrip {
    static final String BACKPROP_MODEL = "backprop_model.safetensors";
    static final String BACKPROP_IO = "backprop_io.safetensors";
    static final String TORCH_MODEL = "torch_model.safetensors";
    static final String TORCH_IO = "torch_io.safetensors";
    /** Largest accepted |Backprop − PyTorch| over all predictions. */
    static final double TOLERANCE = 1e-5;

    private TorchRoundTrip() {}

    /** Every layer kind, with softmax in the middle so the final outputs are raw and unsquashed. */
    static Sequential model(Random rng) {
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

    /** Writes the model, inputs and Backprop's predictions for the script; returns the inputs' row count. */
    static int export(Path dir) throws IOException {
        Files.createDirectories(dir);
        Sequential model = model(new Random(2024));
        Preprocessing pre = new Preprocessing(Preprocessing.Task.REGRESSION, List.of("x0", "x1", "x2", "x3"), "y",
                new float[] {0.1f, -0.2f, 0.3f, 0f}, new float[] {1f, 2f, 0.5f, 1.5f},
                new float[] {10f, 0f, -1f}, new float[] {2f, 1f, 0.25f});
        ModelFile.save(dir.resolve(BACKPROP_MODEL), model, pre, Map.of("purpose", "torch round trip"));
        Tensor inputs = Tensor.randn(new Random(7), 64, 4).mul(2f);
        Map<String, Tensor> io = new LinkedHashMap<>();
        io.put("inputs", inputs);
        io.put("predictions", predict(model, inputs));
        SafeTensors.write(dir.resolve(BACKPROP_IO), io);
        return inputs.size(0);
    }

    /** Loads the torch-written files, compares predictions and conversions; returns the max abs difference. */
    static double verify(Path dir) throws IOException {
        ModelFile.SavedModel saved = ModelFile.load(dir.resolve(TORCH_MODEL));
        SafeTensors.Contents io = SafeTensors.read(dir.resolve(TORCH_IO));
        Tensor inputs = io.tensors().get("inputs");
        float[] expected = io.tensors().get("predictions").toFloatArray();
        float[] got = predict(saved.model(), inputs).toFloatArray();
        double max = maxAbsDiff(expected, got);
        System.out.printf("Backprop loaded %s (%d layers, %d parameters) written by PyTorch %s%n", TORCH_MODEL,
                saved.architecture().layers().size(), saved.model().parameterCount(), saved.metadata().get("torch_version"));
        System.out.printf("torch -> Backprop: %d predictions, max |diff| = %.3g (tolerance %.0e)%n", got.length, max,
                TOLERANCE);
        float[] reference = io.tensors().get("check_f32").toFloatArray();
        for (String name : List.of("check_f16", "check_bf16", "check_f64")) {
            double d = maxAbsDiff(reference, io.tensors().get(name).toFloatArray());
            System.out.printf("%s read as float32: max |diff| from check_f32 = %s%n", name, d);
            if (d != 0) throw new AssertionError(name + " differs from check_f32 by " + d);
        }
        if (!(max < TOLERANCE)) throw new AssertionError("predictions differ by " + max);
        return max;
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
            int rows = export(dir);
            System.out.println("wrote " + BACKPROP_MODEL + " and " + BACKPROP_IO + " (" + rows + " rows) to " + dir);
        } else {
            verify(dir);
        }
    }
}

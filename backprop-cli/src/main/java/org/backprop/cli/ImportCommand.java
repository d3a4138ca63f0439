package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import org.backprop.io.ArchitectureSpec;
import org.backprop.io.ModelFile;
import org.backprop.io.Preprocessing;
import org.backprop.io.torch.TorchCheckpoint;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Imports a PyTorch state dict into a Backprop model file. */
@Command(name = "import", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Load a PyTorch checkpoint (torch.save(model.state_dict(), FILE)) into a Backprop network of "
                + "the same architecture and save it as a model file.",
                "The checkpoint's pickle is read by a restricted reader: anything but tensors and dicts is refused, "
                        + "nothing in the file is run."})
final class ImportCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--from", required = true, paramLabel = "FILE.pt", description = "The PyTorch checkpoint.")
    Path from;

    @Option(names = "--architecture", required = true, paramLabel = "FILE|DIR|lenet|cnn",
            description = "The network: an architecture JSON file (the form 'info' describes and model files hold), "
                    + "a Backprop model file or directory whose architecture to take, or a built-in model: "
                    + "lenet, cnn.")
    String architecture;

    @Option(names = "--input-shape", paramLabel = "C,H,W",
            description = "The shape of one sample, when the architecture does not record it (e.g. 1,28,28).")
    String inputShape;

    @Option(names = "--out", required = true, paramLabel = "DIR", description = "Where to write model.safetensors.")
    Path out;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        ArchitectureSpec arch = architecture();
        if (inputShape != null) arch = arch.withInputShape(parseShape(inputShape));
        Sequential model = TorchCheckpoint.load(from, arch);
        Files.createDirectories(out);
        Path file = out.resolve(ModelLoader.MODEL_FILE);
        ModelFile.save(file, model, arch.inputShape(), Preprocessing.none(),
                Map.of("imported_from", from.getFileName().toString()));
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("Imported %d tensors (%,d parameters) from %s into %s (%s)%n", model.stateDict().size(),
                model.parameterCount(), from, file, ModelOptions.shape(arch));
        pw.flush();
        return 0;
    }

    private ArchitectureSpec architecture() throws IOException {
        switch (architecture) {
            case "lenet" -> {
                return ArchitectureSpec.of(Models.lenet5(new Random(0)), List.of(1, 28, 28));
            }
            case "cnn" -> {
                return ArchitectureSpec.of(Models.smallCnn(new Random(0)), List.of(1, 28, 28));
            }
            default -> { }
        }
        Path path = Path.of(architecture);
        if (Files.isDirectory(path) || architecture.endsWith(ModelFile.EXTENSION)) {
            return ModelLoader.load(path).architecture();
        }
        if (!Files.isRegularFile(path)) {
            throw new IllegalArgumentException("--architecture: no file " + path + " (give an architecture JSON file, a "
                    + "model file or directory, or one of: lenet, cnn)");
        }
        try {
            return ArchitectureSpec.fromJson(Files.readString(path));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(path + ": " + e.getMessage(), e);
        }
    }

    private static List<Integer> parseShape(String text) {
        List<Integer> shape = new ArrayList<>();
        for (String part : text.split(",", -1)) {
            try {
                int d = Integer.parseInt(part.strip());
                if (d < 1) throw new NumberFormatException();
                shape.add(d);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("--input-shape: '" + part.strip() + "' in '" + text
                        + "' is not a positive whole number; give sizes like 1,28,28");
            }
        }
        return shape;
    }
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.backprop.io.ModelFile;
import org.backprop.io.OnnxExport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** Writes a saved model in another format (ONNX). */
@Command(name = "export", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Write a saved model as ONNX (opset " + OnnxExport.OPSET + ", IR version " + OnnxExport.IR_VERSION
                + ") for ONNX Runtime and other ONNX clients.",
                "Input 'input' [batch, sample shape], output 'output'; dropout removed, batch norm on its running "
                        + "statistics; the preprocessing (feature standardisation, target scaling) is folded into the graph."})
final class ExportCommand implements Callable<Integer> {
    /** The formats {@code --format} takes. */
    enum Format { onnx }

    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR", description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Option(names = "--format", defaultValue = "onnx", paramLabel = "FORMAT", description = "Output format: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    Format format;

    @Option(names = "--out", required = true, paramLabel = "FILE", description = "The file to write, e.g. model.onnx.")
    Path out;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        ModelFile.SavedModel saved = ModelLoader.load(model);
        Path parent = out.toAbsolutePath().getParent();
        if (parent != null) Files.createDirectories(parent);
        try {
            OnnxExport.write(saved, out);
        } catch (UnsupportedOperationException e) {
            throw new IllegalArgumentException(model + ": " + e.getMessage(), e);
        }
        PrintWriter pw = spec.commandLine().getOut();
        pw.printf("Wrote %s (ONNX opset %d, IR %d, %,d bytes): input [batch, %s], %s%n", out, OnnxExport.OPSET,
                OnnxExport.IR_VERSION, Files.size(out), sampleShape(saved), saved.preprocessing().isEmpty()
                        ? "no preprocessing" : "preprocessing folded into the graph");
        pw.flush();
        return 0;
    }

    private static String sampleShape(ModelFile.SavedModel saved) {
        var shape = saved.architecture().inputShape();
        if (!shape.isEmpty()) return String.join(", ", shape.stream().map(String::valueOf).toList());
        return String.valueOf(saved.architecture().inputSize().orElse(-1));
    }
}

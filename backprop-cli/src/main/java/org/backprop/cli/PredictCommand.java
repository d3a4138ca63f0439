package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import org.backprop.data.CsvTable;
import org.backprop.io.AtomicFiles;
import org.backprop.tensor.Tensor;
import org.backprop.train.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Predictions of a saved model for the rows of a CSV file. The file must hold the model's feature
 * columns, found by name in any order (other columns are ignored and copied through); the output
 * is the input's columns followed by the prediction.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict with a saved model for every row of a CSV file.",
                "Output: the input columns, then the target's name with the prediction (regression), or "
                        + "predicted_class and one probability column per class, p_0, p_1, ... (classification)."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR",
            description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Mixin
    CsvInput csv = new CsvInput();

    @Option(names = "--input", required = true, paramLabel = "FILE.csv",
            description = "A CSV file with a header that names (at least) the model's feature columns.")
    Path input;

    @Option(names = "--output", paramLabel = "FILE.csv", description = "Where to write the predictions (default: standard output).")
    Path output;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        Predictor predictor = new Predictor(ModelLoader.load(model));
        if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--input: no file " + input);
        CsvTable table = CsvTable.read(input, csv.format());
        Tensor predictions = predictor.predict(predictor.features(table));
        String csv = toCsv(table, predictor, predictions);
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(csv);
            out.flush();
        } else {
            AtomicFiles.writeString(output, csv);
            spec.commandLine().getErr().printf("Wrote %d predictions to %s%n", table.rowCount(), output);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    /** The input's columns as read, then the prediction columns. */
    static String toCsv(CsvTable table, Predictor predictor, Tensor predictions) {
        List<String> header = new ArrayList<>(table.columns());
        int n = table.rowCount(), k = predictions.size(1);
        float[] p = predictions.toFloatArray();
        boolean classes = predictor.task() == Task.CLASSIFICATION;
        float[] probabilities = classes ? predictions.softmax(1).toFloatArray() : null;
        if (classes) {
            header.add("predicted_class");
            for (int c = 0; c < k; c++) header.add("p_" + c);
        } else {
            String target = predictor.targetName("prediction");
            // the input may hold the true values under the target's name: keep both, told apart
            if (table.columns().contains(target)) target = "predicted_" + target;
            for (int j = 0; j < k; j++) header.add(k == 1 ? target : target + "_" + j);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header.stream().map(PredictCommand::field).toList())).append('\n');
        for (int r = 0; r < n; r++) {
            for (int c = 0; c < table.columnCount(); c++) sb.append(Float.toString(table.get(r, c))).append(',');
            if (classes) {
                int best = 0;
                for (int c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
                sb.append(best);
                for (int c = 0; c < k; c++) sb.append(',').append(Float.toString(probabilities[r * k + c]));
            } else {
                for (int j = 0; j < k; j++) sb.append(j == 0 ? "" : ",").append(Float.toString(p[r * k + j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A header field, quoted when it holds a delimiter, a quote or surrounding spaces. */
    private static String field(String s) {
        boolean quote = s.contains(",") || s.contains("\"") || !s.equals(s.strip());
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.function.IntFunction;
import org.backprop.audio.AudioFeatures;
import org.backprop.data.CsvTable;
import org.backprop.io.AtomicFiles;
import org.backprop.io.ModelFile;
import org.backprop.tensor.Tensor;
import org.backprop.train.Task;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * Predictions of a saved model for the rows of a CSV file, or for images. A CSV file must hold
 * the model's feature columns, found by name in any order (other columns are ignored and copied
 * through); the output is each input line exactly as written followed by the prediction. Images
 * (Fashion-MNIST's test part, or an IDX image file) have no named columns: the output numbers them
 * instead.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict with a saved model for every row of a CSV file, or for every image.",
                "Output: each input line as written (for images: the image's index, and its label when known), then "
                        + "the target's name with the prediction (regression), or predicted_class (the class's name as "
                        + "in the training data) and one probability per class, p_<name> (classification)."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR",
            description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Option(names = {"--data", "--input"}, paramLabel = "FILE.csv|FILE.wav|DIR|fashion-mnist|FILE.idx",
            description = {"A CSV file with a header that names (at least) the model's feature columns; for a speech model a WAV "
                    + "file or a folder of them (resampled to the model's rate when theirs differs); for an image "
                    + "model, fashion-mnist (its official 10,000 test images) or an IDX image file (idx3-ubyte, may be "
                    + "gzipped), pixels scaled to [0, 1] as in training.",
                    "--input is another name for --data."})
    String data;

    @Mixin
    CsvInput csv = new CsvInput();

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Option(names = "--limit", paramLabel = "N", description = "Images only: the first N images (default: all).")
    Integer limit;

    @Option(names = "--output", paramLabel = "FILE.csv", description = "Where to write the predictions (default: standard output).")
    Path output;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if (data == null) {
            throw new IllegalArgumentException("give the rows to predict: --data FILE.csv (or, for an image model, "
                    + "--data fashion-mnist or --data FILE.idx)");
        }
        ModelFile.SavedModel saved = ModelLoader.load(model);
        Predictor predictor = new Predictor(saved);
        AudioFeatures audio = AudioFeatures.of(saved, model);
        // The model decides what --data is: WAV files for a speech model, named feature columns from a CSV file,
        // images otherwise.
        boolean images = audio == null && (TrainSetup.isFashionMnist(data) || saved.preprocessing().featureNames() == null);
        if (limit != null && (!images || limit < 1)) {
            throw new IllegalArgumentException(!images ? "--limit applies to images only" : "--limit must be at least 1, got " + limit);
        }
        PrintWriter err = spec.commandLine().getErr();
        String text;
        int rows;
        if (audio != null || Speech.isAudioInput(Path.of(data))) {
            if (audio == null) throw new IllegalArgumentException("--data " + data + " is audio but " + model + " is not a speech model");
            List<Path> files = Speech.wavFiles(Path.of(data));
            Tensor predictions = predictor.predict(audio.inputs(Speech.read(files)));
            rows = files.size();
            text = toCsv(List.of("file"), r -> field(files.get(r).toString()), rows, predictor, predictions);
        } else if (images) {
            Images imgs = Images.load(data, fashionDir, predictor, limit);
            Tensor predictions = predictor.predict(imgs.pixels());
            rows = imgs.count();
            List<String> columns = imgs.labels() == null ? List.of("image") : List.of("image", "label");
            text = toCsv(columns, r -> imgs.labels() == null ? Integer.toString(r) : r + "," + imgs.labels()[r], rows,
                    predictor, predictions);
        } else {
            Path file = Path.of(data);
            if (!Files.isRegularFile(file)) throw new IllegalArgumentException("--data: no file " + data);
            CsvTable table = CsvTable.read(file, csv.format());
            Tensor predictions = predictor.predict(predictor.features(table, note -> {
                err.println("Note: " + note);
                err.flush();
            }));
            rows = table.rowCount();
            text = toCsv(table, RawLines.read(file), predictor, predictions);
        }
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
        } else {
            AtomicFiles.writeString(output, text);
            err.printf("Wrote %d predictions to %s%n", rows, output);
            err.flush();
        }
        return 0;
    }

    /** Each data line of the input as written (header included), then the prediction columns. */
    static String toCsv(CsvTable table, List<String> lines, Predictor predictor, Tensor predictions) {
        if (table.headerLine() == 0) throw new IllegalArgumentException(table.source() + ": predict needs a header line");
        return toCsv(List.of(lines.get(table.headerLine() - 1)), r -> lines.get(table.lineOf(r) - 1), table.rowCount(),
                predictor, predictions, table.columns());
    }

    /** {@code columns} with each row's values from {@code row} (already joined), then the prediction columns. */
    static String toCsv(List<String> columns, IntFunction<String> row, int n, Predictor predictor, Tensor predictions) {
        return toCsv(columns.isEmpty() ? List.of() : List.of(String.join(",", columns.stream().map(PredictCommand::field).toList())),
                row, n, predictor, predictions, columns);
    }

    /**
     * @param lead     the header's leading text (already joined and quoted), or empty for none
     * @param columns  the input's column names, to tell the prediction's name apart from them
     */
    private static String toCsv(List<String> lead, IntFunction<String> row, int n, Predictor predictor, Tensor predictions,
                                List<String> columns) {
        List<String> header = new ArrayList<>();
        int k = predictions.size(1);
        float[] p = predictions.toFloatArray();
        boolean classes = predictor.task() == Task.CLASSIFICATION;
        float[] probabilities = classes ? predictions.softmax(1).toFloatArray() : null;
        List<String> names = classes ? predictor.classNames() : null;
        if (classes) {
            header.add(columns.contains("predicted_class") ? "predicted_class_" : "predicted_class");
            for (int c = 0; c < k; c++) header.add("p_" + names.get(c));
        } else {
            String target = predictor.targetName("prediction");
            // the input may hold the true values under the target's name: keep both, told apart
            if (columns.contains(target)) target = "predicted_" + target;
            for (int j = 0; j < k; j++) header.add(k == 1 ? target : target + "_" + j);
        }
        StringBuilder sb = new StringBuilder();
        if (!lead.isEmpty()) sb.append(lead.getFirst()).append(',');
        sb.append(String.join(",", header.stream().map(PredictCommand::field).toList())).append('\n');
        for (int r = 0; r < n; r++) {
            String first = row.apply(r);
            sb.append(first).append(lead.isEmpty() ? "" : ",");
            if (classes) {
                int best = 0;
                for (int c = 1; c < k; c++) if (p[r * k + c] > p[r * k + best]) best = c;
                sb.append(field(names.get(best)));
                for (int c = 0; c < k; c++) sb.append(',').append(probability(probabilities[r * k + c]));
            } else {
                for (int j = 0; j < k; j++) sb.append(j == 0 ? "" : ",").append(plain(p[r * k + j]));
            }
            sb.append('\n');
        }
        return sb.toString();
    }

    /** A probability in plain decimals, six places: 0.000006, never 6.338917E-6. */
    static String probability(float v) {
        return String.format(Locale.ROOT, "%.6f", v);
    }

    /** A value in plain decimals with the float's shortest digits: 1234567.9, 0.00012, never 1.2345679E6. */
    static String plain(float v) {
        if (!Float.isFinite(v)) return Float.toString(v);
        return new BigDecimal(Float.toString(v)).toPlainString();
    }

    /** A field, quoted when it holds a delimiter, a quote or surrounding spaces. */
    static String field(String s) {
        boolean quote = s.contains(",") || s.contains("\"") || !s.equals(s.strip());
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}

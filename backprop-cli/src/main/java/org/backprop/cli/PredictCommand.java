package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
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
 * through); the output is the input's columns followed by the prediction. Images (Fashion-MNIST's
 * test part, or an IDX image file) have no named columns: the output numbers them instead.
 */
@Command(name = "predict", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Predict with a saved model for every row of a CSV file, or for every image (--data).",
                "Output: the input columns (for images: the image's index, and its label when known), then the "
                        + "target's name with the prediction (regression), or predicted_class and one probability "
                        + "column per class, p_0, p_1, ... (classification)."})
final class PredictCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--model", required = true, paramLabel = "FILE|DIR",
            description = "A model file, or the directory 'train --out' wrote.")
    Path model;

    @Mixin
    CsvInput csv = new CsvInput();

    @Option(names = "--input", paramLabel = "FILE.csv|FILE.wav|DIR",
            description = "A CSV file with a header that names (at least) the model's feature columns; for a speech model "
                    + "a WAV file or a folder of them (resampled to the model's rate when theirs differs).")
    Path input;

    @Option(names = "--data", paramLabel = "fashion-mnist|FILE",
            description = "Images instead, for an image model: fashion-mnist (its official 10,000 test images) or an "
                    + "IDX image file (idx3-ubyte, may be gzipped); pixels are scaled to [0, 1] as in training.")
    String data;

    @Mixin
    FashionDir fashionDir = new FashionDir();

    @Option(names = "--limit", paramLabel = "N", description = "With --data: only the first N images (default: all).")
    Integer limit;

    @Option(names = "--output", paramLabel = "FILE.csv", description = "Where to write the predictions (default: standard output).")
    Path output;

    @Option(names = "--verbose", description = "Show stack traces on errors.")
    boolean verbose;

    @Override
    public Integer call() throws IOException {
        if ((input == null) == (data == null)) {
            throw new IllegalArgumentException((input == null ? "give" : "give only one of")
                    + " --input FILE.csv (rows with named features) or --data fashion-mnist|FILE (images)");
        }
        if (limit != null && (data == null || limit < 1)) {
            throw new IllegalArgumentException(data == null ? "--limit applies to --data images only"
                    : "--limit must be at least 1, got " + limit);
        }
        ModelFile.SavedModel saved = ModelLoader.load(model);
        Predictor predictor = new Predictor(saved);
        AudioFeatures audio = AudioFeatures.of(saved, model);
        String text;
        int rows;
        if (audio != null || (input != null && Speech.isAudioInput(input))) {
            if (audio == null) throw new IllegalArgumentException("--input " + input + " is audio but " + model + " is not a speech model");
            if (input == null) throw new IllegalArgumentException("a speech model predicts for --input FILE.wav or a folder of WAV files");
            List<Path> files = Speech.wavFiles(input);
            Tensor predictions = predictor.predict(audio.inputs(Speech.read(files)));
            rows = files.size();
            text = toCsv(List.of("file"), r -> csvField(files.get(r).toString()), rows, predictor, predictions);
        } else if (data != null) {
            Images images = Images.load(data, fashionDir, predictor, limit);
            Tensor predictions = predictor.predict(images.pixels());
            rows = images.count();
            List<String> columns = images.labels() == null ? List.of("image") : List.of("image", "label");
            text = toCsv(columns, r -> images.labels() == null ? Integer.toString(r) : r + "," + images.labels()[r], rows,
                    predictor, predictions);
        } else {
            if (!Files.isRegularFile(input)) throw new IllegalArgumentException("--input: no file " + input);
            CsvTable table = CsvTable.read(input, csv.format());
            Tensor predictions = predictor.predict(predictor.features(table));
            rows = table.rowCount();
            text = toCsv(table, predictor, predictions);
        }
        if (output == null) {
            PrintWriter out = spec.commandLine().getOut();
            out.print(text);
            out.flush();
        } else {
            AtomicFiles.writeString(output, text);
            spec.commandLine().getErr().printf("Wrote %d predictions to %s%n", rows, output);
            spec.commandLine().getErr().flush();
        }
        return 0;
    }

    /** The input's columns as read, then the prediction columns. */
    static String toCsv(CsvTable table, Predictor predictor, Tensor predictions) {
        return toCsv(table.columns(), r -> {
            StringBuilder row = new StringBuilder();
            for (int c = 0; c < table.columnCount(); c++) row.append(c == 0 ? "" : ",").append(Float.toString(table.get(r, c)));
            return row.toString();
        }, table.rowCount(), predictor, predictions);
    }

    /** {@code columns} with each row's values from {@code row} (already joined), then the prediction columns. */
    static String toCsv(List<String> columns, IntFunction<String> row, int n, Predictor predictor, Tensor predictions) {
        List<String> header = new ArrayList<>(columns);
        int k = predictions.size(1);
        float[] p = predictions.toFloatArray();
        boolean classes = predictor.task() == Task.CLASSIFICATION;
        float[] probabilities = classes ? predictions.softmax(1).toFloatArray() : null;
        if (classes) {
            header.add("predicted_class");
            for (int c = 0; c < k; c++) header.add("p_" + c);
        } else {
            String target = predictor.targetName("prediction");
            // the input may hold the true values under the target's name: keep both, told apart
            if (columns.contains(target)) target = "predicted_" + target;
            for (int j = 0; j < k; j++) header.add(k == 1 ? target : target + "_" + j);
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.join(",", header.stream().map(PredictCommand::field).toList())).append('\n');
        for (int r = 0; r < n; r++) {
            String lead = row.apply(r);
            sb.append(lead).append(columns.isEmpty() ? "" : ",");
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

    private static String csvField(String s) {
        return field(s);
    }

    /** A header field, quoted when it holds a delimiter, a quote or surrounding spaces. */
    private static String field(String s) {
        boolean quote = s.contains(",") || s.contains("\"") || !s.equals(s.strip());
        return quote ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
    }
}

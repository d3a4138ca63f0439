package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.backprop.data.BuiltinDatasets;
import org.backprop.data.CsvFormat;
import org.backprop.data.CsvTable;
import org.backprop.data.Dataset;
import org.backprop.data.TableEncoder;
import org.backprop.data.TabularData;
import org.backprop.train.Task;

/** Loads {@code --data NAME|FILE.csv} for a saved model: a built-in dataset, or a CSV file with the target column. */
final class DataSource {
    private DataSource() {}

    /** A dataset and the name to show for it. */
    record Loaded(String name, Dataset data) {}

    static boolean isBuiltin(String data) {
        String d = data.strip().toLowerCase(Locale.ROOT);
        return BuiltinDatasets.names().contains(d);
    }

    /**
     * The named data with targets for {@code task}. A CSV file's target column is {@code target},
     * or the model's saved target name when that is {@code null}; every other column is a
     * candidate feature (the model's are picked by name later).
     */
    static Loaded load(String data, String target, CsvFormat format, Predictor model) throws IOException {
        Task task = model.task();
        if (isBuiltin(data)) {
            Task builtin = BuiltinDatasets.isClassification(data) ? Task.CLASSIFICATION : Task.REGRESSION;
            if (builtin != task) {
                throw new IllegalArgumentException("--data: the built-in '" + data + "' dataset is for "
                        + builtin.name().toLowerCase(Locale.ROOT) + " but the model does " + model.describeTask());
            }
            return new Loaded(data, BuiltinDatasets.load(data));
        }
        Path file = Path.of(data);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("--data: '" + data + "' is neither a built-in dataset ("
                    + String.join(", ", BuiltinDatasets.names()) + ") nor an existing file");
        }
        CsvTable table = CsvTable.read(file, format);
        String column = target != null ? target : model.targetName(null);
        if (column == null) {
            throw new IllegalArgumentException("--target COLUMN is required: the model file does not name its target");
        }
        TableEncoder encoder = model.encoder();
        if (encoder != null) {
            // the rows, labels and encoding training had: the same rows dropped for gaps, the same class indices
            TabularData prepared = TabularData.forModel(table, column, encoder, model.labels(), model.missingPolicy());
            return new Loaded(file.getFileName().toString(), prepared.encodeAll(encoder));
        }
        Dataset ds = task == Task.CLASSIFICATION ? table.toClassification(column, List.of())
                : table.toRegression(column, List.of());
        return new Loaded(file.getFileName().toString(), ds);
    }
}

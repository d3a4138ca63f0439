package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.data.Dataset;
import org.backprop.data.BatchTransform;
import org.backprop.data.Standardizer;
import org.backprop.tensor.Tensor;
import org.backprop.train.ConfusionMatrix;
import org.backprop.train.Evaluation;
import org.backprop.train.GradientHealth;
import org.backprop.train.History;
import org.backprop.train.Metrics;
import org.backprop.train.Task;

/** {@code train --plots} and {@code --report}: the charts and report.html of a finished run, into --out. */
final class TrainReport {
    private TrainReport() {}

    static void write(TrainCommand c, PrintWriter console, History history, GradientHealth health, Task t, Tensor predictions,
                      Dataset test, Standardizer ys, String architecture, long parameters, String lossName,
                      String dataName, BatchTransform augmentation) throws IOException {
        List<Plots.Chart> charts = new ArrayList<>(Plots.of(history.epochs(), t, health.epochs(), health.layerWeightNames()));
        if (c.speechPictures != null) charts.addAll(c.speechPictures);
        if (c.plots) {
            Plots.write(c.output.dir, charts);
            console.printf("Plots: %s%n", String.join(", ", charts.stream().map(Plots.Chart::fileName).toList()));
        }
        if (!c.report) return;
        Map<String, String> metrics = new LinkedHashMap<>();
        ConfusionMatrix confusion = null;
        if (t == Task.CLASSIFICATION) {
            confusion = ConfusionMatrix.of(predictions, test.targets());
            metrics.put("test accuracy", String.format(Locale.ROOT, "%.4f", confusion.accuracy()));
        } else {
            Evaluation e = Metrics.of(Task.REGRESSION, ys.inverseTransform(predictions), test.targets());
            metrics.put("test RMSE", String.format(Locale.ROOT, "%.4f", e.rmse()));
            metrics.put("test MAE", String.format(Locale.ROOT, "%.4f", e.mae()));
            metrics.put("test R²", String.format(Locale.ROOT, "%.4f", e.r2()));
        }
        metrics.put("test samples", Integer.toString(test.size()));
        metrics.put("best epoch", Integer.toString(history.bestEpoch()));
        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("data", dataName + " (" + t.name().toLowerCase(Locale.ROOT) + ")");
        settings.put("model", architecture + ", " + parameters + " parameters, init " + c.init);
        settings.put("loss", lossName);
        settings.put("optimizer", c.optimizer + ", lr " + TrainCommand.fmt(c.lr == null ? history.epochs().getFirst().lr() : c.lr)
                + (c.weightDecay > 0 ? ", weight decay " + TrainCommand.fmt(c.weightDecay) : "") + (c.clipNorm != null ? ", clip norm " + TrainCommand.fmt(c.clipNorm) : ""));
        settings.put("batch size", Integer.toString(c.batchSize));
        settings.put("augmentation", augmentation == null ? "none" : augmentation.toString());
        settings.put("epochs", history.epochs().size() + " of at most " + c.epochs + (c.patience > 0 ? ", patience " + c.patience : ""));
        settings.put("validation / test fraction", TrainCommand.fmt(c.valFraction) + " / " + TrainCommand.fmt(c.testFraction));
        settings.put("seed", Long.toString(c.seed));
        Path file = c.output.dir.resolve("report.html");
        new HtmlReport("Training report: " + dataName, settings, metrics, "Stopped: " + history.stopMessage(), t,
                history.epochs(), charts, confusion, health).write(file);
        console.printf("Report: %s%n", file);
        console.flush();
    }
}

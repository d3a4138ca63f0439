package org.backprop.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.io.AtomicFiles;
import org.backprop.train.ConfusionMatrix;
import org.backprop.train.EpochResult;
import org.backprop.train.GradientHealth;
import org.backprop.train.GradientStats;
import org.backprop.train.HealthWarning;
import org.backprop.train.Task;

/**
 * A training run as one self-contained HTML page: settings, final metrics, the charts embedded as
 * base64 PNG, the epoch table, a confusion matrix for classification and the gradient-health
 * summary. No scripts, fonts, style sheets or images are fetched from anywhere, so the file can be
 * mailed, archived or opened offline. The markup is also well-formed XML (every element closed),
 * which lets the tests parse it.
 *
 * @param title      the page heading
 * @param settings   what was run, in display order (data, model, optimizer, ...)
 * @param metrics    the final (test) metrics, in display order
 * @param stopMessage why training stopped
 * @param task       classification or regression
 * @param epochs     the per-epoch results
 * @param charts     the charts to embed
 * @param confusion  the test confusion matrix, or {@code null} (regression)
 * @param health     the gradient monitor, or {@code null} when it did not run
 */
record HtmlReport(String title, Map<String, String> settings, Map<String, String> metrics, String stopMessage, Task task,
                  List<EpochResult> epochs, List<Plots.Chart> charts, ConfusionMatrix confusion, GradientHealth health) {

    /** Writes the page to {@code file} atomically. */
    void write(Path file) throws IOException {
        AtomicFiles.writeString(file, render());
    }

    /** The page as a string. */
    String render() {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                .append("<title>").append(esc(title)).append("</title>\n<style>\n").append(CSS).append("</style>\n</head>\n<body>\n")
                .append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p class=\"stop\">").append(esc(stopMessage)).append("</p>\n");

        h.append("<section>\n<h2>Final metrics</h2>\n");
        table(h, metrics, "metrics");
        h.append("</section>\n<section>\n<h2>Settings</h2>\n");
        table(h, settings, "settings");
        h.append("</section>\n");

        h.append("<section>\n<h2>Curves</h2>\n");
        for (Plots.Chart c : charts) {
            h.append("<figure><img alt=\"").append(esc(c.title())).append("\" width=\"").append(Plots.WIDTH)
                    .append("\" height=\"").append(Plots.HEIGHT).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(c.png())).append("\"/></figure>\n"); // the title is in the chart
        }
        h.append("</section>\n");

        if (confusion != null) confusion(h);
        if (health != null) health(h);
        epochTable(h);
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void table(StringBuilder h, Map<String, String> rows, String cls) {
        h.append("<table class=\"").append(cls).append("\">\n");
        rows.forEach((k, v) -> h.append("<tr><th>").append(esc(k)).append("</th><td>").append(esc(v)).append("</td></tr>\n"));
        h.append("</table>\n");
    }

    private void confusion(StringBuilder h) {
        int n = confusion.classes();
        h.append("<section>\n<h2>Confusion matrix (test set)</h2>\n<p>Rows: true class; columns: predicted class. ")
                .append(String.format(Locale.ROOT, "%d of %d correct (%.2f%%).", Math.round(confusion.accuracy() * confusion.total()),
                        confusion.total(), 100 * confusion.accuracy()))
                .append("</p>\n<table class=\"confusion\">\n<tr><th></th>");
        for (int p = 0; p < n; p++) h.append("<th>").append(p).append("</th>");
        h.append("</tr>\n");
        for (int t = 0; t < n; t++) {
            h.append("<tr><th>").append(t).append("</th>");
            int row = Math.max(1, confusion.rowTotal(t));
            for (int p = 0; p < n; p++) {
                int c = confusion.count(t, p);
                // Shade by the share of the true class: diagonal green, mistakes red, so errors stand out.
                double share = (double) c / row;
                String rgb = t == p ? "46,160,67" : "214,39,40";
                h.append(String.format(Locale.ROOT, "<td style=\"background: rgba(%s,%.2f)\">%d</td>", rgb,
                        c == 0 ? 0 : 0.12 + 0.78 * share, c));
            }
            h.append("</tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private void health(StringBuilder h) {
        h.append("<section>\n<h2>Gradient health</h2>\n");
        List<HealthWarning> warnings = health.warnings();
        if (warnings.isEmpty()) {
            h.append(String.format(Locale.ROOT, "<p class=\"ok\">No warnings: layer gradient norms stayed within %.0f orders "
                    + "of magnitude of each other and the total gradient norm below %.0e.</p>\n",
                    GradientHealth.VANISHING_ORDERS, GradientHealth.EXPLODING_NORM));
        } else {
            h.append("<ul class=\"warnings\">\n");
            for (HealthWarning w : warnings) {
                h.append("<li><b>").append(w.kind().name().toLowerCase(Locale.ROOT)).append("</b> (epoch ").append(w.epoch())
                        .append("): ").append(esc(w.message())).append("</li>\n");
            }
            h.append("</ul>\n");
        }
        List<GradientStats> stats = health.epochs();
        if (!stats.isEmpty()) {
            GradientStats first = stats.getFirst(), last = stats.getLast();
            h.append("<table class=\"grid\">\n<tr><th>layer</th><th>parameter</th><th>‖∇w‖ epoch ").append(first.epoch())
                    .append("</th><th>‖∇w‖ epoch ").append(last.epoch()).append("</th><th>max ‖∇w‖ epoch ").append(last.epoch())
                    .append("</th><th>‖Δw‖/‖w‖ epoch ").append(last.epoch()).append("</th></tr>\n");
            List<String> layers = health.layerWeightNames();
            for (int k = 0; k < layers.size(); k++) {
                String name = layers.get(k);
                h.append("<tr><td>").append(k + 1).append("</td><td>").append(esc(name)).append("</td>");
                for (double v : new double[] {first.meanGradNorm().get(name), last.meanGradNorm().get(name),
                        last.maxGradNorm().get(name), last.updateRatio().get(name)}) {
                    h.append("<td>").append(sci(v)).append("</td>");
                }
                h.append("</tr>\n");
            }
            h.append("</table>\n");
        }
        h.append("</section>\n");
    }

    private void epochTable(StringBuilder h) {
        boolean cls = task == Task.CLASSIFICATION, val = epochs.stream().anyMatch(EpochResult::hasValidation);
        String metric = cls ? "accuracy" : "R²";
        h.append("<section>\n<h2>Epochs</h2>\n<table class=\"grid\">\n<tr><th>epoch</th><th>loss</th><th>").append(metric)
                .append("</th>");
        if (val) h.append("<th>validation loss</th><th>validation ").append(metric).append("</th>");
        h.append("<th>learning rate</th><th>seconds</th></tr>\n");
        for (EpochResult r : epochs) {
            h.append("<tr><td>").append(r.epoch()).append("</td><td>").append(num(r.trainLoss())).append("</td><td>")
                    .append(num(cls ? r.train().accuracy() : r.train().r2())).append("</td>");
            if (val) {
                h.append("<td>").append(num(r.validationLoss())).append("</td><td>")
                        .append(r.hasValidation() ? num(cls ? r.validation().accuracy() : r.validation().r2()) : "")
                        .append("</td>");
            }
            h.append("<td>").append(sci(r.lr())).append("</td><td>").append(String.format(Locale.ROOT, "%.2f", r.seconds()))
                    .append("</td></tr>\n");
        }
        h.append("</table>\n</section>\n");
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.4f", v);
    }

    private static String sci(double v) {
        return Double.isNaN(v) ? "" : String.format(Locale.ROOT, "%.2e", v);
    }

    /** Escapes text for element content and attribute values. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> b.append(c);
            }
        }
        return b.toString();
    }

    static final String CSS = """
            body { font-family: system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; margin: 2em auto;
                   max-width: 60em; padding: 0 1em; color: #222; }
            h1 { font-size: 1.6em; margin-bottom: 0.2em; }
            h2 { font-size: 1.2em; border-bottom: 1px solid #ccc; padding-bottom: 0.2em; margin-top: 1.6em; }
            .stop { color: #555; margin-top: 0; }
            table { border-collapse: collapse; margin: 0.5em 0; }
            th, td { padding: 0.25em 0.7em; text-align: right; border: 1px solid #ddd; font-variant-numeric: tabular-nums; }
            table.settings th, table.metrics th { text-align: left; background: #f5f5f5; }
            table.settings td { text-align: left; }
            table.metrics td { font-weight: bold; }
            table.confusion td { min-width: 2.2em; text-align: center; }
            table.grid th { background: #f5f5f5; }
            figure { margin: 1em 0; }
            figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
            .ok { color: #2e7d32; }
            ul.warnings li { color: #b71c1c; margin: 0.3em 0; }
            """;
}

package org.backprop.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.backprop.io.AtomicFiles;

/**
 * {@code train --plots} and {@code --report} for the text models (recurrent and GPT), which train
 * by iterations rather than epochs: the training and validation loss (nats per character) at
 * each evaluation, the gradient reaching each time step of the recurrent layers
 * (‖∂L/∂h_t‖, from the gradient-health monitor), and a passage sampled from the trained model.
 */
final class TextReport {
    /** One evaluation: the iteration, the mean training loss since the previous one, the validation loss. */
    record Point(int iter, double trainLoss, double valLoss) { }

    private final String title;
    private final Map<String, String> settings = new LinkedHashMap<>();
    private final Map<String, String> metrics = new LinkedHashMap<>();
    private final List<Point> curve = new ArrayList<>();
    private Map<String, double[]> stepNorms = Map.of();
    private String sample = "";

    TextReport(String title) {
        this.title = title;
    }

    TextReport setting(String name, String value) {
        settings.put(name, value);
        return this;
    }

    TextReport metric(String name, String value) {
        metrics.put(name, value);
        return this;
    }

    void evaluated(int iter, double trainLoss, double valLoss) {
        curve.add(new Point(iter, trainLoss, valLoss));
    }

    /** Per recurrent layer ("1.l0", ...), the mean ‖∂L/∂h_t‖ of each step t = 1..T. */
    void stepNorms(Map<String, double[]> norms) {
        stepNorms = norms;
    }

    void sample(String text) {
        sample = text;
    }

    List<Plots.Chart> charts() {
        List<Plots.Chart> charts = new ArrayList<>();
        Map<String, double[][]> loss = new LinkedHashMap<>();
        loss.put("training", curve.stream().map(p -> new double[] {p.iter(), p.trainLoss()}).toArray(double[][]::new));
        loss.put("validation", curve.stream().map(p -> new double[] {p.iter(), p.valLoss()}).toArray(double[][]::new));
        charts.add(Plots.lines("loss.png", "Loss (nats per character)", "iteration", "loss", loss, false));
        if (!stepNorms.isEmpty()) {
            Map<String, double[][]> series = new LinkedHashMap<>();
            stepNorms.forEach((layer, n) -> {
                double[][] points = new double[n.length][];
                for (int t = 0; t < n.length; t++) points[t] = new double[] {t + 1, n[t]};
                series.put("layer " + layer, points);
            });
            charts.add(Plots.lines("gradient-through-time.png", "Gradient reaching each time step ‖∂L/∂h_t‖ (last evaluation interval)",
                    "time step t", "‖∂L/∂h_t‖", series, true));
        }
        return charts;
    }

    /** Writes the charts (with --plots) and report.html (with --report) into {@code dir}. */
    void write(Path dir, boolean plots, boolean report, PrintWriter console) throws IOException {
        List<Plots.Chart> charts = charts();
        if (plots) {
            Plots.write(dir, charts);
            console.printf("Plots: %s%n", String.join(", ", charts.stream().map(Plots.Chart::fileName).toList()));
        }
        if (!report) return;
        Path file = dir.resolve("report.html");
        AtomicFiles.writeString(file, render(charts));
        console.printf("Report: %s%n", file);
        console.flush();
    }

    String render(List<Plots.Chart> charts) {
        StringBuilder h = new StringBuilder(1 << 16);
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n<title>")
                .append(HtmlReport.esc(title)).append("</title>\n<style>\n").append(HtmlReport.CSS).append("</style>\n</head>\n<body>\n<h1>")
                .append(HtmlReport.esc(title)).append("</h1>\n<section>\n<h2>Final metrics</h2>\n");
        table(h, metrics);
        h.append("</section>\n<section>\n<h2>Settings</h2>\n");
        table(h, settings);
        h.append("</section>\n<section>\n<h2>Curves</h2>\n");
        for (Plots.Chart c : charts) {
            h.append("<figure><img alt=\"").append(HtmlReport.esc(c.title())).append("\" width=\"").append(Plots.WIDTH)
                    .append("\" height=\"").append(Plots.HEIGHT).append("\" src=\"data:image/png;base64,")
                    .append(Base64.getEncoder().encodeToString(c.png())).append("\"/></figure>\n");
        }
        h.append("</section>\n<section>\n<h2>Sampled passage</h2>\n<pre class=\"sample\">").append(HtmlReport.esc(sample))
                .append("</pre>\n</section>\n<section>\n<h2>Evaluations</h2>\n<table class=\"grid\">\n")
                .append("<tr><th>iteration</th><th>training loss</th><th>validation loss</th><th>validation perplexity</th></tr>\n");
        for (Point p : curve) {
            h.append(String.format(Locale.ROOT, "<tr><td>%d</td><td>%.4f</td><td>%.4f</td><td>%.2f</td></tr>%n", p.iter(), p.trainLoss(),
                    p.valLoss(), Math.exp(p.valLoss())));
        }
        h.append("</table>\n</section>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void table(StringBuilder h, Map<String, String> rows) {
        h.append("<table class=\"settings\">\n");
        rows.forEach((k, v) -> h.append("<tr><th>").append(HtmlReport.esc(k)).append("</th><td>").append(HtmlReport.esc(v))
                .append("</td></tr>\n"));
        h.append("</table>\n");
    }
}

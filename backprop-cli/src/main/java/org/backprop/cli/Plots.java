package org.backprop.cli;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.math.BigDecimal;
import java.math.MathContext;
import java.text.FieldPosition;
import java.text.NumberFormat;
import java.text.ParsePosition;
import java.util.ArrayList;
import java.util.List;
import java.util.function.ToDoubleFunction;
import org.backprop.io.AtomicFiles;
import org.backprop.train.EpochResult;
import org.backprop.train.Evaluation;
import org.backprop.train.GradientStats;
import org.backprop.train.Task;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/**
 * PNG charts of a training run, drawn with JFreeChart: the losses and the task's metric per
 * epoch, and each layer's gradient norm and update-to-weight ratio per epoch on log scales
 * (they span orders of magnitude, which is the point of looking at them).
 */
final class Plots {
    static {
        // No display is needed (or present on servers and in CI) to draw into an image.
        System.setProperty("java.awt.headless", "true");
    }

    static final int WIDTH = 800, HEIGHT = 450;
    private static final Font TITLE = new Font(Font.SANS_SERIF, Font.BOLD, 16);
    /** Ten colours that stay apart on white and for most colour-blind readers (the "tab10" palette). */
    private static final int[] PALETTE = {0x1f77b4, 0xff7f0e, 0x2ca02c, 0xd62728, 0x9467bd, 0x8c564b, 0xe377c2,
        0x7f7f7f, 0xbcbd22, 0x17becf};

    private Plots() {}

    /** One chart: the file it is written to, its title, the note under it (or {@code null}) and its PNG bytes. */
    record Chart(String fileName, String title, String note, byte[] png) {}

    /**
     * The charts of a run: losses and metric from {@code epochs}; gradient norms and update
     * ratios from {@code gradients} (none when it is empty) for the layer weights named.
     */
    static List<Chart> of(List<EpochResult> epochs, Task task, List<GradientStats> gradients, List<String> layerWeights) {
        List<Chart> charts = new ArrayList<>();
        charts.add(perEpoch("loss.png", "Loss", "loss", epochs, Evaluation::loss));
        if (task == Task.CLASSIFICATION) {
            charts.add(perEpoch("accuracy.png", "Accuracy", "accuracy", epochs, Evaluation::accuracy));
        } else {
            charts.add(perEpoch("r2.png", "R² (coefficient of determination)", "R²", epochs, Evaluation::r2));
        }
        if (!gradients.isEmpty() && !layerWeights.isEmpty()) {
            charts.add(perLayer("gradient-norms.png", "Gradient norm per layer (mean over the epoch's steps)",
                    "‖∇w‖", gradients, layerWeights, GradientStats::meanGradNorm));
            charts.add(perLayer("update-ratios.png", "Update-to-weight ratio per layer ‖Δw‖/‖w‖", "‖Δw‖/‖w‖",
                    gradients, layerWeights, GradientStats::updateRatio));
        }
        return charts;
    }

    /** Writes each chart into {@code dir} atomically; returns the files written. */
    static List<Path> write(Path dir, List<Chart> charts) throws IOException {
        List<Path> files = new ArrayList<>();
        for (Chart c : charts) {
            Path f = dir.resolve(c.fileName());
            AtomicFiles.writeBytes(f, c.png());
            files.add(f);
        }
        return files;
    }

    private static Chart perEpoch(String file, String title, String yLabel, List<EpochResult> epochs,
                                  ToDoubleFunction<Evaluation> value) {
        XYSeries train = new XYSeries("training"), validation = new XYSeries("validation");
        for (EpochResult r : epochs) {
            add(train, r.epoch(), value.applyAsDouble(r.train()));
            if (r.hasValidation()) add(validation, r.epoch(), value.applyAsDouble(r.validation()));
        }
        XYSeriesCollection data = new XYSeriesCollection(train);
        if (!validation.isEmpty()) data.addSeries(validation);
        NumberAxis y = new NumberAxis(yLabel);
        y.setAutoRangeIncludesZero(false);
        // Without validation a rising training curve hides overfitting: say so on the chart itself.
        String note = validation.isEmpty() ? NO_VALIDATION : null;
        return new Chart(file, title, note, png(title, note, data, y));
    }

    private static Chart perLayer(String file, String title, String yLabel, List<GradientStats> gradients,
                                  List<String> layers, java.util.function.Function<GradientStats, java.util.Map<String, Double>> values) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (int k = 0; k < layers.size(); k++) {
            XYSeries s = new XYSeries("layer " + (k + 1) + " (" + layers.get(k) + ")");
            for (GradientStats g : gradients) {
                Double v = values.apply(g).get(layers.get(k));
                if (v != null && v > 0) add(s, g.epoch(), v); // a log axis has no place for 0
            }
            data.addSeries(s);
        }
        LogAxis y = new LogAxis(yLabel);
        y.setBase(10);
        y.setSmallestValue(1e-30);
        y.setNumberFormatOverride(new PlainNumbers());
        return new Chart(file, title, null, png(title, null, data, y));
    }

    /**
     * A chart of named series of (x, y) points, for runs counted in iterations or time steps rather
     * than epochs; a log y axis when {@code logY} (points ≤ 0 are left out there).
     */
    static Chart lines(String file, String title, String xLabel, String yLabel, java.util.Map<String, double[][]> series, boolean logY) {
        XYSeriesCollection data = new XYSeriesCollection();
        series.forEach((name, points) -> {
            XYSeries s = new XYSeries(name);
            for (double[] p : points) if (Double.isFinite(p[1]) && (!logY || p[1] > 0)) s.add(p[0], p[1]);
            data.addSeries(s);
        });
        org.jfree.chart.axis.ValueAxis y;
        if (logY) {
            LogAxis log = new LogAxis(yLabel);
            log.setBase(10);
            log.setSmallestValue(1e-30);
            log.setNumberFormatOverride(new PlainNumbers());
            y = log;
        } else {
            NumberAxis linear = new NumberAxis(yLabel);
            linear.setAutoRangeIncludesZero(false);
            y = linear;
        }
        return new Chart(file, title, null, png(title, null, data, y, xLabel));
    }

    private static void add(XYSeries s, int epoch, double v) {
        if (Double.isFinite(v)) s.add(epoch, v);
    }

    /** The note under the title of a per-epoch chart of a run without a validation split. */
    static final String NO_VALIDATION = "training data only: no validation split (--val-fraction), so overfitting does not show here";

    private static byte[] png(String title, String note, XYSeriesCollection data, org.jfree.chart.axis.ValueAxis y) {
        return png(title, note, data, y, "epoch");
    }

    /** Whole numbers (epochs, iterations, time steps) on the x axis, lines with a dot per point, white background; {@code note} under the title. */
    private static byte[] png(String title, String note, XYSeriesCollection data, org.jfree.chart.axis.ValueAxis y, String xLabel) {
        NumberAxis x = new NumberAxis(xLabel);
        x.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        x.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer lines = new XYLineAndShapeRenderer(true, true);
        for (int i = 0; i < data.getSeriesCount(); i++) {
            lines.setSeriesStroke(i, new BasicStroke(2f));
            lines.setSeriesPaint(i, new Color(PALETTE[i % PALETTE.length]));
        }
        XYPlot plot = new XYPlot(data, x, y, lines);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setDomainGridlinePaint(new Color(0xDDDDDD));
        plot.setRangeGridlinePaint(new Color(0xDDDDDD));
        JFreeChart chart = new JFreeChart(null, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        chart.setTitle(new TextTitle(title, TITLE));
        if (note != null) chart.addSubtitle(new TextTitle(note, new Font(Font.SANS_SERIF, Font.ITALIC, 12)));
        chart.setBackgroundPaint(Color.WHITE);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            ChartUtils.writeChartAsPNG(bytes, chart, WIDTH, HEIGHT);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a byte array does not fail
        }
        return bytes.toByteArray();
    }

    /** Log-axis ticks as people write them: 0.79, 0.001, 250; 1e-5 and 3e7 only far from 1. */
    static final class PlainNumbers extends NumberFormat {
        @Override
        public StringBuffer format(double v, StringBuffer to, FieldPosition pos) {
            return to.append(plain(v));
        }

        @Override
        public StringBuffer format(long v, StringBuffer to, FieldPosition pos) {
            return to.append(v);
        }

        @Override
        public Number parse(String source, ParsePosition pos) {
            return null; // only formatting is used
        }

        static String plain(double v) {
            if (v == 0 || !Double.isFinite(v)) return v == 0 ? "0" : Double.toString(v);
            double a = Math.abs(v);
            BigDecimal two = new BigDecimal(v).round(new MathContext(2));
            if (a >= 1e-4 && a < 1e6) return two.stripTrailingZeros().toPlainString();
            int exp = (int) Math.floor(Math.log10(a));
            BigDecimal mantissa = two.movePointLeft(exp).stripTrailingZeros();
            if (mantissa.abs().compareTo(BigDecimal.TEN) >= 0) { // rounding reached the next power
                mantissa = mantissa.movePointLeft(1);
                exp++;
            }
            return mantissa.toPlainString() + "e" + exp;
        }
    }
}

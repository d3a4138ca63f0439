package org.backprop.cli;

import java.io.PrintWriter;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import org.backprop.data.Dataset;
import org.backprop.data.Splits;
import org.backprop.data.Standardizer;
import org.backprop.loss.Loss;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;
import org.backprop.train.FitConfig;
import org.backprop.train.Metrics;
import org.backprop.train.Predictions;
import org.backprop.train.Task;
import org.backprop.train.Trainer;

/**
 * {@code train --cv K}: K trainings, each tested on one fold and trained on the others (with the
 * run's validation split and early stopping inside the training folds), and the mean and spread of
 * the test metric. On a table of a few hundred rows one test split of 20% moves accuracy by
 * several points; K folds use every row for testing once, so their mean says more, and their
 * spread says how much one split can be trusted. Nothing is saved: cross-validation judges the
 * settings, and a plain {@code train} then gives the model.
 */
final class CrossValidation {
    private CrossValidation() {}

    /** What one fold's training needs from the command. */
    record Recipe(Task task, Function<Dataset, Sequential> model, Function<List<Parameter>, Optimizer> optimizer, Loss loss,
                  FitConfig config, boolean standardizeFeatures) {}

    /** The folds' test metrics (accuracy, or R²) in fold order. */
    static double[] run(PrintWriter out, List<Splits.Rows> folds, Function<Splits.Rows, Dataset.Split> split, Recipe r) {
        double[] scores = new double[folds.size()];
        String metric = r.task() == Task.CLASSIFICATION ? "accuracy" : "R²";
        for (int k = 0; k < folds.size(); k++) {
            Dataset.Split s = split.apply(folds.get(k));
            Dataset train = s.train(), test = s.test();
            if (r.standardizeFeatures()) {
                Standardizer xs = Standardizer.fitFeatures(train);
                train = xs.transformFeatures(train);
                test = xs.transformFeatures(test);
            }
            Standardizer ys = r.task() == Task.REGRESSION ? Standardizer.fitTargets(train) : null;
            Sequential model = r.model().apply(train);
            new Trainer(model, r.loss(), r.optimizer().apply(model.parameters()))
                    .fit(ys == null ? train : ys.transformTargets(train), r.config());
            Tensor p = Predictions.of(model, test, Math.max(r.config().batchSize(), 256));
            scores[k] = r.task() == Task.CLASSIFICATION ? Metrics.accuracy(p, test.targets())
                    : Metrics.of(Task.REGRESSION, ys.inverseTransform(p), test.targets()).r2();
            out.printf(Locale.ROOT, "fold %d/%d: test %s %.4f (%d rows)%n", k + 1, folds.size(), metric, scores[k], test.size());
            out.flush();
        }
        out.println(summary(scores, metric, r.task() == Task.CLASSIFICATION));
        out.flush();
        return scores;
    }

    /** e.g. "Cross-validation, 5 folds (stratified): accuracy 0.9554 ± 0.0213 (mean ± std; min 0.9167, max 0.9722)". */
    static String summary(double[] scores, String metric, boolean stratified) {
        double mean = 0;
        for (double s : scores) mean += s;
        mean /= scores.length;
        double ss = 0, min = Double.POSITIVE_INFINITY, max = Double.NEGATIVE_INFINITY;
        for (double s : scores) {
            ss += (s - mean) * (s - mean);
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        double std = Math.sqrt(ss / Math.max(1, scores.length - 1)); // the sample std: K is small
        return String.format(Locale.ROOT, "Cross-validation, %d folds%s: %s %.4f ± %.4f (mean ± std over the folds; "
                + "min %.4f, max %.4f); no model is saved with --cv", scores.length, stratified ? " (stratified)" : "",
                metric, mean, std, min, max);
    }
}

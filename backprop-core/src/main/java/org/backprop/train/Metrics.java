package org.backprop.train;

import org.backprop.tensor.Tensor;

/**
 * Metrics of predictions against targets, over whole tensors. The definitions are those of
 * {@link MetricAccumulator}, which computes the same values batch by batch.
 */
public final class Metrics {
    private Metrics() {}

    /** Fraction of samples whose largest logit is at the target class ({@code [N, C]} against {@code [N]}). */
    public static double accuracy(Tensor logits, Tensor targets) {
        return of(Task.CLASSIFICATION, logits, targets).accuracy();
    }

    /** Mean squared error over every value. */
    public static double mse(Tensor prediction, Tensor target) {
        return of(Task.REGRESSION, prediction, target).mse();
    }

    /** Root of the mean squared error. */
    public static double rmse(Tensor prediction, Tensor target) {
        return of(Task.REGRESSION, prediction, target).rmse();
    }

    /** Mean absolute error over every value. */
    public static double mae(Tensor prediction, Tensor target) {
        return of(Task.REGRESSION, prediction, target).mae();
    }

    /** Coefficient of determination 1 − SSE/SST, averaged over target columns. */
    public static double r2(Tensor prediction, Tensor target) {
        return of(Task.REGRESSION, prediction, target).r2();
    }

    /** Every metric of the task at once (the loss is NaN). */
    public static Evaluation of(Task task, Tensor prediction, Tensor target) {
        MetricAccumulator acc = new MetricAccumulator(task);
        acc.add(prediction, target, Double.NaN);
        return acc.result();
    }
}

package org.backprop.train;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * Loss and metrics of a model over a set of samples. Metrics that do not belong to the task are
 * NaN: accuracy for regression; MSE, RMSE, MAE and R² for classification. {@code loss} is NaN
 * when no loss was given.
 *
 * @param samples number of samples scored
 * @param loss    the mean loss per sample (batch losses weighted by batch size)
 * @param r2      coefficient of determination, averaged over target columns
 */
public record Evaluation(Task task, int samples, double loss, double accuracy, double mse, double rmse, double mae,
                         double r2) {

    /** The loss and the task's metrics by name, in display order. */
    public Map<String, Double> metrics() {
        Map<String, Double> m = new LinkedHashMap<>();
        m.put("loss", loss);
        if (task == Task.CLASSIFICATION) {
            m.put("accuracy", accuracy);
        } else {
            m.put("rmse", rmse);
            m.put("mae", mae);
            m.put("r2", r2);
        }
        return m;
    }

    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder();
        metrics().forEach((k, v) -> sb.append(sb.isEmpty() ? "" : ", ").append(k).append(' ')
                .append(String.format(Locale.ROOT, "%.4f", v)));
        return sb.toString();
    }
}

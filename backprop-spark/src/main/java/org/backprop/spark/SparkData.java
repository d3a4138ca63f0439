package org.backprop.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Turns in-memory tensors into training RDDs. Real cluster jobs usually build their
 * {@code JavaRDD<Sample>} from files instead ({@code sc.binaryFiles}, {@code sc.textFile}); this
 * is for data that fits on the driver, tests and examples.
 */
public final class SparkData {
    private SparkData() {}

    /**
     * One sample per row. Features {@code [N, ...]} are flattened per row; targets {@code [N]}
     * are class indices, {@code [N, k]} rows of values (the core's Dataset convention).
     */
    public static List<Sample> samples(Tensor features, Tensor targets) {
        if (features.dim() < 1 || targets.dim() < 1 || targets.dim() > 2 || features.size(0) != targets.size(0)) {
            throw new IllegalArgumentException("SparkData.samples: expected features [N, ...] and targets [N] or [N, k], got "
                    + Shape.str(features.shape()) + " and " + Shape.str(targets.shape()));
        }
        int n = features.size(0);
        float[] x = features.toFloatArray(), y = targets.toFloatArray();
        int xw = n == 0 ? 0 : x.length / n, yw = n == 0 ? 0 : y.length / n;
        boolean labels = targets.dim() == 1;
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] xi = java.util.Arrays.copyOfRange(x, i * xw, (i + 1) * xw);
            float[] yi = java.util.Arrays.copyOfRange(y, i * yw, (i + 1) * yw);
            out.add(labels ? Sample.labeled(xi, checkLabel(yi[0], i)) : Sample.of(xi, yi));
        }
        return out;
    }

    /** One sample per row of a core {@link org.backprop.data.Dataset} (class indices stay class labels). */
    public static List<Sample> samples(org.backprop.data.Dataset data) {
        return samples(data.features(), data.targets());
    }

    /** {@link #samples} spread over {@code partitions} partitions, in order (contiguous ranges of rows). */
    public static JavaRDD<Sample> parallelize(JavaSparkContext sc, Tensor features, Tensor targets, int partitions) {
        if (partitions < 1) throw new IllegalArgumentException("SparkData.parallelize: partitions must be >= 1, got " + partitions);
        return sc.parallelize(samples(features, targets), partitions);
    }

    private static int checkLabel(float v, int row) {
        if (v < 0 || v != Math.rint(v)) {
            throw new IllegalArgumentException("SparkData.samples: target of row " + row + " is " + v
                    + ", not a class index (use [N, k] targets for regression)");
        }
        return (int) v;
    }
}

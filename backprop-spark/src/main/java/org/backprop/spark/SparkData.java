package org.backprop.spark;

import java.util.ArrayList;
import java.util.List;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Training RDDs: from a Spark {@code Dataset<Row>} that the executors read themselves (Parquet,
 * CSV, any source Spark reads: the data never passes through the driver, and a lost executor's
 * rows are read again), or from in-memory tensors on the driver (tests and small examples).
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

    /**
     * One sample per row of {@code rows}: the features are the values of {@code featureColumns}
     * in that order (numeric columns, or array columns whose elements are numbers, flattened), the
     * target is {@code labelColumn}, a class index when {@code classLabels} (a whole number
     * {@code >= 0}) or else one regression value (or an array column of values).
     * <pre>{@code
     * Dataset<Row> df = spark.read().parquet("hdfs:///data/fashion.parquet");
     * JavaRDD<Sample> train = SparkData.fromRows(df, List.of("pixels"), "label", true);
     * }</pre>
     *
     * @throws IllegalArgumentException naming the column when one is missing; a null or
     *                                  non-numeric value fails its task with the column and row
     */
    public static JavaRDD<Sample> fromRows(org.apache.spark.sql.Dataset<org.apache.spark.sql.Row> rows, List<String> featureColumns,
            String labelColumn, boolean classLabels) {
        List<String> all = new ArrayList<>(featureColumns);
        all.add(labelColumn);
        List<String> present = List.of(rows.columns());
        for (String c : all) {
            if (!present.contains(c)) throw new IllegalArgumentException("SparkData.fromRows: no column '" + c + "' in " + present);
        }
        if (featureColumns.isEmpty()) throw new IllegalArgumentException("SparkData.fromRows: at least one feature column is required");
        String[] names = all.toArray(String[]::new);
        int nf = featureColumns.size();
        org.apache.spark.sql.Column[] cols = all.stream().map(org.apache.spark.sql.functions::col).toArray(org.apache.spark.sql.Column[]::new);
        return rows.select(cols).javaRDD().map(r -> {
            float[] x = values(r, 0, nf, names);
            float[] y = values(r, nf, nf + 1, names);
            if (!classLabels) return Sample.of(x, y);
            if (y.length != 1 || y[0] < 0 || y[0] != Math.rint(y[0])) {
                throw new IllegalArgumentException("SparkData.fromRows: column '" + labelColumn + "' holds " + java.util.Arrays.toString(y)
                        + " in row " + r + ", not a class index");
            }
            return Sample.labeled(x, (int) y[0]);
        });
    }

    /** The numbers of columns [from, to) of a row, arrays flattened. */
    private static float[] values(org.apache.spark.sql.Row r, int from, int to, String[] names) {
        var out = new java.util.ArrayList<Float>();
        for (int i = from; i < to; i++) {
            Object v = r.get(i);
            if (v instanceof Number n) out.add(n.floatValue());
            else if (v instanceof scala.collection.Seq<?> seq) {
                var it = seq.iterator();
                while (it.hasNext()) out.add(number(it.next(), names[i]));
            } else {
                throw new IllegalArgumentException("SparkData.fromRows: column '" + names[i] + "' holds " + v
                        + (v == null ? "" : " (" + v.getClass().getSimpleName() + ")") + ", not a number or an array of numbers");
            }
        }
        float[] a = new float[out.size()];
        for (int i = 0; i < a.length; i++) a[i] = out.get(i);
        return a;
    }

    private static float number(Object v, String column) {
        if (v instanceof Number n) return n.floatValue();
        throw new IllegalArgumentException("SparkData.fromRows: column '" + column + "' holds an array element " + v + ", not a number");
    }

    /**
     * MNIST-style IDX files (images [N, rows, cols] and labels [N] of unsigned bytes, plain or
     * gzipped) that the executors read themselves by URI, through Hadoop's FileSystem:
     * {@code file:} (a path every worker sees, e.g. a shared mount), {@code hdfs:}, {@code s3a:}.
     * Nothing but the URIs and item ranges ships from the driver, which only reads the two headers;
     * a lost partition is read again. Features are pixels / 255, targets the labels.
     * <pre>{@code
     * JavaRDD<Sample> train = SparkData.fromIdx(sc, "hdfs:///data/train-images-idx3-ubyte.gz",
     *         "hdfs:///data/train-labels-idx1-ubyte.gz", 8);
     * }</pre>
     *
     * @throws java.io.UncheckedIOException naming the file when one is missing, is not IDX of the
     *                                      expected kind, or the two counts differ
     */
    public static JavaRDD<Sample> fromIdx(JavaSparkContext sc, String imagesUri, String labelsUri, int partitions) {
        try {
            var slices = IdxFiles.split(imagesUri, labelsUri, partitions, sc.hadoopConfiguration());
            return new FileRdd(sc.sc(), slices).toJavaRDD();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
    }

    /** Samples with class labels, and the class names the labels index. */
    public record Labeled(JavaRDD<Sample> samples, List<String> classes) {}

    /**
     * An image folder that the executors read themselves by URI, through Hadoop's FileSystem as
     * {@link #fromIdx} does: {@code root} holds one sub-folder per class (labels follow the names'
     * order), each holding images of one size that ImageIO decodes (PNG, JPEG, GIF, BMP). Features
     * are [channels, height, width] values / 255: 1 channel is luminance, 3 are red, green, blue.
     * Files are dealt to the partitions in turn, so each partition holds every class.
     *
     * @throws java.io.UncheckedIOException naming the folder when it is missing, has no class
     *                                      folders, or a class folder is empty; an unreadable image or
     *                                      one of another size fails its task, naming the file
     */
    public static Labeled fromImageFolder(JavaSparkContext sc, String root, int channels, int partitions) {
        try {
            var listing = ImageFolderFiles.list(root, channels, partitions, sc.hadoopConfiguration());
            return new Labeled(new FileRdd(sc.sc(), listing.slices()).toJavaRDD(), listing.classes());
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e.getMessage(), e);
        }
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

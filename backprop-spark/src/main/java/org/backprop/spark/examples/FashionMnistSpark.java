package org.backprop.spark.examples;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;
import org.backprop.tensor.Tensor;
import org.backprop.data.FashionMnist;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.spark.Checkpoints;
import org.backprop.spark.Mode;
import org.backprop.spark.RoundStats;
import org.backprop.spark.Sample;
import org.backprop.spark.SerializableSupplier;
import org.backprop.spark.SparkData;
import org.backprop.spark.SparkEvaluation;
import org.backprop.spark.SparkTrainConfig;
import org.backprop.spark.SparkTrainResult;
import org.backprop.spark.SparkTrainer;
import org.backprop.spark.TrainingListener;

/**
 * Trains the Fashion-MNIST MLP 784-256-128-10 (ReLU, cross-entropy, Adam) on Spark. Arguments
 * are {@code key=value}, after the jar in a spark-submit line:
 * <pre>
 * master=local[*]     Spark master URL; spark-submit's --master wins when given
 * data=DIR            folder with the four IDX files (.gz or plain); default: the system folder, then the user cache
 * parquet=DIR or URI  where the Parquet copy goes (train/ and test/; default: backprop-fashion-mnist-parquet in the
 *                     temporary folder); written once from the IDX files when missing
 * checkpoints=DIR     (or URI) write a checkpoint there after every epoch (optional)
 * epochs=5            passes over the 60,000 training images
 * batch=256           global batch size (samples per optimizer step over all partitions)
 * mode=local          sync (one gradient reduction per step) or local (local SGD, averaging every localSteps)
 * localSteps=8        steps between averages in local mode
 * lr=0.001            Adam's learning rate
 * partitions=0        partitions of the training RDD (0: Spark's default parallelism)
 * seed=1              initialisation and shuffling seed
 * </pre>
 * The first run converts the IDX files to Parquet (columns {@code pixels}: 784 floats in [0, 1],
 * {@code label}: the class), on the driver; training then reads the Parquet files as a
 * {@code Dataset<Row>}, so the executors read their rows themselves, as they would a data set
 * that already lives on the cluster (give parquet= an hdfs: or s3a: URI there). See
 * docs/SPARK.md for spark-submit lines.
 */
public final class FashionMnistSpark {
    private FashionMnistSpark() {}

    public static void main(String[] args) throws IOException {
        Args a = Args.parse(args);
        int epochs = Integer.parseInt(a.get("epochs", "5"));
        int batch = Integer.parseInt(a.get("batch", "256"));
        String mode = a.get("mode", "local");
        int localSteps = Integer.parseInt(a.get("localSteps", "8"));
        double lr = Double.parseDouble(a.get("lr", "0.001"));
        int partitions = Integer.parseInt(a.get("partitions", "0"));
        long seed = Long.parseLong(a.get("seed", "1"));
        String data = a.get("data", null);
        String parquet = a.get("parquet", Path.of(System.getProperty("java.io.tmpdir"), "backprop-fashion-mnist-parquet").toUri().toString());
        String checkpoints = a.get("checkpoints", null);
        if (!mode.equals("sync") && !mode.equals("local")) {
            throw new IllegalArgumentException("mode must be sync or local, got '" + mode + "'");
        }

        SparkConf conf = new SparkConf().setAppName("backprop-fashion-mnist")
                // gradients and weights of 235K floats are ~1 MB: keep task results off the block manager
                .setIfMissing("spark.task.maxDirectResultSize", "64m")
                // random-looking float weights barely compress; compressing them costs more than it saves
                .setIfMissing("spark.broadcast.compress", "false");
        if (a.values().containsKey("master") || !conf.contains("spark.master")) conf.setMaster(a.get("master", "local[*]"));

        SparkSession spark = SparkSession.builder().config(conf).getOrCreate();
        try (JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext())) {
            sc.setLogLevel("WARN");
            int parts = partitions > 0 ? partitions : sc.defaultParallelism();
            writeParquetOnce(spark, data, parquet);
            JavaRDD<Sample> train = SparkData.fromRows(spark.read().parquet(parquet + "/train").repartition(parts),
                    List.of("pixels"), "label", true);
            JavaRDD<Sample> test = SparkData.fromRows(spark.read().parquet(parquet + "/test"), List.of("pixels"), "label", true)
                    .persist(StorageLevel.MEMORY_ONLY());

            SerializableSupplier<Module> factory = () -> mlp(seed);
            Module model = factory.get();
            var trainer = new SparkTrainer(sc, model, factory, new CrossEntropyLoss(), new Adam(model.parameters(), lr))
                    .listener(new Progress());
            if (checkpoints != null) trainer.listener(Checkpoints.every(1, checkpoints, "fashion-mlp"));
            var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch).seed(seed)
                    .mode(mode.equals("sync") ? Mode.synchronous() : Mode.localSgd(localSteps, p -> new Adam(p, lr)));

            System.out.printf(Locale.ROOT, "Fashion-MNIST MLP 784-256-128-10 (%d parameters) on %s, %d partitions, %s, global batch %d%n",
                    model.parameterCount(), sc.master(), parts,
                    mode.equals("sync") ? "synchronous" : "local SGD every " + localSteps + " steps", batch);
            SparkTrainResult r = trainer.fit(train, config);
            SparkEvaluation e = trainer.evaluate(test);
            System.out.printf(Locale.ROOT, "test accuracy %.4f, loss %.4f; %d steps in %d rounds, %.1f ms per round (compute %.1f ms)%n",
                    e.accuracy(), e.meanLoss(), r.steps(), r.rounds().size(), r.meanRoundMillis(3), r.meanComputeMillis(3));
        }
    }

    /** Converts the IDX files to Parquet under {@code parquet} unless a finished copy is there ({@code _SUCCESS} markers). */
    static void writeParquetOnce(SparkSession spark, String idxDir, String parquet) throws IOException {
        var marker = new org.apache.hadoop.fs.Path(parquet + "/test/_SUCCESS");
        if (marker.getFileSystem(spark.sparkContext().hadoopConfiguration()).exists(marker)) return;
        FashionMnist fm = FashionMnist.load(idxDir == null ? null : Path.of(idxDir));
        writeSplit(spark, fm.train().images(), fm.train().labelTensor(), parquet + "/train");
        writeSplit(spark, fm.test().images(), fm.test().labelTensor(), parquet + "/test");
        System.out.println("wrote the Parquet copy to " + parquet);
    }

    /** In chunks, so the driver never holds every image as boxed rows at once. */
    private static void writeSplit(SparkSession spark, Tensor images, Tensor labels, String target) {
        StructType schema = new StructType().add("pixels", DataTypes.createArrayType(DataTypes.FloatType, false), false)
                .add("label", DataTypes.IntegerType, false);
        int n = images.size(0), width = images.numel() / n;
        float[] x = images.toFloatArray(), y = labels.toFloatArray();
        for (int from = 0; from < n; from += 10_000) {
            List<Row> rows = new ArrayList<>();
            for (int i = from; i < Math.min(n, from + 10_000); i++) {
                Float[] px = new Float[width];
                for (int j = 0; j < width; j++) px[j] = x[i * width + j];
                rows.add(RowFactory.create(px, (int) y[i]));
            }
            spark.createDataFrame(rows, schema).coalesce(1).write().mode(from == 0 ? SaveMode.Overwrite : SaveMode.Append).parquet(target);
        }
    }

    /** The MLP of the benchmarks: 784-256-128-10 with ReLU, PyTorch's default initialisation. */
    static Module mlp(long seed) {
        Random rng = new Random(seed);
        return new Sequential(new Linear(784, 256, rng), new Activation.ReLU(), new Linear(256, 128, rng),
                new Activation.ReLU(), new Linear(128, 10, rng));
    }

    /** Prints each epoch's training loss, its time, and the share of round time spent computing. */
    private static final class Progress implements TrainingListener {
        private long epochStart = System.nanoTime();
        private long roundNanos, computeNanos;

        @Override
        public void onRound(RoundStats round) {
            roundNanos += round.wallNanos();
            computeNanos += round.computeNanos();
        }

        @Override
        public void onEpochEnd(int epoch, double meanLoss, Module model, org.backprop.optim.Optimizer optimizer) {
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f, %.1f s (compute %.0f%% of round time)%n",
                    epoch, meanLoss, seconds, 100.0 * computeNanos / Math.max(1, roundNanos));
            roundNanos = computeNanos = 0;
            epochStart = System.nanoTime();
        }
    }
}

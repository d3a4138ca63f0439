package org.backprop.spark.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeSet;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructType;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Module;
import org.backprop.optim.Adam;
import org.backprop.spark.ExecutorThreads;
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
 * A small end-to-end run for a cluster: writes Gaussian blobs as Parquet, reads them back as a
 * {@code Dataset<Row>} (so the executors read the rows, and a lost executor's share is read
 * again), trains an MLP, and prints the accuracy and the executors' kernel threads.
 * scripts/spark-cluster.sh and the cluster test run it.
 * <pre>
 * data=DIR or URI    where to write the Parquet files (required)
 * rows=2000 dims=16 classes=4 hidden=32 epochs=3 batch=200 partitions=2 mode=sync|local localSteps=4 seed=1 barrier=0|1
 * </pre>
 */
public final class ClusterCheck {
    private ClusterCheck() {}

    public static void main(String[] args) {
        Args a = Args.parse(args);
        String data = a.get("data", null);
        if (data == null) throw new IllegalArgumentException("data=DIR is required (where the Parquet files go)");
        int rows = Integer.parseInt(a.get("rows", "2000")), dims = Integer.parseInt(a.get("dims", "16"));
        int classes = Integer.parseInt(a.get("classes", "4")), hidden = Integer.parseInt(a.get("hidden", "32"));
        int epochs = Integer.parseInt(a.get("epochs", "3")), batch = Integer.parseInt(a.get("batch", "200"));
        int partitions = Integer.parseInt(a.get("partitions", "2")), localSteps = Integer.parseInt(a.get("localSteps", "4"));
        long seed = Long.parseLong(a.get("seed", "1"));
        boolean sync = a.get("mode", "sync").equals("sync"), barrier = a.get("barrier", "0").equals("1");

        SparkSession spark = SparkSession.builder().appName("backprop-cluster-check").config("spark.log.level", "WARN")
                .config("spark.task.maxDirectResultSize", "64m").config("spark.broadcast.compress", "false").getOrCreate();
        try {
            JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
            StructType schema = new StructType().add("features", DataTypes.createArrayType(DataTypes.FloatType), false)
                    .add("label", DataTypes.IntegerType, false);
            spark.createDataFrame(blobs(rows, dims, classes, seed), schema).repartition(partitions)
                    .write().mode(SaveMode.Overwrite).parquet(data);
            Dataset<Row> df = spark.read().parquet(data);
            JavaRDD<Sample> samples = SparkData.fromRows(df, List.of("features"), "label", true);

            SerializableSupplier<Module> factory = () -> RoundCost.mlp(new int[] {dims, hidden, classes}, seed);
            Module model = factory.get();
            double lr = 0.01;
            var trainer = new SparkTrainer(sc, model, factory, new CrossEntropyLoss(), new Adam(model.parameters(), lr))
                    .listener(new TrainingListener() {
                        @Override
                        public void onEpochEnd(int epoch, double meanLoss, Module m, org.backprop.optim.Optimizer o) {
                            System.out.printf(Locale.ROOT, "epoch %d: train loss %.4f%n", epoch, meanLoss);
                            System.out.flush();
                        }
                    }).optimizerCopies(p -> new Adam(p, lr));
            var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch).seed(seed)
                    .mode(sync ? Mode.synchronous() : Mode.localSgd(localSteps, p -> new Adam(p, lr))).barrier(barrier);
            SparkTrainResult r = trainer.fit(samples, config);
            SparkEvaluation e = trainer.evaluate(samples);
            List<Integer> threads = sc.parallelize(List.of(0, 1, 2, 3), 4).map(i -> ExecutorThreads.threads()).collect();
            RoundStats last = r.rounds().getLast();
            System.out.printf(Locale.ROOT, "executor kernel threads: %s%n", new TreeSet<>(threads));
            System.out.printf(Locale.ROOT, "rounds %d, %.1f ms per round, compute %.1f ms, last round %d bytes out%n",
                    r.rounds().size(), r.meanRoundMillis(3), r.meanComputeMillis(3), last.bytesOut());
            System.out.printf(Locale.ROOT, "spark jobs per round=%.3f%n", r.cost(0).jobsPerRound());
            System.out.printf(Locale.ROOT, "accuracy=%.4f loss=%.4f%n", e.accuracy(), e.meanLoss());
        } finally {
            spark.stop();
        }
    }

    static List<Row> blobs(int n, int dims, int classes, long seed) {
        Random rng = new Random(seed);
        float[][] centres = new float[classes][dims];
        for (float[] c : centres) for (int d = 0; d < dims; d++) c[d] = (float) (rng.nextGaussian() * 1.5);
        List<Row> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            int label = rng.nextInt(classes);
            Float[] x = new Float[dims];
            for (int d = 0; d < dims; d++) x[d] = centres[label][d] + (float) rng.nextGaussian();
            out.add(RowFactory.create(x, label));
        }
        return out;
    }
}

package org.backprop.spark.examples;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.apache.spark.SparkConf;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.backprop.loss.Loss;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.optim.SGD;
import org.backprop.spark.Mode;
import org.backprop.spark.Sample;
import org.backprop.spark.SerializableSupplier;
import org.backprop.spark.SparkTrainConfig;
import org.backprop.spark.SparkTrainResult;
import org.backprop.spark.SparkTrainer;
import org.backprop.spark.TrainingListener;

/**
 * Measures what one round of distributed training costs: wall time, per-partition compute, and
 * bytes moved, for an MLP of the given widths on random data. The numbers feed the cost model
 * in docs/SPARK.md.
 *
 * <pre>
 * RoundCost [master=local[2]] [widths=784,256,128,10] [batch=256] [rounds=30] [localSteps=1] [partitions=0] [inline=BYTES] [barrier=0] [epochs=2] [epochsPerStage=0] [executorJavaOptions=FLAGS]
 * </pre>
 * partitions=0 uses Spark's default parallelism; localSteps &gt; 1 measures local SGD rounds.
 * inline=BYTES sets spark.backprop.inlineWeightsBytes (0: the weights go as a broadcast of their own);
 * executorJavaOptions=FLAGS appends to spark.executor.extraJavaOptions (a cluster's executors, e.g. GC flags).
 * epochsPerStage=N sets spark.backprop.epochsPerStage (barrier: 1 launches a stage per epoch, as before one stage ran the whole run).
 * barrier=1 runs the epoch as one barrier stage (SparkTrainConfig.barrier); its rows train {@code epochs} epochs (default
 * 2) and report the last (the earlier ones are JIT warm-up). Besides
 * the readable lines it prints one {@code ROW|...} line that bench/spark-round-cost.sh tabulates.
 */
public final class RoundCost {
    private RoundCost() {}

    public static void main(String[] args) {
        var opts = Args.parse(args);
        String master = opts.get("master", "local[2]");
        int[] widths = java.util.Arrays.stream(opts.get("widths", "784,256,128,10").split(",")).mapToInt(Integer::parseInt).toArray();
        int batch = Integer.parseInt(opts.get("batch", "256"));
        int rounds = Integer.parseInt(opts.get("rounds", "30"));
        int localSteps = Integer.parseInt(opts.get("localSteps", "1"));
        int partitions = Integer.parseInt(opts.get("partitions", "0"));
        boolean barrier = opts.get("barrier", "0").equals("1");
        int epochs = barrier ? Integer.parseInt(opts.get("epochs", "2")) : 1;
        String inline = opts.get("inline", ""); // spark.backprop.inlineWeightsBytes; 0: weights as a broadcast of their own

        SparkConf conf = new SparkConf().setAppName("backprop-round-cost").setIfMissing("spark.master", master)
                .setIfMissing("spark.ui.enabled", "false")
                .setIfMissing("spark.task.maxDirectResultSize", "128m")
                .setIfMissing("spark.broadcast.compress", "false");
        if (!inline.isEmpty()) conf.set("spark.backprop.inlineWeightsBytes", inline);
        String perStage = opts.get("epochsPerStage", ""); // barrier: epochs per stage (default all; 1: a stage per epoch, as before)
        if (!perStage.isEmpty()) conf.set("spark.backprop.epochsPerStage", perStage);
        String jvm = opts.get("executorJavaOptions", ""); // appended to spark-submit's (a cluster's executors start after this)
        if (!jvm.isEmpty()) conf.set("spark.executor.extraJavaOptions", (conf.get("spark.executor.extraJavaOptions", "") + " " + jvm).strip());
        try (JavaSparkContext sc = new JavaSparkContext(conf)) {
            sc.setLogLevel("WARN");
            int parts = partitions > 0 ? partitions : sc.defaultParallelism();
            int n = batch * localSteps * rounds; // one epoch = exactly the measured rounds
            JavaRDD<Sample> data = sc.parallelize(randomSamples(n, widths[0], widths[widths.length - 1]), parts);
            SerializableSupplier<Module> factory = () -> mlp(widths, 1);
            Module model = factory.get();
            Loss loss = (h, y) -> h.logSoftmax(1).mul(y).sum(1, false).mean().neg();
            // barrier: a stage's wall time is shared out over its rounds, so the first epochs (JIT warm-up) are left out whole
            var config = SparkTrainConfig.defaults().epochs(epochs).globalBatchSize(batch)
                    .mode(localSteps == 1 ? Mode.synchronous() : Mode.localSgd(localSteps, p -> new SGD(p, 0.01))).barrier(barrier);
            List<Long> epochEnds = new ArrayList<>();
            SparkTrainResult r = new SparkTrainer(sc, model, factory, loss, new SGD(model.parameters(), 0.01))
                    .optimizerCopies(p -> new SGD(p, 0.01)).listener(new TrainingListener() {
                        @Override
                        public void onStart(SparkTrainConfig c, List<Double> earlier) {
                            System.out.printf(Locale.ROOT, "EPOCH|0|%d%n", System.currentTimeMillis());
                        }

                        @Override
                        public void onEpochEnd(int epoch, double meanLoss, Module m, org.backprop.optim.Optimizer o) {
                            epochEnds.add(System.nanoTime());
                            System.out.printf(Locale.ROOT, "EPOCH|%d|%d%n", epoch, System.currentTimeMillis()); // for CPU samplers
                        }
                    }).fit(data, config);
            // the last epoch end to end on the driver's clock (epoch end to epoch end: launches, transfers, listeners, all of it)
            double lastEpochSps = epochEnds.size() < 2 ? Double.NaN
                    : n * 1e9 / (epochEnds.getLast() - epochEnds.get(epochEnds.size() - 2));
            report(master, parts, model.parameterCount(), batch, localSteps, r, barrier ? (epochs - 1) * rounds : Math.min(5, rounds / 3),
                    lastEpochSps);
        }
    }

    static void report(String master, int parts, long params, int batch, int localSteps, SparkTrainResult r, int warmup,
            double lastEpochSps) {
        var cost = r.cost(warmup);
        System.out.printf(Locale.ROOT, "master=%s partitions=%d params=%d batch=%d localSteps=%d rounds=%d (first %d left out)%n",
                master, parts, params, batch, localSteps, r.rounds().size(), warmup);
        System.out.println("  per round: " + cost);
        double samplesPerSecond = batch * localSteps * 1000.0 / cost.wallMillis();
        System.out.printf(Locale.ROOT, "  per step: %.1f ms; %.0f samples/s; last epoch end to end %.0f samples/s; %d stage/job launches%n",
                cost.wallMillis() / localSteps, samplesPerSecond, lastEpochSps, r.rounds().stream().mapToInt(x -> x.parts().jobs()).sum());
        System.out.printf(Locale.ROOT, "ROW|%d|%d|%.1f|%.1f|%.1f|%.1f|%.1f|%.1f|%.2f|%.0f|%.1f|%.1f|%.1f|%.0f%n", parts, localSteps,
                cost.wallMillis(), cost.broadcastMillis(), cost.schedulingMillis(), cost.loadMillis(), cost.computeMillis(),
                cost.driverMillis(), cost.overheadRatio(), samplesPerSecond, cost.exchangeMillis(), cost.waitMillis(),
                cost.replicaStepMillis(), lastEpochSps);
    }

    static Module mlp(int[] widths, long seed) {
        Random rng = new Random(seed);
        List<Module> layers = new ArrayList<>();
        for (int i = 0; i + 1 < widths.length; i++) {
            if (i > 0) layers.add(new Activation.ReLU());
            layers.add(new Linear(widths[i], widths[i + 1], rng));
        }
        return new Sequential(layers);
    }

    private static List<Sample> randomSamples(int n, int in, int classes) {
        Random rng = new Random(2);
        List<Sample> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            float[] x = new float[in];
            for (int j = 0; j < in; j++) x[j] = rng.nextFloat();
            float[] y = new float[classes];
            y[rng.nextInt(classes)] = 1;
            out.add(Sample.of(x, y));
        }
        return out;
    }
}

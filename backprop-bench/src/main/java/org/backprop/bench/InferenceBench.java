package org.backprop.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.inference.InferenceModel;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Sequential;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Serving throughput of one shared {@link InferenceModel}: single-sample predictions per second
 * from 1 and from 2 request threads (the target: 2 threads ≥ 1.8× one). Compare the
 * {@code twoThreads} score with {@code oneThread}'s (JMH sums the threads' throughput). Run on a
 * quiet machine with as many cores as threads: {@link #main} runs both and prints, per model, one
 * JSON line with the two throughputs and their ratio ({@code bench/jmh.sh} calls it).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class InferenceBench {

    /** The shared model, built once for all threads. */
    @State(Scope.Benchmark)
    public static class Served {
        /** mlp: 784-256-128-10; lenet: LeNet-5 on 28×28 images. */
        @Param({"mlp", "lenet"})
        public String model;

        InferenceModel served;

        @Setup(Level.Trial)
        public void setUp() {
            Sequential net = model.equals("lenet") ? Net.lenet5(1).model : Net.mlp(0).model;
            served = InferenceModel.of(net, model.equals("lenet") ? List.of(1, 28, 28) : List.of(), Preprocessing.none());
        }
    }

    /** Each request thread's own input image. */
    @State(Scope.Thread)
    public static class Request {
        float[] image = new float[784];

        @Setup(Level.Trial)
        public void setUp() {
            Random rng = new Random(Thread.currentThread().threadId());
            for (int i = 0; i < image.length; i++) image[i] = rng.nextFloat();
        }
    }

    @Benchmark
    @Threads(1)
    public float[] oneThread(Served s, Request r) {
        return s.served.predict(r.image);
    }

    @Benchmark
    @Threads(2)
    public float[] twoThreads(Served s, Request r) {
        return s.served.predict(r.image);
    }

    /**
     * Runs both benchmarks (JMH options from the command line, e.g. {@code -p model=mlp -f 1}) and
     * prints one JSON line per model: {@code {"bench": "inference", "model": "mlp",
     * "one_thread_per_s": ..., "two_threads_per_s": ..., "ratio": ..., "target_ratio": 1.8, ...}}.
     */
    public static void main(String[] args) throws Exception {
        CommandLineOptions cli = new CommandLineOptions(args);
        var options = new OptionsBuilder().parent(cli).include(InferenceBench.class.getName() + "\\.(oneThread|twoThreads)$").build();
        Map<String, double[]> perModel = new LinkedHashMap<>();
        for (RunResult r : new Runner(options).run()) {
            String model = r.getParams().getParam("model");
            boolean two = r.getParams().getBenchmark().endsWith("twoThreads");
            perModel.computeIfAbsent(model, m -> new double[2])[two ? 1 : 0] = r.getPrimaryResult().getScore();
        }
        perModel.forEach((model, ops) -> {
            Map<String, Object> o = new LinkedHashMap<>();
            o.put("bench", "inference");
            o.put("model", model);
            o.put("one_thread_per_s", ops[0]);
            o.put("two_threads_per_s", ops[1]);
            o.put("ratio", ops[0] > 0 ? ops[1] / ops[0] : 0.0);
            o.put("target_ratio", 1.8);
            o.put("cpus", Runtime.getRuntime().availableProcessors());
            o.put("kernel_threads", Parallel.THREADS);
            o.put("kernels", Simd.describe());
            System.out.println(FashionBench.json(o));
        });
    }
}

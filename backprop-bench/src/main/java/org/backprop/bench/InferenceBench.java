package org.backprop.bench;

import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
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

/**
 * Serving throughput of one shared {@link InferenceModel}: single-sample predictions per second
 * from 1 and from 2 request threads (the target: 2 threads ≥ 1.8× one). Compare the
 * {@code twoThreads} score with {@code oneThread}'s (JMH sums the threads' throughput). Run on a
 * quiet machine with as many cores as threads, e.g. {@code bench/jmh.sh InferenceBench}.
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
}

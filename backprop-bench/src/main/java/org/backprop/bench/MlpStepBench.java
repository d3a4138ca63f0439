package org.backprop.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.backprop.tensor.Tensor;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * One warm training step of the MLP 784-256-128-10 (forward, cross-entropy, backward, Adam) on
 * random data. Run with {@code -prof gc} to see the allocation per step
 * ({@code gc.alloc.rate.norm}, bytes per operation).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class MlpStepBench {

    /** 1 and 32: the peer's steps/s workloads (per-step overhead); 128: the epoch's batch. */
    @Param({"1", "32", "128"})
    public int batch;

    private Net mlp;
    private Tensor images, labels;

    @Setup(Level.Trial)
    public void setUp() {
        Random rng = new Random(1);
        mlp = Net.mlp(0);
        float[] x = new float[batch * 784];
        for (int i = 0; i < x.length; i++) x[i] = rng.nextFloat();
        float[] y = new float[batch];
        for (int i = 0; i < batch; i++) y[i] = rng.nextInt(10);
        images = Tensor.wrap(x, batch, 784);
        labels = Tensor.wrap(y, batch);
    }

    @Benchmark
    public float step() {
        return mlp.step(images, labels);
    }
}

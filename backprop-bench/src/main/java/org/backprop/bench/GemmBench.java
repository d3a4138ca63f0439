package org.backprop.bench;

import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.NativeBlas;
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
 * sgemm on the shapes of the MLP benchmark, as {@code TT:MxKxN} (op(A) is M×K, op(B) is K×N;
 * T marks a transposed operand, stored as the backward pass stores it):
 * <ul>
 *   <li>{@code NN:1024x1024x1024} and the peer's three MLP shapes, as torch_fashion.py times them;
 *   <li>{@code NT:128x784x256}: the forward product x·Wᵀ with W stored [out, in];
 *   <li>{@code TN:256x128x784}: the fused Linear's weight gradient gᵀ·x (the input gradient g·W
 *       is {@code NN:128x256x784} above);
 *   <li>{@code TN:784x128x256}: xᵀ·g, the same weight gradient in the unfused layout;
 *   <li>{@code NN:1x784x256}: batch 1 (no packing on the Java path).
 * </ul>
 * GFLOP/s = 2·M·K·N / (time per op); bench/jmh.sh prints it beside JMH's table.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 5, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules=jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {

    @Param({"NN:1024x1024x1024", "NN:128x784x256", "NN:784x128x256", "NN:128x256x784", "NT:128x784x256",
            "TN:256x128x784", "TN:784x128x256", "NN:1x784x256"})
    public String shape;

    /** {@code java} (the Vector API kernels) or {@code native} (OpenBLAS through FFM). */
    @Param({"java"})
    public String engine;

    private boolean ta, tb, nativeEngine;
    private int m, n, k, lda, ldb;
    private float[] a, b, c;

    @Setup(Level.Trial)
    public void setUp() {
        Shape s = Shape.parse(shape);
        ta = s.ta();
        tb = s.tb();
        m = s.m();
        k = s.k();
        n = s.n();
        nativeEngine = switch (engine) {
            case "java" -> false;
            case "native" -> {
                if (!NativeBlas.isAvailable()) throw new IllegalStateException("engine=native: " + NativeBlas.describe());
                yield true;
            }
            default -> throw new IllegalArgumentException("engine must be java or native, not " + engine);
        };
        lda = ta ? m : k;
        ldb = tb ? k : n;
        Random rng = new Random(42);
        a = random(rng, m * k);
        b = random(rng, k * n);
        c = new float[m * n];
    }

    @Benchmark
    public float[] sgemm() {
        if (nativeEngine) {
            NativeBlas.sgemm(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        } else {
            Gemm.sgemmJava(ta, tb, m, n, k, 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, n);
        }
        return c;
    }

    static float[] random(Random rng, int size) {
        float[] x = new float[size];
        for (int i = 0; i < size; i++) x[i] = (float) rng.nextGaussian();
        return x;
    }

    /** A product shape {@code TT:MxKxN}. */
    record Shape(boolean ta, boolean tb, int m, int k, int n) {
        static Shape parse(String s) {
            String[] parts = s.split(":");
            String[] d = parts[1].split("x");
            if (parts[0].length() != 2 || d.length != 3) {
                throw new IllegalArgumentException("shape must look like NT:128x784x256, not " + s);
            }
            return new Shape(parts[0].charAt(0) == 'T', parts[0].charAt(1) == 'T', Integer.parseInt(d[0]),
                    Integer.parseInt(d[1]), Integer.parseInt(d[2]));
        }

        double flops() {
            return 2.0 * m * k * n;
        }
    }
}

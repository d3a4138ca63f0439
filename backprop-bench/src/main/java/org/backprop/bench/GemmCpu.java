package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.util.Random;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.NativeBlas;

/**
 * The pure-Java sgemm against OpenBLAS (through FFM) per CPU-second, which a shared machine
 * spoils far less than wall-clock time: for each shape, rounds alternating the two engines, each
 * round ~{@code --gflop} GFLOP, timed by the CPU time of the calling thread and the kernel's workers
 * (their spinning included; not the JIT's or GC's threads). Prints each engine's median and best
 * GFLOP per CPU-second and their ratio. Run with {@code -Dbackprop.threads=1} (OpenBLAS then
 * gets one thread too) for the kernels' single-thread efficiency.
 * {@code GemmCpu [--rounds 7] [--gflop 1] [--shapes NN:MxKxN,...] [--java-only]}
 * The default shapes are the bench's four and the MLP's (batch 128, 784-256-128-10) products.
 */
final class GemmCpu {
    private GemmCpu() {}

    static final String BENCH = "NN:1024x1024x1024,NN:128x784x256,NN:784x128x256,NN:128x256x784";
    static final String MLP = "NT:128x784x256,NT:128x256x128,NN:128x256x784,NN:128x128x256,TN:256x128x784,TN:128x128x256";

    /** CPU nanoseconds of this thread and the kernel's workers (OpenBLAS's own threads are not seen: run it on one). */
    static long kernelCpu() {
        return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime() + workersCpu();
    }

    /** CPU nanoseconds of the kernel's workers alone. */
    static long workersCpu() {
        var mx = ManagementFactory.getThreadMXBean();
        long sum = 0;
        for (Thread t : Thread.getAllStackTraces().keySet()) {
            if (t.getName().startsWith("backprop-kernel-")) sum += mx.getThreadCpuTime(t.threadId());
        }
        return sum;
    }

    public static void main(String[] args) {
        int rounds = 7;
        double gflop = 1;
        boolean javaOnly = false;
        String shapes = BENCH + "," + MLP;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--gflop" -> gflop = Double.parseDouble(args[++i]);
                case "--shapes" -> shapes = args[++i];
                case "--java-only" -> javaOnly = true;
                default -> throw new IllegalArgumentException(
                        "usage: GemmCpu [--rounds 7] [--gflop 1] [--shapes NN:MxKxN,...] [--java-only]");
            }
        }
        boolean blas = !javaOnly && NativeBlas.isAvailable();
        if (!blas && !javaOnly) System.out.println("no OpenBLAS found: Java only");
        String[] specs = shapes.split(",");
        int shapesN = specs.length, engines = blas ? 2 : 1;
        GemmBench.Shape[] shape = new GemmBench.Shape[shapesN];
        float[][][] data = new float[shapesN][][];
        for (int q = 0; q < shapesN; q++) {
            shape[q] = GemmBench.Shape.parse(specs[q]);
            GemmBench.Shape s = shape[q];
            Random rng = new Random(42);
            data[q] = new float[][] {GemmBench.random(rng, s.m() * s.k()), GemmBench.random(rng, s.k() * s.n()), new float[s.m() * s.n()]};
        }
        // Rounds outermost, shapes and engines alternating inside, so a busy spell of the host
        // spreads over all of them; three warm-up rounds first (C2 compiles the rare paths, the
        // part panels and gathers, only after a few calls of the shapes that take them).
        double[][][] rate = new double[shapesN][engines][rounds];
        long[][] javaCpu = new long[shapesN][2]; // the Java engine's CPU: the calling thread's, the workers'
        for (int r = -3; r < rounds; r++) {
            for (int q = 0; q < shapesN; q++) {
                GemmBench.Shape s = shape[q];
                float[] a = data[q][0], b = data[q][1], c = data[q][2];
                int lda = s.ta() ? s.m() : s.k(), ldb = s.tb() ? s.k() : s.n();
                int n = Math.max(3, (int) (gflop * 1e9 / s.flops()));
                for (int e = 0; e < engines; e++) {
                    long w0 = workersCpu(), c0 = kernelCpu();
                    for (int i = 0; i < n; i++) {
                        if (e == 0) {
                            Gemm.sgemmJava(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
                        } else {
                            NativeBlas.sgemm(s.ta(), s.tb(), s.m(), s.n(), s.k(), 1f, a, 0, lda, b, 0, ldb, 0f, c, 0, s.n());
                        }
                    }
                    long c1 = kernelCpu(), w1 = workersCpu();
                    if (r >= 0) rate[q][e][r] = n * s.flops() / (c1 - c0);
                    if (r >= 0 && e == 0) {
                        javaCpu[q][0] += (c1 - c0) - (w1 - w0);
                        javaCpu[q][1] += w1 - w0;
                    }
                }
            }
        }
        // workers ÷ caller: the share of the Java engine's CPU its workers took (1.0 with one worker
        // and even shares; their spinning between calls counts, the caller's waiting too)
        System.out.printf("%-22s %18s %18s %6s %9s%n", "shape (op:MxKxN)", "Java med/best", "OpenBLAS med/best", "ratio", "wk/caller");
        int mid = rounds / 2;
        for (int q = 0; q < shapesN; q++) {
            for (double[] x : rate[q]) java.util.Arrays.sort(x);
            double j = rate[q][0][mid], o = blas ? rate[q][1][mid] : Double.NaN;
            System.out.printf("%-22s %8.1f / %6.1f %8.1f / %6.1f %6.2f %9.2f%n", specs[q], j, rate[q][0][rounds - 1],
                    o, blas ? rate[q][1][rounds - 1] : Double.NaN, j / o, (double) javaCpu[q][1] / Math.max(1, javaCpu[q][0]));
        }
    }
}

package org.backprop.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.LongFunction;
import org.backprop.autograd.GradMode;
import org.backprop.data.FashionMnist;
import org.backprop.kernel.Gemm;
import org.backprop.kernel.NativeBlas;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.tensor.Tensor;

/**
 * The end-to-end benchmark: the workloads of ../shared/bench/torch_fashion.py, run on Backprop,
 * printing one JSON line per workload with the same keys, so the two can be compared line by line.
 *
 * <p>Usage: {@code FashionBench [--threads N] [--data DIR] [--epochs 3] [--workloads LIST]}.
 * {@code --threads} sets the kernel threads ({@code backprop.threads}); the engine is
 * {@code backprop.blas} (java by default); {@code --workloads} runs some of sgemm, mlp_steps, mlp
 * and lenet5 (all by default, in the peer's order). As in the peer: the same networks,
 * initialisation rule, Adam at lr 1e-3, batch 128, pixels scaled to [0, 1] (by /255 when
 * loading), a seeded shuffle each epoch, data loading outside the timed regions (each step
 * copies its batch rows by index inside them, as {@code xtr[idxs]} does there), the test
 * accuracy after the last epoch, and the peak resident memory of the whole run read at the end.
 *
 * <p>Warm-up differs in one way: the peer warms each product 3 times and each step loop 50
 * times; here warm-up also lasts at least one second, so the JIT has compiled the kernels
 * (KERNELS.md: ~50–100 calls, ~1 s). Both then time the same number of repetitions.
 */
public final class FashionBench {
    private FashionBench() {}

    private static final long WARM_NANOS = 1_000_000_000L;

    /** The workloads, in the peer's order, by the names {@code --workloads} takes. */
    private static final List<String> WORKLOADS = List.of("sgemm", "mlp_steps", "mlp", "lenet5");

    public static void main(String[] args) throws IOException {
        int threads = 2, epochs = 3, limitSize = 1024;
        Path data = null;
        Set<String> run = new LinkedHashSet<>(WORKLOADS);
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(value(args, ++i));
                case "--epochs" -> epochs = Integer.parseInt(value(args, ++i));
                case "--data" -> data = Path.of(value(args, ++i));
                case "--limit-size" -> limitSize = Integer.parseInt(value(args, ++i));
                case "--workloads" -> {
                    run = new LinkedHashSet<>(List.of(value(args, ++i).split(",")));
                    if (!WORKLOADS.containsAll(run)) throw new IllegalArgumentException("--workloads takes some of " + WORKLOADS);
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i] + " (" + USAGE + ")");
            }
        }
        // Must happen before any kernel class is loaded: Parallel reads it once.
        System.setProperty("backprop.threads", Integer.toString(threads));
        boolean needsData = run.stream().anyMatch(w -> w.startsWith("mlp") || w.equals("lenet5"));
        // Held as bytes (55 MB), scaled per batch, not as 220 MB of floats.
        Pixels[] ds = needsData ? Pixels.load(data) : null;

        List<Map<String, Object>> out = new ArrayList<>();
        // The machine's limits, in the same run; on stderr so the JSON lines keep the peer's rows.
        Limits limits = Limits.measure(limitSize, WARM_NANOS, 10);
        System.err.printf("limits: GEMM %.1f GFLOP/s (%s, %d³), stream %.1f GB/s (triad over %.1f MB)%n", limits.gemmGflops(),
                limits.gemmBy(), limitSize, limits.streamGBs(), 4.0 * Limits.MLP_PARAMS * Float.BYTES / 1e6);
        if (run.contains("sgemm")) {
            for (int[] s : new int[][] {{1024, 1024, 1024}, {128, 784, 256}, {784, 128, 256}, {128, 256, 784}}) {
                out.add(gemm(s[0], s[1], s[2], 20));
            }
        }
        if (run.contains("mlp_steps")) {
            out.add(steps(ds[0], 1, 2000));
            out.add(steps(ds[0], 32, 1000));
        }
        if (run.contains("mlp")) out.add(train("mlp_784_256_128_10_adam", Net::mlp, ds, epochs, 128));
        if (run.contains("lenet5")) out.add(train("lenet5_adam", Net::lenet5, ds, epochs, 128));
        efficiencies(out, limits, ds);
        // One figure for the whole run, read at the end, as the peer does.
        double peakRss = peakRssMb();
        for (Map<String, Object> o : out) {
            o.put("framework", "backprop-" + version() + "-" + engine());
            o.put("threads", threads);
            o.put("blas_threads", Parallel.THREADS);
            o.put("peak_rss_mb", peakRss);
            System.out.println(json(o));
        }
        System.err.println("backprop: " + Simd.describe() + ", " + Parallel.THREADS + " kernel threads, engine "
                + engine() + (NativeBlas.MODE == NativeBlas.Mode.JAVA ? "" : " (" + NativeBlas.describe() + ")"));
    }

    private static final String USAGE = "usage: FashionBench [--threads N] [--data DIR] [--epochs 3] [--limit-size 1024] [--workloads "
            + String.join(",", WORKLOADS) + "]";

    /** Adds each workload's fraction of its limit to its row and prints it (issue 15's efficiencies). */
    private static void efficiencies(List<Map<String, Object>> out, Limits limits, Pixels[] ds) {
        for (Map<String, Object> o : out) {
            if (o.get("workload").equals("mlp_784_256_128_10_adam")) {
                double e = limits.mlpEpochEfficiency(ds[0].size(), (Double) o.get("median_epoch_s"));
                o.put("gemm_limit_efficiency", e);
                System.err.printf("efficiency: MLP epoch %.3f s, %.1f GFLOP at the GEMM limit %.3f s: %.0f%%%n",
                        o.get("median_epoch_s"), ds[0].size() * Limits.MLP_FLOP_PER_SAMPLE / 1e9,
                        e * (Double) o.get("median_epoch_s"), 100 * e);
            } else if (o.get("workload").equals("mlp_steps") && o.get("batch").equals(1)) {
                double e = limits.stepEfficiency((Double) o.get("steps_per_s"));
                o.put("stream_limit_efficiency", e);
                System.err.printf("efficiency: batch-1 Adam step %.1f µs, %.2f MB at the stream limit %.1f µs: %.0f%%%n",
                        1e6 / (Double) o.get("steps_per_s"), Limits.MLP_STEP_BYTES / 1e6,
                        1e6 * e / (Double) o.get("steps_per_s"), 100 * e);
            }
        }
    }

    private static Map<String, Object> gemm(int m, int k, int n, int reps) {
        Random rng = new Random(0);
        float[] a = GemmBench.random(rng, m * k), b = GemmBench.random(rng, k * n), c = new float[m * n];
        long t0 = System.nanoTime();
        for (int i = 0; i < 3 || System.nanoTime() - t0 < WARM_NANOS; i++) {
            Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        }
        long start = System.nanoTime();
        for (int i = 0; i < reps; i++) Gemm.sgemm(false, false, m, n, k, 1f, a, 0, k, b, 0, n, 0f, c, 0, n);
        double seconds = (System.nanoTime() - start) / 1e9;
        return row("workload", "sgemm", "m", m, "k", k, "n", n, "gflops", 2.0 * m * k * n * reps / seconds / 1e9);
    }

    /** Training steps per second on consecutive slices, as the peer's {@code steps}. */
    private static Map<String, Object> steps(Pixels train, int batch, int n) {
        Net mlp = Net.mlp(0);
        int rows = train.size();
        float[] x = new float[batch * 784], y = new float[batch];
        Tensor images = mlp.images(x, batch), labels = Tensor.wrap(y, batch);
        long t0 = System.nanoTime();
        for (int i = 0; i < 50 || System.nanoTime() - t0 < WARM_NANOS; i++) {
            slice(train, (i * batch) % (rows - batch), batch, x, y);
            mlp.step(images, labels);
        }
        long start = System.nanoTime();
        for (int i = 0; i < n; i++) {
            slice(train, (i * batch) % (rows - batch), batch, x, y);
            mlp.step(images, labels);
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        return row("workload", "mlp_steps", "batch", batch, "steps_per_s", n / seconds);
    }

    private static void slice(Pixels s, int from, int batch, float[] x, float[] y) {
        s.rows(from, batch, x);
        for (int i = 0; i < batch; i++) y[i] = s.labels()[from + i];
    }

    /** Epochs over a seeded shuffle; the epoch times exclude the test-set evaluation, as in the peer. */
    private static Map<String, Object> train(String name, LongFunction<Net> make, Pixels[] ds, int epochs, int batch) {
        Net net = make.apply(0);
        Pixels train = ds[0];
        int rows = train.size();
        Random rng = new Random(0);
        int[] perm = new int[rows];
        List<Double> times = new ArrayList<>();
        for (int ep = 0; ep < epochs; ep++) {
            for (int i = 0; i < rows; i++) perm[i] = i;
            for (int i = rows - 1; i > 0; i--) { // Fisher–Yates
                int j = rng.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            long t0 = System.nanoTime();
            for (int i = 0; i < rows; i += batch) {
                int b = Math.min(batch, rows - i);
                // A fresh batch per step, as the peer's xtr[idxs] makes one.
                float[] x = new float[b * 784], y = new float[b];
                for (int r = 0; r < b; r++) train.row(perm[i + r], x, r * 784);
                for (int r = 0; r < b; r++) y[r] = train.labels()[perm[i + r]];
                net.step(net.images(x, b), Tensor.wrap(y, b));
            }
            times.add((System.nanoTime() - t0) / 1e9);
        }
        List<Double> sorted = times.stream().sorted().toList();
        double median = sorted.get(sorted.size() / 2);
        return row("workload", name, "batch", batch, "epochs", epochs, "epoch_s", times,
                "median_epoch_s", median, "samples_per_s", rows / median, "test_acc", accuracy(net, ds[1]));
    }

    private static double accuracy(Net net, Pixels test) {
        int correct = 0;
        net.model.eval();
        try (var s = GradMode.noGrad()) {
            for (int i = 0; i < test.size(); i += 1000) {
                int b = Math.min(1000, test.size() - i);
                float[] x = new float[b * 784];
                test.rows(i, b, x);
                Tensor pred = net.model.forward(net.images(x, b)).argmax(1, false);
                for (int r = 0; r < b; r++) if ((int) pred.get(r) == test.labels()[i + r]) correct++;
            }
        }
        net.model.train();
        return (double) correct / test.size();
    }

    // ------------------------------------------------------------------ output

    private static Map<String, Object> row(Object... kv) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
        return m;
    }

    /** A flat JSON object; values are numbers, strings or lists of numbers. */
    static String json(Map<String, Object> o) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : o.entrySet()) {
            if (sb.length() > 1) sb.append(", ");
            sb.append('"').append(e.getKey()).append("\": ").append(value(e.getValue()));
        }
        return sb.append('}').toString();
    }

    private static String value(Object v) {
        return switch (v) {
            case String s -> '"' + s.replace("\\", "\\\\").replace("\"", "\\\"") + '"';
            case List<?> l -> l.stream().map(FashionBench::value).reduce((x, y) -> x + ", " + y)
                    .map(s -> "[" + s + "]").orElse("[]");
            case Double d -> String.format(Locale.ROOT, "%.6g", d);
            default -> String.valueOf(v);
        };
    }

    private static String value(String[] args, int i) {
        if (i >= args.length) throw new IllegalArgumentException(args[i - 1] + " needs a value");
        return args[i];
    }

    static String engine() {
        return NativeBlas.MODE.name().toLowerCase(Locale.ROOT);
    }

    static String version() {
        String v = FashionBench.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * Peak resident memory in MiB, measured as the peer measures it: getrusage(RUSAGE_SELF)'s
     * ru_maxrss (KiB on Linux), called through FFM; where that fails, /proc/self/status's VmHWM
     * (the same high-water mark); -1 where neither exists.
     */
    static double peakRssMb() {
        if (System.getProperty("os.name", "").equals("Linux")) {
            try {
                Linker linker = Linker.nativeLinker();
                MethodHandle getrusage = linker.downcallHandle(linker.defaultLookup().find("getrusage").orElseThrow(),
                        FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS));
                try (Arena arena = Arena.ofConfined()) {
                    // struct rusage on 64-bit Linux: two struct timevals (16 bytes each), then long ru_maxrss.
                    MemorySegment usage = arena.allocate(144, 8);
                    if ((int) getrusage.invokeExact(0, usage) == 0) return usage.get(ValueLayout.JAVA_LONG, 32) / 1024.0;
                }
            } catch (Throwable e) {
                // fall back to /proc
            }
        }
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024.0;
            }
        } catch (IOException | NumberFormatException e) {
            // fall through
        }
        return -1;
    }
}

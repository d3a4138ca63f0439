package org.backprop.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.function.Supplier;
import org.backprop.audio.AudioFeatures;
import org.backprop.audio.LogMel;
import org.backprop.autograd.GradMode;
import org.backprop.data.Dataset;
import org.backprop.audio.Fsdd;
import org.backprop.audio.SpokenDigits;
import org.backprop.kernel.Parallel;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.tensor.Tensor;

/**
 * The speech workloads of ../shared/bench/torch_fsdd.py run on Backprop, one JSON line each with
 * the peer's keys: {@code fsdd_cnn} ({@link Models#fsddCnn}) and {@code fsdd_gru}
 * ({@link Models#fsddGru}). As in the peer: the official split, the same log-mel features and per-band
 * standardisation ({@link LogMel#FSDD}), Adam at 10⁻³, batch 64, a seeded shuffle each epoch,
 * features computed before the clock starts ({@code load_s}), each step copying its batch rows by
 * index inside the timed region, the test accuracy after the last epoch in eval mode.
 *
 * <p>Usage: {@code FsddBench [--threads N] [--data DIR] [--epochs 30] [--workloads fsdd_cnn,fsdd_gru]};
 * {@code --data} is the folder holding {@code fsdd.tar.gz} (the peer's default: ../shared/data).
 */
public final class FsddBench {
    private FsddBench() {}

    private static final int BATCH = 64;
    private static final List<String> WORKLOADS = List.of("fsdd_cnn", "fsdd_gru");

    public static void main(String[] args) throws IOException {
        int threads = 2, epochs = 30;
        Path data = Path.of("../shared/data");
        Set<String> run = new LinkedHashSet<>(WORKLOADS);
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) throw new IllegalArgumentException(args[i] + " needs a value (" + USAGE + ")");
            switch (args[i++]) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--epochs" -> epochs = Integer.parseInt(v);
                case "--data" -> data = Path.of(v);
                case "--workloads" -> run = new LinkedHashSet<>(List.of(v.split(",")));
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1] + " (" + USAGE + ")");
            }
        }
        for (String w : run) if (!models().containsKey(w)) throw new IllegalArgumentException("--workloads takes some of " + models().keySet());
        System.setProperty("backprop.threads", Integer.toString(threads)); // before any kernel class loads
        long t0 = System.nanoTime();
        Fsdd.Split split = Fsdd.load(data).officialSplit();
        SpokenDigits.Prepared image = SpokenDigits.prepare(split, LogMel.FSDD, AudioFeatures.Layout.IMAGE);
        double loadS = (System.nanoTime() - t0) / 1e9;
        System.err.printf("fsdd: train %d, test %d, features in %.1f s%n", image.train().size(), image.test().size(), loadS);
        for (String w : run) {
            SpokenDigits.Prepared p = w.equals("fsdd_cnn") ? image : sequences(image);
            Map<String, Object> o = train(w, models().get(w), p.train(), p.test(), epochs);
            o.put("load_s", loadS);
            o.put("framework", "backprop-dev-java");
            o.put("threads", threads);
            o.put("blas_threads", Parallel.THREADS);
            o.put("peak_rss_mb", FashionBench.peakRssMb());
            System.out.println(FashionBench.json(o));
        }
    }

    private static final String USAGE = "usage: FsddBench [--threads N] [--data DIR] [--epochs 30] [--workloads "
            + String.join(",", WORKLOADS) + "]";

    /** The networks by workload name, each from seed 0. */
    static Map<String, Supplier<Sequential>> models() {
        Map<String, Supplier<Sequential>> m = new LinkedHashMap<>();
        m.put("fsdd_cnn", () -> Models.fsddCnn(new Random(0)));
        m.put("fsdd_gru", () -> Models.fsddGru(new Random(0)));
        return m;
    }

    /** The same standardised features as [N, frames, mels] sequences. */
    private static SpokenDigits.Prepared sequences(SpokenDigits.Prepared image) {
        AudioFeatures f = image.features();
        AudioFeatures seq = new AudioFeatures(f.logMel(), AudioFeatures.Layout.SEQUENCE, f.bandMeans(), f.bandStds());
        return new SpokenDigits.Prepared(image.train().withFeatures(seq.toInput(image.train().features().toFloatArray(), image.train().size())),
                image.test().withFeatures(seq.toInput(image.test().features().toFloatArray(), image.test().size())), seq);
    }

    private static Map<String, Object> train(String name, Supplier<Sequential> make, Dataset train, Dataset test, int epochs) {
        Sequential net = make.get();
        Adam adam = new Adam(net.parameters(), 1e-3);
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        float[] x = train.features().toFloatArray(), labels = train.targets().toFloatArray();
        int rows = train.size(), cols = x.length / rows;
        int[] shape = train.features().shape().clone();
        int[] perm = new int[rows];
        Random rng = new Random(0);
        List<Double> times = new ArrayList<>(), cpu = new ArrayList<>();
        double lossSum = 0;
        for (int ep = 0; ep < epochs; ep++) {
            for (int i = 0; i < rows; i++) perm[i] = i;
            for (int i = rows - 1; i > 0; i--) { // Fisher–Yates
                int j = rng.nextInt(i + 1), t = perm[i];
                perm[i] = perm[j];
                perm[j] = t;
            }
            lossSum = 0;
            long t0 = System.nanoTime(), c0 = processCpuNanos();
            for (int i = 0; i < rows; i += BATCH) {
                int b = Math.min(BATCH, rows - i);
                float[] bx = new float[b * cols], by = new float[b];
                Net.gather(x, cols, perm, i, b, bx);
                for (int r = 0; r < b; r++) by[r] = labels[perm[i + r]];
                shape[0] = b;
                adam.zeroGrad();
                Tensor loss = lossFn.apply(net.forward(Tensor.wrap(bx, shape.clone())), Tensor.wrap(by, b));
                loss.backward();
                adam.step();
                lossSum += loss.item() * b;
            }
            times.add((System.nanoTime() - t0) / 1e9);
            cpu.add((processCpuNanos() - c0) / 1e9);
            System.err.printf("%s epoch %d: %.2f s (CPU %.2f s), train loss %.4f%n", name, ep + 1, times.getLast(), cpu.getLast(),
                    lossSum / rows);
        }
        double median = times.stream().sorted().toList().get(times.size() / 2);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", name);
        o.put("params", net.parameterCount());
        o.put("batch", BATCH);
        o.put("epochs", epochs);
        o.put("epoch_s", times);
        o.put("median_epoch_s", median);
        // CPU time of the whole process (all threads, JIT and GC included) per epoch: on a shared
        // machine, where wall time is spoiled by the other processes, the figure to compare A/B.
        o.put("epoch_cpu_s", cpu);
        o.put("samples_per_s", rows / median);
        o.put("train_loss", lossSum / rows);
        o.put("test_acc", accuracy(net, test));
        return o;
    }

    private static long processCpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory.getOperatingSystemMXBean())
                .getProcessCpuTime();
    }

    private static double accuracy(Sequential net, Dataset test) {
        net.eval();
        int correct = 0;
        try (var s = GradMode.noGrad()) {
            Tensor pred = net.forward(test.features()).argmax(1, false);
            for (int i = 0; i < test.size(); i++) if ((int) pred.get(i) == (int) test.targets().get(i)) correct++;
        }
        net.train();
        return (double) correct / test.size();
    }
}

package org.backprop.bench;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;
import org.backprop.kernel.Parallel;
import org.backprop.nn.Gpt;
import org.backprop.train.GptTraining;

/**
 * The GPT workloads of ../shared/bench/torch_seq.py on Backprop, one JSON line each with the
 * peer's keys: {@code charlm_gpt} (nanoGPT's CPU recipe on Tiny Shakespeare: tokens/s of the
 * training loop, validation and training loss over 200 batches) and {@code gpt_steps} (full
 * training steps per second at batch 1 × 64 after 50 warm-up steps).
 *
 * <p>Usage: {@code SeqBench [--threads N] [--data DIR] [--iters 2000] [--steps 1000] [--eval-batches 200] [--workloads charlm_gpt,gpt_steps]}
 * ({@code --steps} and {@code --eval-batches} shorten a smoke run; the peer's figures are 1000 and 200).
 * As in the peer, the text is read from DIR/tinyshakespeare.txt.gz, the vocabulary is the sorted
 * distinct characters, the first 90% trains and the last 10% validates, and the window starts of
 * every iteration are drawn before the clock starts (here from java.util.Random, seed 0, so the
 * windows are not the peer's: the same distribution, not the same draws).
 */
public final class SeqBench {
    private SeqBench() {}

    public static void main(String[] args) throws IOException {
        int threads = 2, iters = 2000, steps = 1000, evalBatches = 200;
        Path data = Path.of("..", "shared", "data");
        List<String> run = List.of("charlm_gpt", "gpt_steps");
        for (int i = 0; i < args.length; i++) {
            String v = i + 1 < args.length ? args[i + 1] : null;
            if (v == null) throw new IllegalArgumentException(args[i] + " needs a value");
            switch (args[i++]) {
                case "--threads" -> threads = Integer.parseInt(v);
                case "--iters" -> iters = Integer.parseInt(v);
                case "--steps" -> steps = Integer.parseInt(v);
                case "--eval-batches" -> evalBatches = Integer.parseInt(v);
                case "--data" -> data = Path.of(v);
                case "--workloads" -> run = List.of(v.split(","));
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1] + " (" + USAGE + ")");
            }
        }
        System.setProperty("backprop.threads", Integer.toString(threads));
        String text;
        try (InputStream in = new GZIPInputStream(Files.newInputStream(data.resolve("tinyshakespeare.txt.gz")))) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        TreeSet<Integer> chars = new TreeSet<>();
        text.codePoints().forEach(chars::add);
        Map<Integer, Integer> index = new LinkedHashMap<>();
        for (int c : chars) index.put(c, index.size());
        int[] all = text.codePoints().map(index::get).toArray();
        int n = (int) (all.length * 0.9);
        int[] train = java.util.Arrays.copyOfRange(all, 0, n), val = java.util.Arrays.copyOfRange(all, n, all.length);
        System.err.println("tinyshakespeare: " + all.length + " chars, vocab " + chars.size());

        List<Map<String, Object>> out = new ArrayList<>();
        for (String w : run) {
            Map<String, Object> o = switch (w) {
                case "charlm_gpt" -> charlm(chars.size(), train, val, iters, evalBatches);
                case "gpt_steps" -> gptSteps(chars.size(), train, steps);
                default -> throw new IllegalArgumentException("unknown workload " + w + " (" + USAGE + ")");
            };
            o.put("framework", "backprop-dev-java");
            o.put("threads", threads);
            o.put("blas_threads", Parallel.THREADS);
            o.put("peak_rss_mb", FashionBench.peakRssMb());
            System.out.println(FashionBench.json(o));
            out.add(o);
        }
    }

    private static final String USAGE = "usage: SeqBench [--threads N] [--data DIR] [--iters 2000] [--steps 1000] "
            + "[--eval-batches 200] [--workloads charlm_gpt,gpt_steps]";

    private static Map<String, Object> charlm(int vocab, int[] train, int[] val, int iters, int evalBatches) {
        long w0 = System.nanoTime();
        Gpt model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
        GptTraining t = new GptTraining(model, GptTraining.Recipe.nanoCpu().withIters(iters));
        int batch = t.recipe.batch(), block = model.config.context();
        Random rng = new Random(0);
        int[][] starts = new int[iters][];
        for (int i = 0; i < iters; i++) starts[i] = GptTraining.starts(rng, train.length, block, batch);
        long t0 = System.nanoTime();
        for (int it = 0; it < iters; it++) {
            float loss = t.step(train, starts[it]);
            if ((it + 1) % 250 == 0 || it == 0) {
                System.err.printf("charlm_gpt iter %d: batch loss %.4f, %.1f s%n", it + 1, loss, (System.nanoTime() - t0) / 1e9);
            }
        }
        double trainS = (System.nanoTime() - t0) / 1e9;
        long e0 = System.nanoTime();
        double valLoss = t.estimateLoss(val, evalBatches, 1), trainLoss = t.estimateLoss(train, evalBatches, 2);
        double evalS = (System.nanoTime() - e0) / 1e9;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", "charlm_gpt");
        o.put("params", model.parameterCount());
        o.put("batch", batch);
        o.put("block", block);
        o.put("iters", iters);
        o.put("train_s", trainS);
        o.put("tokens_per_s", (double) iters * batch * block / trainS);
        o.put("val_loss", valLoss);
        o.put("train_loss", trainLoss);
        o.put("eval_s", evalS);
        o.put("wall_s", (System.nanoTime() - w0) / 1e9);
        return o;
    }

    private static Map<String, Object> gptSteps(int vocab, int[] train, int n) {
        Gpt model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
        GptTraining t = new GptTraining(model, GptTraining.Recipe.nanoCpu().withBatch(1).withIters(50 + n));
        Random rng = new Random(0);
        int[][] starts = new int[50 + n][];
        for (int i = 0; i < starts.length; i++) starts[i] = GptTraining.starts(rng, train.length, 64, 1);
        for (int i = 0; i < 50; i++) t.step(train, starts[i]);
        long t0 = System.nanoTime();
        for (int i = 50; i < 50 + n; i++) t.step(train, starts[i]);
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", "gpt_steps");
        o.put("batch", 1);
        o.put("block", 64);
        o.put("steps", n);
        o.put("steps_per_s", n / ((System.nanoTime() - t0) / 1e9));
        return o;
    }
}

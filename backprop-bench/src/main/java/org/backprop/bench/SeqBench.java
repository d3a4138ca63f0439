package org.backprop.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.GradClip;
import org.backprop.tensor.Tensor;
import org.backprop.text.CharLanguageModel;
import org.backprop.text.TextCorpus;
import org.backprop.text.TextWindows;

/**
 * The sequence workloads of ../shared/bench/torch_seq.py on Backprop, one JSON line each with the
 * peer's keys. {@code charlm_lstm}: char-rnn's default model on Tiny Shakespeare (Embedding
 * 65→128, 2-layer LSTM of 128 with two bias vectors a gate and PyTorch's init, linear head
 * 128→65; 280,897 parameters), windows of 64, batches of 32, every window from a zero state,
 * Adam lr 2e-3, global-norm clip 5. As in the peer, every step's window starts are drawn before
 * the clock starts and the text sits in memory; the losses are means over 200 random batches of
 * 32×64 windows (generators seeded 1 for validation, 2 for training).
 *
 * <p>Usage: {@code SeqBench [--threads N] [--iters 2000] [--eval-batches 200] [--workloads charlm_lstm]}
 * ({@code --eval-batches} only shortens smoke runs; the peer always uses 200).
 */
public final class SeqBench {
    private SeqBench() {}

    private static final List<String> WORKLOADS = List.of("charlm_lstm");

    public static void main(String[] args) {
        int threads = 2, iters = 2000, evalBatches = 200;
        List<String> run = WORKLOADS;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--eval-batches" -> evalBatches = Integer.parseInt(args[++i]);
                case "--workloads" -> {
                    run = List.of(args[++i].split(","));
                    if (!WORKLOADS.containsAll(run)) throw new IllegalArgumentException("--workloads takes some of " + WORKLOADS);
                }
                default -> throw new IllegalArgumentException("usage: SeqBench [--threads N] [--iters 2000] [--eval-batches 200] [--workloads charlm_lstm]");
            }
        }
        System.setProperty("backprop.threads", Integer.toString(threads)); // before any kernel class loads
        TextCorpus corpus = TextCorpus.shakespeare();
        for (String w : run) {
            Map<String, Object> o = charlmLstm(corpus, iters, evalBatches);
            o.put("framework", "backprop-" + FashionBench.version() + "-" + FashionBench.engine());
            o.put("threads", threads);
            o.put("blas_threads", Parallel.THREADS);
            o.put("peak_rss_mb", FashionBench.peakRssMb());
            System.out.println(FashionBench.json(o));
        }
        System.err.println("backprop: " + Simd.describe() + ", " + Parallel.THREADS + " kernel threads");
    }

    static Map<String, Object> charlmLstm(TextCorpus corpus, int iters, int evalBatches) {
        long w0 = System.nanoTime();
        int batch = 32, block = 64;
        int[] train = corpus.train(), val = corpus.validation();
        Sequential model = CharLanguageModel.build(CharLanguageModel.Kind.LSTM, corpus.vocab().size(), 128, 128, 2, 0f, new Random(0));
        List<Parameter> params = model.parameters();
        Adam opt = new Adam(params, 2e-3);
        CrossEntropyLoss ce = new CrossEntropyLoss();
        TextWindows windows = TextWindows.of(train, block, batch, "the training text");
        Random rng = new Random(0);
        TextWindows.Batch[] batches = new TextWindows.Batch[iters]; // outside the timed region, as the peer's starts
        for (int i = 0; i < iters; i++) batches[i] = windows.random(rng);
        model.train();
        long t0 = System.nanoTime();
        for (int it = 0; it < iters; it++) {
            opt.zeroGrad();
            Tensor loss = ce.apply(CharLanguageModel.forward(model, batches[it].inputs(), CharLanguageModel.State.ZERO).logits(),
                    batches[it].targets());
            loss.backward();
            GradClip.clipGradNorm(params, 5);
            opt.step();
            if ((it + 1) % 250 == 0 || it == 0) {
                System.err.printf("charlm_lstm iter %d: batch loss %.4f, %.1f s%n", it + 1, loss.item(), (System.nanoTime() - t0) / 1e9);
            }
        }
        double trainS = (System.nanoTime() - t0) / 1e9;
        long e0 = System.nanoTime();
        double valLoss = estimate(model, val, batch, block, 1, evalBatches), trainLoss = estimate(model, train, batch, block, 2, evalBatches);
        double evalS = (System.nanoTime() - e0) / 1e9;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", "charlm_lstm");
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

    /** Mean cross-entropy over {@code batches} (the peer: 200) random batches of windows from a generator with a fixed seed, in evaluation mode. */
    static double estimate(Sequential model, int[] ids, int batch, int block, long seed, int batches) {
        TextWindows windows = TextWindows.of(ids, block, batch, "the text");
        Random rng = new Random(seed);
        double total = 0;
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            for (int i = 0; i < batches; i++) {
                TextWindows.Batch b = windows.random(rng);
                total += new CrossEntropyLoss().apply(CharLanguageModel.forward(model, b.inputs(), CharLanguageModel.State.ZERO).logits(),
                        b.targets()).item();
            }
        }
        model.train();
        return total / batches;
    }
}

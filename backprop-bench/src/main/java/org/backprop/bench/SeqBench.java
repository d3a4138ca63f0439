package org.backprop.bench;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Gpt;
import org.backprop.nn.GptSampler;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.GradClip;
import org.backprop.tensor.Tensor;
import org.backprop.text.CharLanguageModel;
import org.backprop.text.TextCorpus;
import org.backprop.text.TextWindows;
import org.backprop.train.GptTraining;

/**
 * The sequence workloads of ../shared/bench/torch_seq.py on Backprop, one JSON line each with the
 * peer's keys, all on the embedded Tiny Shakespeare (sorted distinct characters, first 90% train,
 * last 10% validation, as the peer). {@code charlm_lstm}: char-rnn's default model on Tiny Shakespeare (Embedding
 * 65→128, 2-layer LSTM of 128 with two bias vectors a gate and PyTorch's init, linear head
 * 128→65; 280,897 parameters), windows of 64, batches of 32, every window from a zero state,
 * Adam lr 2e-3, global-norm clip 5. As in the peer, every step's window starts are drawn before
 * the clock starts and the text sits in memory; the losses are means over 200 random batches of
 * 32×64 windows (generators seeded 1 for validation, 2 for training).
 *
 * <p>{@code charlm_gpt}: nanoGPT's CPU recipe (tokens/s of the training loop, validation and
 * training loss over 200 batches); {@code gpt_steps}: full training steps per second at batch
 * 1 × 64 after 50 warm-up steps. Window starts come from java.util.Random, seed 0: the peer's
 * distribution, not its draws.
 *
 * <p>{@code gpt_generate} (no peer workload): tokens/s of {@code generate} with the key/value cache
 * for the recipe's model (untrained weights: the cost of a token does not depend on them),
 * {@code --tokens} tokens after a newline at temperature 0.8, after one warm-up run.
 * {@code --profile N}: where the time of N training steps of {@code charlm_gpt} goes, after 20
 * warm-up steps ({@link StepProfile}); one JSON line, workload {@code gpt_profile}.
 * {@code --profile-batch B} profiles steps at batch B instead (1: gpt_steps' step).
 *
 * <p>Usage: {@code SeqBench [--threads N] [--iters 2000] [--steps 1000] [--eval-batches 200]
 * [--tokens 5000] [--workloads charlm_lstm,charlm_gpt,gpt_steps,gpt_generate] [--profile N] [--profile-batch 12]}
 * ({@code --steps} and {@code --eval-batches} only shorten smoke runs; the peer's figures are 1000
 * and 200). Without {@code --workloads}, the three peer workloads run, or only the profile when
 * {@code --profile} is given.
 */
public final class SeqBench {
    private SeqBench() {}

    private static final List<String> WORKLOADS = List.of("charlm_lstm", "charlm_gpt", "gpt_steps", "gpt_generate");
    private static final List<String> PEER_WORKLOADS = WORKLOADS.subList(0, 3);

    public static void main(String[] args) {
        int threads = 2, iters = 2000, steps = 1000, evalBatches = 200, tokens = 5000, profile = 0, profileBatch = 12;
        List<String> run = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--iters" -> iters = Integer.parseInt(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--eval-batches" -> evalBatches = Integer.parseInt(args[++i]);
                case "--tokens" -> tokens = Integer.parseInt(args[++i]);
                case "--profile" -> profile = Integer.parseInt(args[++i]);
                case "--profile-batch" -> profileBatch = Integer.parseInt(args[++i]);
                case "--workloads" -> {
                    run = List.of(args[++i].split(","));
                    if (!WORKLOADS.containsAll(run)) throw new IllegalArgumentException("--workloads takes some of " + WORKLOADS);
                }
                default -> throw new IllegalArgumentException("usage: SeqBench [--threads N] [--iters 2000] [--steps 1000] [--eval-batches 200] "
                        + "[--tokens 5000] [--workloads " + String.join(",", WORKLOADS) + "] [--profile N] [--profile-batch 12]");
            }
        }
        if (run == null) run = profile > 0 ? List.of() : PEER_WORKLOADS;
        System.setProperty("backprop.threads", Integer.toString(threads)); // before any kernel class loads
        TextCorpus corpus = TextCorpus.shakespeare();
        for (String w : run) {
            int vocab = corpus.vocab().size();
            Map<String, Object> o = switch (w) {
                case "charlm_lstm" -> charlmLstm(corpus, iters, evalBatches);
                case "charlm_gpt" -> charlmGpt(vocab, corpus.train(), corpus.validation(), iters, evalBatches);
                case "gpt_generate" -> gptGenerate(vocab, corpus.vocab().id('\n'), tokens);
                default -> gptSteps(vocab, corpus.train(), steps);
            };
            print(o, threads);
        }
        if (profile > 0) print(gptProfile(corpus.vocab().size(), corpus.train(), profile, profileBatch), threads);
        System.err.println("backprop: " + Simd.describe() + ", " + Parallel.THREADS + " kernel threads");
    }

    private static void print(Map<String, Object> o, int threads) {
        o.put("framework", "backprop-" + FashionBench.version() + "-" + FashionBench.engine());
        o.put("threads", threads);
        o.put("blas_threads", Parallel.THREADS);
        o.put("peak_rss_mb", FashionBench.peakRssMb());
        System.out.println(FashionBench.json(o));
    }

    /** Tokens/s of cached generation for the recipe's model: one warm-up run, then {@code tokens} tokens timed. */
    static Map<String, Object> gptGenerate(int vocab, int newline, int tokens) {
        Gpt model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
        GptSampler sampler = new GptSampler(model);
        int[] prompt = {Math.max(0, newline)};
        sampler.generate(prompt, Math.min(tokens, 1000), 0.8, new Random(1), true);
        long t0 = System.nanoTime();
        int[] out = sampler.generate(prompt, tokens, 0.8, new Random(2), true);
        double s = (System.nanoTime() - t0) / 1e9;
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", "gpt_generate");
        o.put("params", model.parameterCount());
        o.put("context", model.config.context());
        o.put("tokens", out.length);
        o.put("generate_s", s);
        o.put("tokens_per_s", out.length / s);
        return o;
    }

    /** {@link StepProfile} over {@code steps} charlm_gpt training steps (the recipe at {@code batch} × 64), after 20 warm-up steps. */
    static Map<String, Object> gptProfile(int vocab, int[] train, int steps, int batch) {
        Gpt model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
        GptTraining t = new GptTraining(model, GptTraining.Recipe.nanoCpu().withBatch(batch).withIters(20 + steps));
        Random rng = new Random(0);
        int[][] starts = new int[20 + steps][];
        for (int i = 0; i < starts.length; i++) starts[i] = GptTraining.starts(rng, train.length, model.config.context(), t.recipe.batch());
        for (int i = 0; i < 20; i++) t.step(train, starts[i]);
        int[] next = {20};
        Map<String, Object> o = new LinkedHashMap<>();
        o.put("workload", "gpt_profile");
        o.put("batch", t.recipe.batch());
        o.put("block", model.config.context());
        o.putAll(StepProfile.profile(steps, () -> t.step(train, starts[next[0]++])));
        return o;
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
            // clipGradNorm(params, 5) then step(), bit for bit: the norm taken in the backward, the coefficient in Adam's pass
            opt.step(GradClip.clipCoefficient(GradClip.backwardGlobalNorm(loss, params), 5));
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

    static Map<String, Object> charlmGpt(int vocab, int[] train, int[] val, int iters, int evalBatches) {
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

    static Map<String, Object> gptSteps(int vocab, int[] train, int n) {
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

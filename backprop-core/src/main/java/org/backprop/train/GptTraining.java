package org.backprop.train;

import java.util.Random;
import org.backprop.autograd.GradMode;
import org.backprop.data.DataLoader;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Gpt;
import org.backprop.optim.AdamW;
import org.backprop.optim.GradClip;
import org.backprop.optim.WarmupCosineLR;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * nanoGPT's training loop for a {@link Gpt} on a token sequence, by iterations: each iteration
 * takes {@code batch} windows of {@code context} tokens at random starts, predicts every next
 * token (cross-entropy), clips the global gradient norm and takes an AdamW step, with nanoGPT's
 * parameter groups and its warm-up-then-cosine learning rate.
 *
 * <p>The defaults are nanoGPT's CPU recipe for train_shakespeare_char ({@link Recipe#nanoCpu}):
 * batch 12, AdamW lr 1e-3, betas (0.9, 0.99), weight decay 0.1 on matrices and embeddings, 100
 * warm-up iterations, cosine to 1e-4 at 2000 iterations, clip 1.0.
 */
public final class GptTraining {
    /** The optimisation settings. */
    public record Recipe(int batch, int iters, double lr, double minLr, int warmup, double beta1, double beta2,
                         double weightDecay, double clip) {
        public Recipe {
            if (batch < 1 || iters < 1 || warmup < 0) {
                throw new IllegalArgumentException("GPT recipe: batch and iters must be >= 1 and warmup >= 0, got batch=" + batch
                        + ", iters=" + iters + ", warmup=" + warmup);
            }
        }

        public static Recipe nanoCpu() {
            return new Recipe(12, 2000, 1e-3, 1e-4, 100, 0.9, 0.99, 0.1, 1.0);
        }

        public Recipe withIters(int iters) {
            return new Recipe(batch, iters, lr, minLr, warmup, beta1, beta2, weightDecay, clip);
        }

        public Recipe withBatch(int batch) {
            return new Recipe(batch, iters, lr, minLr, warmup, beta1, beta2, weightDecay, clip);
        }

        public Recipe withLr(double lr) {
            return new Recipe(batch, iters, lr, minLr, warmup, beta1, beta2, weightDecay, clip);
        }
    }

    public final Gpt model;
    public final Recipe recipe;
    public final AdamW optimizer;
    public final WarmupCosineLR schedule;
    private final CrossEntropyLoss loss = new CrossEntropyLoss();
    private final StepArena arena = new StepArena();
    private final int context;
    private final float[] ys;

    public GptTraining(Gpt model, Recipe recipe) {
        this.model = model;
        this.recipe = recipe;
        this.context = model.config.context();
        this.optimizer = AdamW.decayingMatricesOnly(model.parameters(),
                AdamW.defaults().lr(recipe.lr()).betas(recipe.beta1(), recipe.beta2()).weightDecay(recipe.weightDecay()));
        this.schedule = new WarmupCosineLR(optimizer, recipe.lr(), recipe.minLr(), recipe.warmup(), recipe.iters());
        this.ys = new float[recipe.batch() * context];
    }

    /**
     * One iteration on the windows starting at {@code starts} (batch of them) of {@code tokens}:
     * forward, loss, backward, clip, AdamW step, then the schedule moves to the next iteration.
     *
     * @return the batch's mean loss
     */
    public float step(int[] tokens, int[] starts) {
        int[] x = windows(tokens, starts, 0);
        Tensor target = targets(tokens, starts);
        model.train();
        // Zero without a pass: each backward product overwrites its weight's gradient whole (or fills it first), as the fused step does
        for (org.backprop.nn.Parameter p : optimizer.parameters()) p.value().markGradZero();
        float value;
        double norm;
        // The step's activations and their gradients reuse the last step's buffers (no tensor of it outlives the scope).
        try (var ignored = arena.open()) {
            Tensor l = loss.apply(model.logits(x, starts.length, context), target);
            // The norm's sums taken in the backward pass, while each gradient is in cache
            norm = GradClip.backwardGlobalNorm(l, optimizer.parameters());
            value = l.item();
        }
        if (!Double.isFinite(norm)) {
            throw new TrainingDivergedException("GPT training: the gradient norm is " + norm + " at iteration "
                    + (schedule.iteration() + 1) + " (loss " + value + ")", 0, schedule.iteration() + 1, value, null);
        }
        // clipGradNorm then step(), bit for bit, with the clipping coefficient applied as AdamW reads each gradient
        optimizer.step(GradClip.clipCoefficient(norm, recipe.clip()));
        schedule.step(0);
        return value;
    }

    /**
     * The window starts of iteration {@code it} of a run seeded with {@code seed}: a generator of
     * their own per iteration, so a resumed run draws exactly the windows the uninterrupted one would.
     * The per-iteration seed goes through a mixing function first: java.util.Random seeded with
     * consecutive numbers gives first draws that step by a near-constant amount (a lattice, not
     * independent windows), which left the training windows overlapping more than random ones.
     */
    public int[] startsAt(long seed, int it, int length) {
        return starts(new Random(DataLoader.mix64(seed * 0x9E3779B97F4A7C15L + it)), length, context, recipe.batch());
    }

    /** Iterations done so far. */
    public int iteration() {
        return schedule.iteration();
    }

    /** The metadata key marking a GPT training checkpoint. */
    public static final String CHECKPOINT_KEY = "backprop.gpt_checkpoint";

    /**
     * Saves the model, the optimizer state and the iteration atomically, so {@link #resume} continues
     * exactly; {@code extra} metadata (e.g. the vocabulary) is stored beside them.
     */
    public void saveCheckpoint(java.nio.file.Path file, long seed, java.util.Map<String, String> extra) throws java.io.IOException {
        java.util.Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
        model.stateDict().forEach((k, v) -> tensors.put("model." + k, v));
        optimizer.stateDict().forEach((k, v) -> tensors.put("optimizer." + k, v));
        java.util.Map<String, String> meta = new java.util.LinkedHashMap<>(extra);
        meta.put(CHECKPOINT_KEY, "{\"iteration\": " + iteration() + ", \"seed\": " + seed + ", \"iters\": " + recipe.iters() + "}");
        org.backprop.io.SafeTensors.write(file, tensors, meta);
    }

    /**
     * Restores a checkpoint written by {@link #saveCheckpoint} of the same model and recipe.
     *
     * @return the run's seed
     */
    public long resume(java.nio.file.Path file) throws java.io.IOException {
        org.backprop.io.SafeTensors.Contents c = org.backprop.io.SafeTensors.read(file);
        String json = c.metadata().get(CHECKPOINT_KEY);
        if (json == null) throw new IllegalArgumentException(file + " is not a GPT training checkpoint (written by --checkpoint-every)");
        com.google.gson.JsonObject doc = com.google.gson.JsonParser.parseString(json).getAsJsonObject();
        java.util.Map<String, Tensor> m = new java.util.LinkedHashMap<>(), o = new java.util.LinkedHashMap<>();
        c.tensors().forEach((k, v) -> {
            if (k.startsWith("model.")) m.put(k.substring(6), v);
            else if (k.startsWith("optimizer.")) o.put(k.substring(10), v);
            else throw new IllegalArgumentException(file + ": unexpected tensor '" + k + "' in a checkpoint");
        });
        try {
            model.loadStateDict(m);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(file + ": the checkpoint's model differs from this one (" + e.getMessage() + ")");
        }
        optimizer.loadStateDict(o);
        schedule.seek(doc.get("iteration").getAsInt());
        return doc.get("seed").getAsLong();
    }

    /** {@code batch} window starts drawn uniformly from [0, length − context − 1]. */
    public static int[] starts(Random rng, int length, int context, int batch) {
        if (length <= context) {
            throw new IllegalArgumentException("the text has " + length + " tokens: it needs more than the context of " + context);
        }
        int[] s = new int[batch];
        for (int i = 0; i < batch; i++) s[i] = rng.nextInt(length - context);
        return s;
    }

    /** Mean cross-entropy over {@code n} batches of random windows drawn with {@code seed}, in evaluation mode. */
    public double estimateLoss(int[] tokens, int n, long seed) {
        Random rng = new Random(seed);
        double sum = 0;
        model.eval();
        try (var noGrad = GradMode.noGrad()) {
            for (int i = 0; i < n; i++) {
                int[] s = starts(rng, tokens.length, context, recipe.batch());
                sum += loss.apply(model.logits(windows(tokens, s, 0), s.length, context), targets(tokens, s)).item();
            }
        } finally {
            model.train();
        }
        return sum / n;
    }

    /**
     * Mean cross-entropy over every token of {@code ids} after the first, in consecutive windows
     * of the model's context (the last one shorter), {@code batch} windows at a time, in
     * evaluation mode without gradients: {@code evaluate}'s validation loss of a GPT.
     */
    public static double meanLoss(Gpt model, int[] ids, int batch) {
        int context = model.config.context(), full = (ids.length - 1) / context, rest = ids.length - 1 - full * context;
        boolean training = model.isTraining();
        double total = 0;
        model.eval();
        try (var noGrad = GradMode.noGrad()) {
            for (int w0 = 0; w0 < full; w0 += batch) total += windowLoss(model, ids, w0 * context, Math.min(batch, full - w0), context);
            if (rest > 0) total += windowLoss(model, ids, full * context, 1, rest); // the last, shorter window
        } finally {
            model.train(training);
        }
        return total / (ids.length - 1);
    }

    /** The summed cross-entropy of {@code n} consecutive windows of {@code time} tokens from {@code start}. */
    private static double windowLoss(Gpt model, int[] ids, int start, int n, int time) {
        int[] x = new int[n * time];
        float[] y = new float[n * time];
        for (int b = 0; b < n; b++) {
            System.arraycopy(ids, start + b * time, x, b * time, time);
            for (int t = 0; t < time; t++) y[b * time + t] = ids[start + b * time + t + 1];
        }
        return new CrossEntropyLoss().apply(model.logits(x, n, time), Tensor.wrap(y, n * time)).item() * n * time;
    }

    private int[] windows(int[] tokens, int[] starts, int shift) {
        int[] x = new int[starts.length * context];
        for (int b = 0; b < starts.length; b++) System.arraycopy(tokens, starts[b] + shift, x, b * context, context);
        return x;
    }

    private Tensor targets(int[] tokens, int[] starts) {
        float[] y = starts.length == recipe.batch() ? ys : new float[starts.length * context];
        for (int b = 0; b < starts.length; b++) {
            for (int t = 0; t < context; t++) y[b * context + t] = tokens[starts[b] + t + 1];
        }
        return Tensor.wrap(y, starts.length * context);
    }
}

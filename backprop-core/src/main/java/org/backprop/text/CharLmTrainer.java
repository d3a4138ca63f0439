package org.backprop.text;

import java.util.List;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.GradClip;
import org.backprop.tensor.Tensor;

/**
 * The training loop of a {@link CharLanguageModel}, by iterations: each step takes a batch of
 * windows (random starts from a generator seeded with {@code seed}, every window from a zero
 * state; or, with {@code carryState}, consecutive windows whose recurrent state is carried from
 * batch to batch, detached, which is truncated backpropagation through time), computes the mean
 * cross-entropy, backpropagates, clips the global gradient norm and takes an Adam step. Every
 * {@code evalEvery} steps and after the last, the validation text's loss is measured. With a
 * time budget ({@code maxTrainSeconds} above 0) the loop also ends after the first step that
 * brings the time spent training (evaluations not counted) to the budget.
 */
public final class CharLmTrainer {
    private CharLmTrainer() {}

    /** char-rnn's defaults as the recipe of {@code --model lstm}: sequences of 64, batches of 32, Adam 2e-3, clip 5. */
    public record Config(int iters, int steps, int batch, double lr, double clip, long seed, boolean carryState, int evalEvery,
                         double maxTrainSeconds) {
        public static final int STEPS = 64;
        public static final int BATCH = 32;
        public static final double LR = 2e-3;
        public static final double CLIP = 5;

        public Config {
            if (iters < 1) throw new IllegalArgumentException("--iters must be positive, got " + iters);
            if (evalEvery < 1) throw new IllegalArgumentException("--eval-every must be positive, got " + evalEvery);
            if (!(maxTrainSeconds >= 0) || Double.isInfinite(maxTrainSeconds)) {
                throw new IllegalArgumentException("the time budget must be a positive number of seconds, got " + maxTrainSeconds);
            }
        }

        /** No time budget: exactly {@code iters} steps. */
        public Config(int iters, int steps, int batch, double lr, double clip, long seed, boolean carryState, int evalEvery) {
            this(iters, steps, batch, lr, clip, seed, carryState, evalEvery, 0);
        }
    }

    /** What the loop reports as it goes. */
    public interface Listener {
        /**
         * After the backward pass of step {@code iter} (from 1), before clipping and the optimizer's
         * step: the gradients are as backpropagation produced them (for a gradient monitor, which
         * must not change them: the clipping norm is taken during the backward pass).
         */
        default void beforeStep(int iter, List<Parameter> parameters) { }

        /** After each step: the step number (from 1), the batch's loss, tokens per second of training so far (evaluations not counted). */
        default void step(int iter, double loss, double tokensPerSecond) { }

        /** After an evaluation: the mean batch loss since the previous one and the validation loss. */
        default void evaluated(int iter, double trainLoss, double valLoss) { }
    }

    /** Trains {@code model} in place and returns the final validation loss (nats per character). */
    public static double train(Sequential model, int[] train, int[] val, Config c, Listener listener) {
        TextWindows windows = TextWindows.of(train, c.steps(), c.batch(), "the training text");
        if (val.length < 2) throw new IllegalArgumentException("the validation text has " + val.length + " characters; it needs at least 2");
        List<Parameter> params = model.parameters();
        Adam opt = new Adam(params, c.lr());
        CrossEntropyLoss lossFn = new CrossEntropyLoss();
        Random rng = new Random(c.seed());
        CharLanguageModel.State state = CharLanguageModel.State.ZERO;
        double sinceEval = 0, valLoss = Double.NaN;
        int counted = 0;
        long t0 = System.nanoTime(), evalNanos = 0;
        long budgetNanos = c.maxTrainSeconds() > 0 ? (long) (c.maxTrainSeconds() * 1e9) : Long.MAX_VALUE;
        model.train();
        for (int it = 1; it <= c.iters(); it++) {
            TextWindows.Batch b;
            if (c.carryState()) {
                if (windows.startsPass(it - 1)) state = CharLanguageModel.State.ZERO;
                b = windows.consecutive(it - 1);
            } else {
                b = windows.random(rng);
            }
            opt.zeroGrad();
            CharLanguageModel.Output o = CharLanguageModel.forward(model, b.inputs(), state);
            Tensor loss = lossFn.apply(o.logits(), b.targets());
            // With clipping, the norm's sums are taken in the backward pass and the coefficient is
            // applied as the rule reads each gradient: clipGradNorm-then-step's bits, two passes fewer.
            double norm = c.clip() > 0 ? GradClip.backwardGlobalNorm(loss, params) : 0;
            if (c.clip() <= 0) loss.backward();
            listener.beforeStep(it, params);
            opt.step(c.clip() > 0 ? GradClip.clipCoefficient(norm, c.clip()) : 1f);
            if (c.carryState()) state = o.state().detach();
            double l = loss.item();
            if (!Double.isFinite(l)) {
                throw new IllegalStateException("the loss became " + l + " at iteration " + it + "; lower the learning rate");
            }
            sinceEval += l;
            counted++;
            long trained = System.nanoTime() - t0 - evalNanos;
            listener.step(it, l, (double) it * c.batch() * c.steps() / (trained / 1e9));
            boolean last = it == c.iters() || trained >= budgetNanos;
            if (it % c.evalEvery() == 0 || last) {
                long e0 = System.nanoTime();
                valLoss = CharLanguageModel.evaluate(model, val, c.steps(), c.batch());
                listener.evaluated(it, sinceEval / counted, valLoss);
                evalNanos += System.nanoTime() - e0;
                sinceEval = 0;
                counted = 0;
            }
            if (last) break;
        }
        model.eval();
        return valLoss;
    }
}

package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.util.List;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Gpt;
import org.backprop.nn.Parameter;
import org.backprop.optim.AdamW;
import org.backprop.optim.GradClip;
import org.backprop.optim.WarmupCosineLR;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;
import org.backprop.train.GptTraining;

/**
 * {@code GptStepCpuTime --ab-clip}: GptTraining's batch-1 step written out twice, clipping as
 * separate passes (the norm, then the scaling) or taken in the backward and folded into AdamW,
 * run in alternating blocks in one process so both see the same host; thread CPU per step.
 */
final class ClipAb {
    private ClipAb() {}

    static void run(int vocab, int[] train, int rounds, int warmRounds, int steps) {
        int total = (warmRounds + rounds) * steps;
        Loop passes = new Loop(vocab, train, total, false), folded = new Loop(vocab, train, total, true);
        double[] a = new double[rounds], b = new double[rounds];
        for (int r = -warmRounds; r < rounds; r++) {
            double ta = passes.run(steps), tb = folded.run(steps);
            if (passes.lastLoss != folded.lastLoss) throw new IllegalStateException("the two loops' losses differ at round " + r);
            if (r < 0) continue;
            a[r] = ta;
            b[r] = tb;
            System.out.printf("round %d: clip passes %.3f ms/step, folded %.3f ms/step (thread CPU)%n", r, ta, tb);
        }
        System.out.printf("median: clip passes %.3f ms/step, folded %.3f ms/step; loss %.4f (same bits)%n",
                GptStepCpuTime.median(a), GptStepCpuTime.median(b), folded.lastLoss);
    }

    /** GptTraining.step at batch 1, with the clipping done one way or the other. */
    private static final class Loop {
        private final Gpt model;
        private final AdamW opt;
        private final WarmupCosineLR schedule;
        private final List<Parameter> params;
        private final CrossEntropyLoss ce = new CrossEntropyLoss();
        private final StepArena arena = new StepArena();
        private final int[] train;
        private final int[][] starts;
        private final boolean fold;
        private final double clip;
        private int next;
        float lastLoss;

        Loop(int vocab, int[] train, int steps, boolean fold) {
            this.model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
            GptTraining.Recipe r = GptTraining.Recipe.nanoCpu().withBatch(1).withIters(steps);
            this.opt = AdamW.decayingMatricesOnly(model.parameters(),
                    AdamW.defaults().lr(r.lr()).betas(r.beta1(), r.beta2()).weightDecay(r.weightDecay()));
            this.schedule = new WarmupCosineLR(opt, r.lr(), r.minLr(), r.warmup(), r.iters());
            this.params = opt.parameters();
            this.train = train;
            this.fold = fold;
            this.clip = r.clip();
            Random rng = new Random(0);
            this.starts = new int[steps][];
            for (int i = 0; i < steps; i++) starts[i] = GptTraining.starts(rng, train.length, 64, 1);
        }

        /** Thread CPU ms per step over n steps. */
        double run(int n) {
            var threads = ManagementFactory.getThreadMXBean();
            long t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) lastLoss = step(starts[next++][0]);
            return (threads.getCurrentThreadCpuTime() - t0) / 1e6 / n;
        }

        private float step(int start) {
            int[] x = new int[64];
            float[] y = new float[64];
            for (int t = 0; t < 64; t++) {
                x[t] = train[start + t];
                y[t] = train[start + t + 1];
            }
            model.train();
            for (Parameter p : params) p.value().markGradZero();
            float value;
            double norm;
            try (var ignored = arena.open()) {
                Tensor l = ce.apply(model.logits(x, 1, 64), Tensor.wrap(y, 64));
                if (fold) {
                    norm = GradClip.backwardGlobalNorm(l, params);
                } else {
                    l.backward();
                    norm = GradClip.clipGradNorm(params, clip);
                }
                value = l.item();
            }
            if (fold) opt.step(GradClip.clipCoefficient(norm, clip));
            else opt.step();
            schedule.step(0);
            return value;
        }
    }
}

package org.backprop.bench;

import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.Random;
import org.backprop.nn.Gpt;
import org.backprop.text.TextCorpus;
import org.backprop.optim.GradClip;
import org.backprop.train.GptTraining;

/**
 * CPU time per GPT training step (the charlm_gpt recipe at batch 12 and gpt_steps' batch 1),
 * for A/B comparisons on a shared machine: the two batch sizes alternate in rounds, so drift in
 * the host hits both alike, and each round reports process CPU time (all threads, JIT and GC
 * included) and the stepping thread's CPU time per step. The medians over rounds are the figures
 * to compare. Run with {@code -Dbackprop.split=serial} to keep the split choice out of it.
 * {@code GptStepCpuTime [--rounds 7] [--steps12 40] [--steps1 300] [--warm 2] [--ab-clip] [--ab-flag CLASS.FIELD [--ab-batch 1]]}
 *
 * <p>{@code --ab-flag org.backprop.kernel.GemmVector.directB}: in one process, steps at
 * {@code --ab-batch} with a library's static boolean switch off and on, in alternating blocks
 * (each setting its own trainer, same seed), checking that both give the same loss bits.
 *
 * <p>{@code --ab-clip}: in one process, batch-1 steps with clipping as separate passes
 * ({@code backward; GradClip.clipGradNorm; step()}) against the norm taken in the backward and the
 * coefficient folded into AdamW ({@link GradClip#backwardGlobalNorm}, {@code step(float)}), in
 * alternating blocks of {@code --steps1} steps, checking that both give the same loss bits.
 */
final class GptStepCpuTime {
    private GptStepCpuTime() {}

    public static void main(String[] args) {
        int rounds = 7, steps12 = 40, steps1 = 300, warmRounds = 2;
        boolean abClip = false;
        String abFlag = null;
        int abBatch = 1;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--rounds" -> rounds = Integer.parseInt(args[++i]);
                case "--steps12" -> steps12 = Integer.parseInt(args[++i]);
                case "--steps1" -> steps1 = Integer.parseInt(args[++i]);
                case "--warm" -> warmRounds = Integer.parseInt(args[++i]);
                case "--ab-clip" -> abClip = true;
                case "--ab-flag" -> abFlag = args[++i];
                case "--ab-batch" -> abBatch = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("usage: GptStepCpuTime [--rounds 7] [--steps12 40] [--steps1 300] [--warm 2] [--ab-clip] "
                        + "[--ab-flag CLASS.FIELD [--ab-batch 1]]");
            }
        }
        TextCorpus corpus = TextCorpus.shakespeare();
        int[] train = corpus.train();
        int vocab = corpus.vocab().size();
        if (abClip) {
            ClipAb.run(vocab, train, rounds, warmRounds, steps1);
            return;
        }
        if (abFlag != null) {
            flagAb(abFlag, abBatch, vocab, train, rounds, warmRounds, abBatch == 1 ? steps1 : steps12);
            return;
        }
        int total = (warmRounds + rounds) * Math.max(steps12, steps1) + 1;
        Runner big = new Runner(vocab, train, 12, total), small = new Runner(vocab, train, 1, total);
        double[][] b12 = new double[2][rounds], b1 = new double[2][rounds];
        for (int r = -warmRounds; r < rounds; r++) {
            double[] a = big.run(steps12), b = small.run(steps1);
            if (r < 0) continue;
            b12[0][r] = a[0]; b12[1][r] = a[1]; b1[0][r] = b[0]; b1[1][r] = b[1];
            System.out.printf("round %d: batch 12 %.3f ms/step (thread %.3f), batch 1 %.3f ms/step (thread %.3f)%n", r, a[0], a[1], b[0], b[1]);
        }
        System.out.printf("median: batch 12 process %.3f ms/step, thread %.3f; batch 1 process %.3f ms/step, thread %.3f; loss %.4f / %.4f%n",
                median(b12[0]), median(b12[1]), median(b1[0]), median(b1[1]), big.lastLoss, small.lastLoss);
    }

    /** Alternating blocks of {@code steps} steps with the static boolean {@code flag} off, then on; thread CPU medians. */
    private static void flagAb(String flag, int batch, int vocab, int[] train, int rounds, int warmRounds, int steps) {
        java.lang.reflect.Field f;
        try {
            int dot = flag.lastIndexOf('.');
            f = Class.forName(flag.substring(0, dot)).getDeclaredField(flag.substring(dot + 1));
            f.setAccessible(true);
        } catch (ReflectiveOperationException e) {
            throw new IllegalArgumentException("--ab-flag: no static boolean field " + flag, e);
        }
        int total = (warmRounds + rounds) * steps + 1;
        Runner off = new Runner(vocab, train, batch, total), on = new Runner(vocab, train, batch, total);
        double[][] t = new double[2][rounds];
        try {
            for (int r = -warmRounds; r < rounds; r++) {
                f.setBoolean(null, false);
                double a = off.run(steps)[1];
                f.setBoolean(null, true);
                double b = on.run(steps)[1];
                if (Float.floatToRawIntBits(off.lastLoss) != Float.floatToRawIntBits(on.lastLoss)) {
                    throw new IllegalStateException("the two settings' losses differ at round " + r + ": " + off.lastLoss + ", " + on.lastLoss);
                }
                if (r < 0) continue;
                t[0][r] = a;
                t[1][r] = b;
                System.out.printf("round %d: batch %d, %s off %.3f ms/step, on %.3f ms/step (thread CPU)%n", r, batch, flag, a, b);
            }
        } catch (IllegalAccessException e) {
            throw new IllegalArgumentException("--ab-flag: " + flag + " cannot be set (final?)", e);
        }
        System.out.printf("median: batch %d, %s off %.3f ms/step, on %.3f ms/step; loss %.4f (same bits)%n", batch, flag,
                median(t[0]), median(t[1]), on.lastLoss);
    }

    static double median(double[] v) {
        double[] s = v.clone();
        Arrays.sort(s);
        return s[s.length / 2];
    }

    private static final class Runner {
        private final GptTraining t;
        private final int[] train;
        private final int[][] starts;
        private int next;
        float lastLoss;

        Runner(int vocab, int[] train, int batch, int steps) {
            Gpt model = new Gpt(Gpt.Config.nanoCpu(vocab), new Random(0));
            this.t = new GptTraining(model, GptTraining.Recipe.nanoCpu().withBatch(batch).withIters(steps));
            this.train = train;
            Random rng = new Random(0);
            this.starts = new int[steps][];
            for (int i = 0; i < steps; i++) starts[i] = GptTraining.starts(rng, train.length, 64, batch);
        }

        /** {process, thread} CPU ms per step over n steps. */
        double[] run(int n) {
            var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
            var threads = ManagementFactory.getThreadMXBean();
            long p0 = os.getProcessCpuTime(), t0 = threads.getCurrentThreadCpuTime();
            for (int i = 0; i < n; i++) lastLoss = t.step(train, starts[next++]);
            long p1 = os.getProcessCpuTime(), t1 = threads.getCurrentThreadCpuTime();
            return new double[] {(p1 - p0) / 1e6 / n, (t1 - t0) / 1e6 / n};
        }
    }
}

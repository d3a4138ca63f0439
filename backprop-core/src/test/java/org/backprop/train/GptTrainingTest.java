package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.Random;
import org.backprop.nn.Gpt;
import org.backprop.text.TextCorpus;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GptTrainingTest {
    @TempDir
    Path tmp;

    private static final TextCorpus TEXT = TextCorpus.of("test", "the cat sat on the mat; the dog sat on the log. ".repeat(20));
    private static final int[] TOKENS = TEXT.ids();

    private static GptTraining training() {
        Gpt g = new Gpt(new Gpt.Config(TEXT.vocab().size(), 8, 1, 2, 16, 0f), new Random(1));
        return new GptTraining(g, GptTraining.Recipe.nanoCpu().withBatch(4).withIters(30).withLr(1e-2));
    }

    @Test
    void theLossFallsAndAResumedRunEndsWithTheSameWeights() throws IOException {
        GptTraining a = training();
        double before = a.estimateLoss(TOKENS, 4, 1);
        for (int it = 0; it < 30; it++) {
            a.step(TOKENS, a.startsAt(5, it, TOKENS.length));
            if (it == 14) a.saveCheckpoint(tmp.resolve("c.safetensors"), 5, Map.of());
        }
        double after = a.estimateLoss(TOKENS, 4, 1);
        assertTrue(after < before - 0.3, before + " -> " + after);

        GptTraining b = training();
        assertEquals(5, b.resume(tmp.resolve("c.safetensors")));
        assertEquals(15, b.iteration());
        assertEquals(a.schedule.lrAt(15), b.optimizer.lr());
        for (int it = 15; it < 30; it++) b.step(TOKENS, b.startsAt(5, it, TOKENS.length));
        for (var e : a.model.stateDict().entrySet()) {
            assertArrayEquals(e.getValue().toFloatArray(), b.model.stateDict().get(e.getKey()).toFloatArray(), e.getKey());
        }
    }

    @Test
    void stepsOnTheArenaGiveTheBitsOfAPlainLoop() {
        // GptTraining.step reuses the last step's activation buffers; a buffer handed out again
        // while still in use would change the losses or the weights of the plain loop below.
        GptTraining a = training(), b = training();
        for (int it = 0; it < 6; it++) {
            int[] starts = a.startsAt(3, it, TOKENS.length);
            float la = a.step(TOKENS, starts);
            int[] x = new int[4 * 8];
            float[] y = new float[4 * 8];
            for (int r = 0; r < 4; r++) {
                for (int t = 0; t < 8; t++) {
                    x[r * 8 + t] = TOKENS[starts[r] + t];
                    y[r * 8 + t] = TOKENS[starts[r] + t + 1];
                }
            }
            b.optimizer.zeroGrad();
            org.backprop.tensor.Tensor l = new org.backprop.loss.CrossEntropyLoss().apply(b.model.logits(x, 4, 8),
                    org.backprop.tensor.Tensor.wrap(y, 4 * 8));
            l.backward();
            org.backprop.optim.GradClip.clipGradNorm(b.optimizer.parameters(), b.recipe.clip());
            b.optimizer.step();
            b.schedule.step(0);
            assertEquals(Float.floatToIntBits(l.item()), Float.floatToIntBits(la), "loss at iteration " + it);
        }
        for (var e : a.model.stateDict().entrySet()) {
            assertArrayEquals(b.model.stateDict().get(e.getKey()).toFloatArray(), e.getValue().toFloatArray(), e.getKey());
        }
    }

    @Test
    void theWindowsOfConsecutiveIterationsAreUnrelated() {
        // Random seeded with consecutive numbers made each window's start step by one of ~11 fixed
        // amounts from one iteration to the next; independent draws give ~200 distinct steps.
        GptTraining t = training();
        int length = 1_000_000, iters = 201, batch = t.recipe.batch();
        int[][] s = new int[iters][];
        for (int it = 0; it < iters; it++) s[it] = t.startsAt(42, it, length);
        for (int b = 0; b < batch; b++) {
            java.util.Set<Integer> steps = new java.util.HashSet<>();
            for (int it = 1; it < iters; it++) steps.add(Math.floorMod(s[it][b] - s[it - 1][b], length));
            assertTrue(steps.size() > 190, "window " + b + ": " + steps.size() + " distinct steps in 200 iterations");
        }
    }

    @Test
    void meanLossScoresEveryTokenOnceWhateverTheBatch() {
        GptTraining t = training();
        int[] ids = java.util.Arrays.copyOf(TOKENS, 8 * 5 + 4); // five full windows of the context 8 and a last one of 3
        double one = GptTraining.meanLoss(t.model, ids, 1), all = GptTraining.meanLoss(t.model, ids, 32);
        assertEquals(one, all, 1e-5);
        // by hand: the summed loss of the six windows over the 43 scored tokens
        double sum = 0;
        org.backprop.loss.CrossEntropyLoss ce = new org.backprop.loss.CrossEntropyLoss();
        try (var ignored = org.backprop.autograd.GradMode.noGrad()) {
            for (int w = 0; w < 6; w++) {
                int time = w < 5 ? 8 : 3;
                int[] x = java.util.Arrays.copyOfRange(ids, w * 8, w * 8 + time);
                float[] y = new float[time];
                for (int k = 0; k < time; k++) y[k] = ids[w * 8 + k + 1];
                sum += ce.apply(t.model.logits(x, 1, time), org.backprop.tensor.Tensor.wrap(y, time)).item() * time;
            }
        }
        assertEquals(sum / 43, one, 1e-5);
    }
}

package org.backprop.inference;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.backprop.io.Preprocessing;
import org.backprop.nn.Activation;
import org.backprop.nn.Linear;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * One {@link InferenceModel} shared by 16 threads gives bit-for-bit the predictions one thread
 * gives, while the threads run at the same time.
 */
class InferenceModelConcurrencyTest {
    private static final int THREADS = 16;

    @Test
    void sixteenThreadsTimesTenThousandPredictionsAreBitIdenticalToOneThread() throws Exception {
        Random rng = new Random(5);
        Sequential mlp = new Sequential(new Linear(13, 64, rng), new Activation.ReLU(), new Linear(64, 32, rng),
                new Activation.Tanh(), new Linear(32, 3, rng));
        Preprocessing p = new Preprocessing(Preprocessing.Task.REGRESSION, null, null, floats(13, 0.5f),
                floats(13, 2f), new float[] {10f, -1f, 3f}, new float[] {4f, 0.5f, 2f});
        InferenceModel model = InferenceModel.of(mlp, List.of(), p);
        float[][] samples = new float[10_000][13];
        for (float[] s : samples) for (int j = 0; j < s.length; j++) s[j] = (float) rng.nextGaussian() * 3;
        checkConcurrent(model, samples);
    }

    @Test
    void aConvolutionalModelToo() throws Exception {
        Sequential cnn = Models.lenet5(new Random(6));
        InferenceModel model = InferenceModel.of(cnn, List.of(1, 28, 28), Preprocessing.none());
        Random rng = new Random(7);
        float[][] samples = new float[40][784];
        for (float[] s : samples) for (int j = 0; j < s.length; j++) s[j] = rng.nextFloat();
        checkConcurrent(model, samples);
    }

    @Test
    void theModelIsASnapshotAndChecksSampleSizes() {
        Random rng = new Random(8);
        Sequential mlp = new Sequential(new Linear(2, 2, rng));
        InferenceModel model = InferenceModel.of(mlp, List.of(), Preprocessing.none());
        float[] before = model.predict(new float[] {1, 2});
        mlp.parameters().getFirst().data()[0] += 1f; // training the original later
        assertArrayEquals(before, model.predict(new float[] {1, 2}));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.predict(new float[3]));
        assertEquals("InferenceModel.predict: a sample has 2 features, got 3", e.getMessage());
    }

    /** One thread predicts every sample; then 16 threads each predict every sample, in their own order. */
    private static void checkConcurrent(InferenceModel model, float[][] samples) throws Exception {
        int n = samples.length;
        float[][] reference = new float[n][];
        // cold: the first predictions run before the JIT compiles the kernels, and must agree too
        for (int i = 0; i < n; i++) reference[i] = model.predict(samples[i]);
        // the batched path agrees with one-at-a-time predictions too
        float[] flat = new float[n * samples[0].length];
        for (int i = 0; i < n; i++) System.arraycopy(samples[i], 0, flat, i * samples[0].length, samples[0].length);
        assertEquals(n * reference[0].length, model.predict(Tensor.wrap(flat, n, samples[0].length)).numel());

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int start = t * n / THREADS; // each thread starts elsewhere, so different samples run at once
                results.add(pool.submit(() -> {
                    int mismatches = 0;
                    for (int k = 0; k < n; k++) {
                        int i = (start + k) % n;
                        float[] got = model.predict(samples[i]);
                        if (!bitEqual(got, reference[i])) mismatches++;
                    }
                    return mismatches;
                }));
            }
            for (Future<Integer> f : results) assertEquals(0, f.get(), "predictions that differ from one thread's");
        } finally {
            pool.shutdownNow();
        }
    }

    private static boolean bitEqual(float[] a, float[] b) {
        if (a.length != b.length) return false;
        for (int i = 0; i < a.length; i++) if (Float.floatToRawIntBits(a[i]) != Float.floatToRawIntBits(b[i])) return false;
        return true;
    }

    private static float[] floats(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }
}

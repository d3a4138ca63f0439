package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.backprop.kernel.Simd;
import org.backprop.kernel.SimdVector;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Models;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.backprop.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.backprop.data.Dataset;
import org.backprop.nn.Activation;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;

/**
 * Same seed, same bits, whenever the JIT compiles the kernels (issue 17, point 12): a LeNet
 * trained a few steps while its kernels are still interpreted or in C1, and again after they
 * have been compiled by C2, ends with identical weights; and a CNN run resumed from a checkpoint
 * ends with the weights of the uninterrupted run.
 */
class KernelDeterminismTest {

    /** LeNet-5, Adam, a few steps on seeded random images; the final weights as raw bits. */
    private static int[] train(int steps) {
        Random rng = new Random(11);
        Sequential model = Models.lenet5(rng);
        Optimizer opt = new Adam(model.parameters(), 1e-3);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        Random data = new Random(3);
        float[] x = new float[8 * 28 * 28];
        float[] y = new float[8];
        for (int s = 0; s < steps; s++) {
            for (int i = 0; i < x.length; i++) x[i] = data.nextFloat();
            for (int i = 0; i < y.length; i++) y[i] = data.nextInt(10);
            opt.zeroGrad();
            loss.apply(model.forward(Tensor.of(x, 8, 1, 28, 28)), Tensor.of(y, 8)).backward();
            opt.step();
        }
        int total = model.parameters().stream().mapToInt(p -> p.numel()).sum();
        int[] bits = new int[total];
        int at = 0;
        for (var p : model.parameters()) {
            for (float v : p.value().toFloatArray()) bits[at++] = Float.floatToRawIntBits(v);
        }
        return bits;
    }

    @Test
    void lenetGivesTheSameBitsBeforeAndAfterWarmUp() {
        int[] cold = train(3);
        for (int i = 0; i < 8; i++) train(3); // compiles the kernels with C2
        int[] warm = train(3);
        assertArrayEquals(cold, warm, "weights after the same 3 steps differ between a cold and a warm JVM");
    }

    /** A small CNN on seeded random 12×12 images; run {@code epochs}, with a checkpoint or from one. */
    private static Sequential cnnRun(int epochs, java.nio.file.Path checkpoint, boolean resume) throws java.io.IOException {
        Random rng = new Random(resume ? 99 : 21); // a resumed run's own initial weights must not matter
        Sequential model = new Sequential(new Conv2d(1, 4, 3, rng), new Activation.ReLU(), new MaxPool2d(2),
                new Flatten(), new Linear(4 * 5 * 5, 3, rng));
        Random data = new Random(4);
        float[] x = new float[96 * 144], y = new float[96];
        for (int i = 0; i < x.length; i++) x[i] = data.nextFloat();
        for (int i = 0; i < y.length; i++) y[i] = data.nextInt(3);
        Trainer trainer = new Trainer(model, new CrossEntropyLoss(), new Adam(model.parameters(), 1e-2));
        if (resume) trainer.resume(Checkpoint.load(checkpoint));
        else if (checkpoint != null) trainer.checkpoint(checkpoint, 1);
        trainer.fit(new Dataset(Tensor.of(x, 96, 1, 12, 12), Tensor.of(y, 96)),
                FitConfig.of(Task.CLASSIFICATION).withEpochs(epochs).withBatchSize(16).withSeed(3));
        return model;
    }

    @Test
    void aResumedCnnRunGivesTheBitsOfAnUninterruptedOne(@TempDir java.nio.file.Path dir) throws java.io.IOException {
        java.nio.file.Path file = dir.resolve("cnn.ckpt");
        cnnRun(2, file, false);
        Sequential resumed = cnnRun(4, file, true);
        Sequential straight = cnnRun(4, null, false);
        var a = straight.stateDict();
        var b = resumed.stateDict();
        for (String k : a.keySet()) assertArrayEquals(a.get(k).toFloatArray(), b.get(k).toFloatArray(), k);
    }

    @Test
    void laneSumsFollowOneFixedOrder() {
        if (!Simd.VECTOR) return;
        int n = Simd.LANES;
        float[] a = new float[n];
        Random r = new Random(5);
        for (int round = 0; round < 2000; round++) { // enough calls for the JIT to compile Simd.sum
            for (int i = 0; i < n; i++) a[i] = (float) (r.nextGaussian() * Math.pow(10, r.nextInt(8)));
            float[] t = a.clone();
            for (int k = n / 2; k >= 1; k /= 2) for (int i = 0; i < k; i++) t[i] += t[i + k];
            assertEquals(Float.floatToRawIntBits(t[0]),
                    Float.floatToRawIntBits(SimdVector.sum(FloatVector.fromArray(SimdVector.SPECIES, a, 0))));
        }
    }
}

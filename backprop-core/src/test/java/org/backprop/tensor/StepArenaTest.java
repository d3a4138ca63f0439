package org.backprop.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.BatchNorm2d;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.Optimizer;
import org.junit.jupiter.api.Test;

/** Buffers of one step reused by the next, and the same results as without the arena. */
class StepArenaTest {

    @Test
    void theKthRequestOfTheNextStepGetsTheSameArrayWhenTheLengthMatches() {
        StepArena arena = new StepArena();
        float[] a, b, c;
        try (var _ = arena.open()) {
            a = StepArena.scratch(8);
            b = StepArena.floats(3);
            a[0] = 5;
        }
        try (var _ = arena.open()) {
            assertSame(a, StepArena.scratch(8));
            c = StepArena.floats(4); // another length: a new array for that slot
        }
        assertNotSame(b, c);
        try (var _ = arena.open()) {
            StepArena.scratch(8);
            float[] z = StepArena.floats(4);
            assertSame(c, z);
            c[1] = 7;
        }
        try (var _ = arena.open()) {
            StepArena.scratch(8);
            assertEquals(0f, StepArena.floats(4)[1], "floats() clears a reused array");
        }
        assertNotSame(StepArena.floats(8), StepArena.floats(8), "outside a scope every request is new");
        assertEquals(4 * (8 + 4), arena.retainedBytes());
    }

    @Test
    void byteRequestsAreNumberedApartFromFloatOnes() {
        StepArena arena = new StepArena();
        byte[] a;
        float[] f;
        try (var _ = arena.open()) {
            a = StepArena.bytes(5);
            f = StepArena.scratch(5);
        }
        try (var _ = arena.open()) {
            assertSame(f, StepArena.scratch(5), "a byte request does not shift the float slots");
            assertSame(a, StepArena.bytes(5));
            assertNotSame(a, StepArena.bytes(5), "the second byte request of a step is another slot");
        }
        assertEquals(4 * 5 + 5 + 5, arena.retainedBytes());
        assertNotSame(StepArena.bytes(3), StepArena.bytes(3), "outside a scope every request is new");
    }

    @Test
    void scopesNestAndAnArenaCannotBeOpenedTwice() {
        StepArena outer = new StepArena(), inner = new StepArena();
        try (var _ = outer.open()) {
            float[] o = StepArena.scratch(2);
            assertThrows(IllegalStateException.class, outer::open);
            try (var _ = inner.open()) {
                assertNotSame(o, StepArena.scratch(2));
            }
            assertEquals(8, outer.retainedBytes());
        }
    }

    private static Sequential mlp() {
        Random rng = new Random(3);
        return new Sequential(new Linear(20, 16, rng), new Activation.ReLU(), new Linear(16, 8, rng), new Activation.ReLU(),
                new Linear(8, 4, rng));
    }

    /** Conv2d (direct and a 1×1 on im2col), BatchNorm2d → ReLU → MaxPool2d (fused), ReLU → MaxPool2d (fused), Linear. */
    private static Sequential cnn() {
        Random rng = new Random(4);
        return new Sequential(new Conv2d(1, 4, 3, 1, 1, rng), new BatchNorm2d(4), new Activation.ReLU(), new MaxPool2d(2),
                new Conv2d(4, 6, 3, 1, 1, rng), new Activation.ReLU(), new MaxPool2d(2),
                new Conv2d(6, 8, 1, rng), new Flatten(), new Linear(8 * 3 * 2, 4, rng));
    }

    private static float step(Sequential net, Optimizer opt, Tensor x, Tensor y) {
        Tensor loss = new CrossEntropyLoss().apply(net.forward(x), y);
        opt.backwardAndStep(loss);
        return loss.item();
    }

    /** Trains 5 steps, each on a different batch (of two sizes), in an arena or not. */
    private static List<float[]> train(boolean inArena) {
        return train(inArena, false);
    }

    private static List<float[]> train(boolean inArena, boolean conv) {
        Sequential net = conv ? cnn() : mlp();
        Optimizer opt = new Adam(net.parameters(), 1e-2);
        StepArena arena = new StepArena();
        Random rng = new Random(9);
        List<float[]> out = new ArrayList<>();
        for (int s = 0; s < 5; s++) {
            int batch = s == 3 ? 3 : 6;
            float[] labels = new float[batch];
            for (int i = 0; i < batch; i++) labels[i] = rng.nextInt(4);
            Tensor x = conv ? Tensor.randn(rng, batch, 1, 12, 10) : Tensor.randn(rng, batch, 20), y = Tensor.of(labels, batch);
            if (inArena) {
                try (var _ = arena.open()) {
                    out.add(new float[] {step(net, opt, x, y)});
                }
            } else {
                out.add(new float[] {step(net, opt, x, y)});
            }
        }
        for (Parameter p : net.parameters()) out.add(p.data().clone());
        return out;
    }

    @Test
    void trainingInAnArenaGivesTheSameBitsAsWithout() {
        List<float[]> plain = train(false), arena = train(true);
        assertEquals(plain.size(), arena.size());
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), arena.get(i), "entry " + i);
    }

    @Test
    void trainingACnnInAnArenaGivesTheSameBitsAsWithout() {
        List<float[]> plain = train(false, true), arena = train(true, true);
        assertEquals(plain.size(), arena.size());
        for (int i = 0; i < plain.size(); i++) assertArrayEquals(plain.get(i), arena.get(i), "entry " + i);
    }

    /** As for the MLP: a CNN's warm steps (convolutions, fused norm-ReLU-pool, pool) take every buffer from the arena. */
    @Test
    void warmStepsOfACnnCreateNoActivationArrays() {
        Sequential net = cnn();
        Optimizer opt = new Adam(net.parameters(), 1e-3);
        Tensor x = Tensor.randn(new Random(5), 8, 1, 12, 10), y = Tensor.of(new float[8], 8);
        StepArena arena = new StepArena();
        try (var _ = arena.open()) {
            step(net, opt, x, y);
        }
        long first = arena.arraysCreated();
        assertTrue(first >= 12, "outputs and input gradients of 3 convolutions, 2 pools and the rest: " + first);
        for (int s = 0; s < 3; s++) {
            try (var _ = arena.open()) {
                step(net, opt, x, y);
            }
        }
        assertEquals(first, arena.arraysCreated());
    }

    /**
     * After its first step, an MLP's training step (forward, cross-entropy, fused backward and
     * Adam) takes every activation and activation gradient from the arena: no array is created.
     * (The bytes a warm step allocates are measured by bench/jmh.sh: MlpStepBench -prof gc.)
     */
    @Test
    void warmStepsOfAnMlpCreateNoActivationArrays() {
        Sequential net = mlp();
        Optimizer opt = new Adam(net.parameters(), 1e-3);
        Random rng = new Random(2);
        Tensor x = Tensor.randn(rng, 32, 20), y = Tensor.of(new float[32], 32);
        StepArena arena = new StepArena();
        try (var _ = arena.open()) {
            step(net, opt, x, y);
        }
        long first = arena.arraysCreated();
        assertTrue(first >= 8, "forward and backward of 3 linear layers, 2 ReLUs and the loss: " + first);
        for (int s = 0; s < 4; s++) {
            try (var _ = arena.open()) {
                step(net, opt, x, y);
            }
        }
        assertEquals(first, arena.arraysCreated());
    }
}

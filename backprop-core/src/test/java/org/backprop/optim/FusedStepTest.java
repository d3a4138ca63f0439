package org.backprop.optim;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import java.util.function.Supplier;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Activation;
import org.backprop.nn.Conv2d;
import org.backprop.nn.Flatten;
import org.backprop.nn.Linear;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Module;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Autograd;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The optimizer step inside the backward pass gives exactly the weights of the unfused step. */
class FusedStepTest {
    private static final int STEPS = 4;

    private static Sequential mlp() {
        Random rng = new Random(11);
        return new Sequential(new Linear(12, 16, rng), new Activation.ReLU(), new Linear(16, 8, rng), new Activation.Tanh(),
                new Linear(8, 3, rng));
    }

    private static Sequential cnn() {
        Random rng = new Random(12);
        return new Sequential(new Conv2d(1, 4, 3, rng), new Activation.ReLU(), new MaxPool2d(2), new Flatten(),
                new Linear(4 * 3 * 3, 3, rng));
    }

    /** Fixed batches: inputs of {@code shape} and class targets, the same for both runs. */
    private static List<Tensor[]> batches(int... shape) {
        Random rng = new Random(5);
        List<Tensor[]> out = new ArrayList<>();
        for (int s = 0; s < STEPS; s++) {
            float[] y = new float[shape[0]];
            for (int i = 0; i < y.length; i++) y[i] = rng.nextInt(3);
            out.add(new Tensor[] {Tensor.randn(rng, shape), Tensor.of(y, y.length)});
        }
        return out;
    }

    /** Trains a fresh model {@link #STEPS} steps and returns its weights and the optimizer's state. */
    private static List<float[]> train(Supplier<Sequential> model, List<Tensor[]> data, Function<List<Parameter>, Optimizer> make,
            boolean viaBackwardAndStep, boolean fused, double clip) {
        Module net = model.get();
        Optimizer opt = make.apply(net.parameters()).fused(fused).clipGradNorm(clip);
        CrossEntropyLoss loss = new CrossEntropyLoss();
        for (Tensor[] b : data) {
            Tensor l = loss.apply(net.forward(b[0]), b[1]);
            if (viaBackwardAndStep) {
                opt.backwardAndStep(l);
            } else { // the classic loop
                opt.zeroGrad();
                l.backward();
                if (clip > 0) GradClip.clipGradNorm(net.parameters(), clip);
                opt.step();
            }
        }
        List<float[]> out = new ArrayList<>();
        for (Parameter p : net.parameters()) out.add(p.data().clone());
        opt.stateDict().values().forEach(t -> out.add(t.toFloatArray()));
        return out;
    }

    private static void assertBitIdentical(List<float[]> expected, List<float[]> actual, String what) {
        assertEquals(expected.size(), actual.size(), what);
        for (int i = 0; i < expected.size(); i++) {
            float[] e = expected.get(i), a = actual.get(i);
            assertEquals(e.length, a.length, what + " array " + i);
            for (int j = 0; j < e.length; j++) {
                assertEquals(Float.floatToRawIntBits(e[j]), Float.floatToRawIntBits(a[j]), what + " array " + i + "[" + j + "]");
            }
        }
    }

    private static final Map<String, Function<List<Parameter>, Optimizer>> RULES = Map.of(
            "SGD", p -> new SGD(p, SGD.Options.defaults().lr(0.05).momentum(0.9).weightDecay(1e-3)),
            "Adam", p -> new Adam(p, 1e-2),
            "AdamW", p -> new AdamW(p, 1e-2));

    @Test
    void fusedEqualsUnfusedBitForBitOnAnMlpAndACnn() {
        for (var rule : RULES.entrySet()) {
            Optimizer probe = rule.getValue().apply(mlp().parameters());
            assertTrue(probe.fused(), rule.getKey() + " is fused by default");
            List<Tensor[]> flat = batches(6, 12);
            List<float[]> reference = train(FusedStepTest::mlp, flat, rule.getValue(), false, false, 0);
            assertBitIdentical(reference, train(FusedStepTest::mlp, flat, rule.getValue(), true, true, 0), rule.getKey() + " MLP");
            List<Tensor[]> images = batches(5, 1, 8, 8);
            List<float[]> cnnReference = train(FusedStepTest::cnn, images, rule.getValue(), false, false, 0);
            assertBitIdentical(cnnReference, train(FusedStepTest::cnn, images, rule.getValue(), true, true, 0), rule.getKey() + " CNN");
            // Guard: the steps really moved the weights (a no-op on both sides would also be "identical").
            assertFalse(java.util.Arrays.equals(reference.get(0), mlp().parameters().get(0).data()), rule.getKey());
        }
    }

    /** 300-256-3: the first layer is large enough for the threaded batch-1 products. */
    private static Sequential wide() {
        Random rng = new Random(13);
        return new Sequential(new Linear(300, 256, rng), new Activation.ReLU(), new Linear(256, 3, rng));
    }

    @Test
    void fusedEqualsUnfusedBitForBitAtBatchOneThroughALargeLayer() {
        // Batch 1: rank-1 weight gradients written over the unwritten zeros (markGradZero), the
        // forward's dot products split over the threads; batch 2 mixes in the small-m path.
        for (int batch : new int[] {1, 2}) {
            List<Tensor[]> data = batches(batch, 300);
            for (var rule : RULES.entrySet()) {
                List<float[]> reference = train(FusedStepTest::wide, data, rule.getValue(), false, false, 0);
                assertBitIdentical(reference, train(FusedStepTest::wide, data, rule.getValue(), true, true, 0),
                        rule.getKey() + " batch " + batch);
                assertFalse(java.util.Arrays.equals(reference.get(0), wide().parameters().get(0).data()), rule.getKey());
            }
        }
    }

    @Test
    void clippingByGlobalNormFallsBackToTheUnfusedPathAndStillClips() {
        var adam = RULES.get("Adam");
        List<Tensor[]> flat = batches(6, 12);
        double clip = 0.05; // far below the gradients' norm here, so clipping changes the result
        List<float[]> clipped = train(FusedStepTest::mlp, flat, adam, false, false, clip);
        assertBitIdentical(clipped, train(FusedStepTest::mlp, flat, adam, true, true, clip), "clipped");
        List<float[]> unclipped = train(FusedStepTest::mlp, flat, adam, false, false, 0);
        assertNotEquals(Float.floatToRawIntBits(unclipped.get(0)[0]), Float.floatToRawIntBits(clipped.get(0)[0]),
                "the clip must bite for this test to mean anything");
    }

    @Test
    void gradientsAreZeroAfterBackwardAndStep() {
        Sequential net = mlp();
        Optimizer opt = new Adam(net.parameters());
        Tensor[] b = batches(6, 12).getFirst();
        opt.backwardAndStep(new CrossEntropyLoss().apply(net.forward(b[0]), b[1]));
        assertEquals(1, opt.stepCount());
        for (Parameter p : net.parameters()) {
            for (float g : p.grad().array()) assertEquals(0f, g);
        }
    }

    @Test
    void theLeafHookSeesEachParametersFinalGradientOnce() {
        Sequential net = mlp();
        Tensor[] b = batches(6, 12).getFirst();
        // Reference: the gradients after a whole backward pass.
        new CrossEntropyLoss().apply(net.forward(b[0]), b[1]).backward();
        Map<Tensor, float[]> finalGrads = new IdentityHashMap<>();
        for (Parameter p : net.parameters()) finalGrads.put(p.value(), p.grad().array().clone());
        for (Parameter p : net.parameters()) p.zeroGrad();

        Map<Tensor, float[]> atHook = new IdentityHashMap<>();
        Tensor l = new CrossEntropyLoss().apply(net.forward(b[0]), b[1]);
        Autograd.backward(l, Tensor.full(1f, l.shape()), leaf -> {
            assertFalse(atHook.containsKey(leaf), "called twice for one leaf");
            atHook.put(leaf, leaf.grad().array().clone());
        });
        assertEquals(net.parameters().size(), atHook.size());
        for (Parameter p : net.parameters()) assertArrayEquals(finalGrads.get(p.value()), atHook.get(p.value()));
    }
}

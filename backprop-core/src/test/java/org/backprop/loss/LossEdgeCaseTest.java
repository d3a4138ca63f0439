package org.backprop.loss;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.autograd.GradMode;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Saturated probabilities, extreme logits, and the errors for bad shapes, bad labels and empty batches. */
class LossEdgeCaseTest {

    private static final List<Loss> POINTWISE = List.of(new MSELoss(), new HalfSquaredError(), new L1Loss(),
            new HuberLoss(), new BCELoss(), new BCEWithLogitsLoss());

    private static void assertFinite(Tensor t, String what) {
        for (float v : t.toFloatArray()) assertTrue(Float.isFinite(v), what + ": " + v);
    }

    @Test
    void bceWithProbabilitiesExactlyZeroAndOne() {
        Tensor p = Tensor.of(new float[] {0f, 1f, 1f, 0f}, 4).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {1f, 0f, 1f, 0f}, 4);
        Tensor loss = new BCELoss().apply(p, y);
        // log is clamped at −100: the two confident mistakes cost 100 each, the two hits 0
        assertEquals(50f, loss.item(), 1e-5);
        assertEquals(200f, new BCELoss(Reduction.SUM).apply(p, y).item(), 1e-4);
        loss.backward();
        assertFinite(p.grad(), "BCE gradient at 0 and 1");
        assertTrue(p.grad().get(0) < 0 && p.grad().get(1) > 0, "the gradient pushes towards the label");
        assertEquals(0f, p.grad().get(2));
        assertEquals(0f, p.grad().get(3));
    }

    @Test
    void bceRejectsValuesThatAreNotProbabilities() {
        Tensor y = Tensor.zeros(2, 2);
        String msg = assertThrows(IllegalArgumentException.class,
                () -> new BCELoss().apply(Tensor.of(new float[] {0.5f, 0.2f, 1.5f, 0.1f}, 2, 2), y)).getMessage();
        assertTrue(msg.contains("BCELoss") && msg.contains("[1, 0]") && msg.contains("1.5"), msg);
        assertThrows(IllegalArgumentException.class, () -> new BCELoss().apply(Tensor.of(new float[] {Float.NaN}, 1), Tensor.zeros(1)));
    }

    @Test
    void bceWithLogitsIsFiniteForHugeLogits() {
        Tensor x = Tensor.of(new float[] {1e4f, -1e4f, 1e4f, -1e4f, 1e30f}, 5).requiresGrad(true);
        Tensor y = Tensor.of(new float[] {1f, 0f, 0f, 1f, 1f}, 5);
        Tensor loss = new BCEWithLogitsLoss(Reduction.SUM).apply(x, y);
        assertEquals(2e4f, loss.item(), 1e-2, "right answers cost 0, the two wrong ones 1e4 each");
        loss.backward();
        float[] g = x.grad().toFloatArray();
        float[] expected = {0, 0, 1, -1, 0}; // σ(x) − y
        for (int i = 0; i < 5; i++) assertEquals(expected[i], g[i], 1e-7, "gradient " + i);
    }

    @Test
    void crossEntropyWithHugeLogits() {
        Tensor z = Tensor.of(new float[][] {{1e4f, -1e4f, 0f}, {1e4f, -1e4f, 0f}, {1e30f, -1e30f, 0f}, {-1e4f, -1e4f, -1e4f}})
                .requiresGrad(true);
        Tensor t = Tensor.of(new float[] {0, 1, 2, 1}, 4);
        Tensor loss = new CrossEntropyLoss(0, Reduction.SUM).apply(z, t);
        // −log p of the target: 0, 2e4, 1e30, log 3
        assertEquals(1e30, loss.item(), 1e24);
        CrossEntropyLoss sum = new CrossEntropyLoss(0, Reduction.SUM);
        assertEquals(2e4, sum.apply(z.detach().slice(0, 0, 2), t.slice(0, 0, 2)).item(), 1e-2);
        assertEquals(Math.log(3), sum.apply(z.detach().slice(0, 3, 4), t.slice(0, 3, 4)).item(), 1e-6);
        loss.backward();
        assertFinite(z.grad(), "CE gradient");
        float[] g = z.grad().toFloatArray();
        assertEquals(0f, g[0], 1e-7);       // row 0: p = (1, 0, 0) = target
        assertEquals(1f, g[3], 1e-7);       // row 1: p₀ = 1 but the target is 1
        assertEquals(-1f, g[4], 1e-7);
        assertEquals(1 / 3f, g[9], 1e-6);   // row 3: uniform p
        assertEquals(-2 / 3f, g[10], 1e-6);
        Tensor smoothed = new CrossEntropyLoss(0.1).apply(z.detach(), t);
        assertTrue(Float.isFinite(smoothed.item()), "label smoothing with huge logits: " + smoothed.item());
    }

    @Test
    void crossEntropyWithARowOfMinusInfinityExceptOne() {
        float inf = Float.NEGATIVE_INFINITY;
        Tensor z = Tensor.of(new float[][] {{inf, 3f, inf}}).requiresGrad(true);
        Tensor loss = new CrossEntropyLoss().apply(z, Tensor.of(new float[] {1}, 1));
        assertEquals(0f, loss.item());
        loss.backward();
        for (float g : z.grad().toFloatArray()) assertEquals(0f, g);
        // the masked class as target is impossible: +∞, as in PyTorch, not NaN
        assertEquals(Float.POSITIVE_INFINITY, new CrossEntropyLoss().apply(z.detach(), Tensor.of(new float[] {0}, 1)).item());
    }

    @Test
    void emptyBatchesAreErrorsNotNaN() {
        for (Loss loss : POINTWISE) {
            String msg = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(0, 3), Tensor.zeros(0, 3)),
                    loss.toString()).getMessage();
            assertTrue(msg.contains("empty"), loss + ": " + msg);
        }
        for (Loss loss : List.of(new CrossEntropyLoss(), new NLLLoss())) {
            String msg = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(0, 3), Tensor.zeros(0)))
                    .getMessage();
            assertTrue(msg.contains("empty"), loss + ": " + msg);
        }
    }

    @Test
    void shapeMismatchesNameTheLossAndBothShapes() {
        for (Loss loss : POINTWISE) {
            String msg = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(4, 1), Tensor.zeros(4)))
                    .getMessage();
            String name = loss.getClass().getSimpleName();
            assertTrue(msg.contains(name) && msg.contains("[4, 1]") && msg.contains("[4]"), msg);
        }
        for (Loss loss : List.of(new CrossEntropyLoss(), new NLLLoss())) {
            String name = loss.getClass().getSimpleName();
            String probs = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(4, 3), Tensor.zeros(4, 3)))
                    .getMessage();
            assertTrue(probs.contains(name) && probs.contains("[4, 3]") && probs.contains("[4]"), probs);
            String rows = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(4, 3), Tensor.zeros(5)))
                    .getMessage();
            assertTrue(rows.contains("[4, 3]") && rows.contains("[5]"), rows);
            String rank = assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(3), Tensor.zeros(1)))
                    .getMessage();
            assertTrue(rank.contains("[N, C]") && rank.contains("[3]") && rank.contains("[1]"), rank);
        }
    }

    @Test
    void classIndicesMustBeIntegersInRange() {
        Tensor z = Tensor.zeros(3, 3);
        for (Loss loss : List.of(new CrossEntropyLoss(), new NLLLoss())) {
            String frac = assertThrows(IllegalArgumentException.class, () -> loss.apply(z, Tensor.of(new float[] {0, 2.5f, 1}, 3)))
                    .getMessage();
            assertTrue(frac.contains("target[1]") && frac.contains("2.5"), frac);
            String high = assertThrows(IllegalArgumentException.class, () -> loss.apply(z, Tensor.of(new float[] {0, 1, 3}, 3)))
                    .getMessage();
            assertTrue(high.contains("target[2]") && high.contains("3") && high.contains("0..2"), high);
            String neg = assertThrows(IllegalArgumentException.class, () -> loss.apply(z, Tensor.of(new float[] {-1, 1, 0}, 3)))
                    .getMessage();
            assertTrue(neg.contains("target[0]") && neg.contains("-1"), neg);
            assertThrows(IllegalArgumentException.class, () -> loss.apply(z, Tensor.of(new float[] {0, Float.NaN, 0}, 3)));
            assertThrows(IllegalArgumentException.class, () -> loss.apply(Tensor.zeros(2, 0), Tensor.zeros(2)));
        }
    }

    @Test
    void invalidSettingsAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(0));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(-1));
        assertThrows(IllegalArgumentException.class, () -> new HuberLoss(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(1.5));
        assertThrows(IllegalArgumentException.class, () -> new CrossEntropyLoss(-0.1));
        assertThrows(NullPointerException.class, () -> new MSELoss(null));
    }

    @Test
    void noGradAndIndexTargetsThatRequireGrad() {
        Tensor h = Tensor.ones(2, 2).requiresGrad(true);
        try (var s = GradMode.noGrad()) {
            assertFalse(new MSELoss().apply(h, Tensor.zeros(2, 2)).requiresGrad());
            assertFalse(new CrossEntropyLoss().apply(h, Tensor.zeros(2)).requiresGrad());
        }
        // only the index target requires grad: backward runs and gives it nothing
        Tensor t = Tensor.zeros(2).requiresGrad(true);
        new CrossEntropyLoss().apply(Tensor.ones(2, 2), t).backward();
        assertEquals(null, t.grad());
    }

    @Test
    void namedLosses() {
        assertInstanceOf(MSELoss.class, Losses.named("mse"));
        assertInstanceOf(HalfSquaredError.class, Losses.named("half_mse"));
        assertInstanceOf(L1Loss.class, Losses.named("l1"));
        assertInstanceOf(HuberLoss.class, Losses.named("huber"));
        assertInstanceOf(BCELoss.class, Losses.named("bce"));
        assertInstanceOf(BCEWithLogitsLoss.class, Losses.named("bce_logits"));
        assertInstanceOf(CrossEntropyLoss.class, Losses.named("cross_entropy"));
        assertInstanceOf(NLLLoss.class, Losses.named("nll"));
        assertInstanceOf(CrossEntropyLoss.class, Losses.named("Cross-Entropy"));
        for (String name : Losses.names()) Losses.named(name);
        String msg = assertThrows(IllegalArgumentException.class, () -> Losses.named("hinge")).getMessage();
        assertTrue(msg.contains("hinge"), msg);
        for (String known : Losses.names()) assertTrue(msg.contains(known), msg);
    }
}

package org.backprop.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** The backward driver: accumulation, graph cuts (detach, noGrad), seeds, and its error messages. */
class AutogradTest {

    private static Tensor leaf(float... v) {
        return Tensor.of(v, v.length).requiresGrad(true);
    }

    @Test
    void aTensorUsedTwiceInOneOpGetsBothContributions() {
        Tensor x = leaf(1.5f, -2f, 3f);
        x.mul(x).sum().backward(); // d(x²)/dx = 2x
        assertEquals(3f, x.grad().get(0));
        assertEquals(-4f, x.grad().get(1));
        assertEquals(6f, x.grad().get(2));

        Tensor y = leaf(1f, 2f);
        y.add(y).sum().backward(); // d(2y)/dy = 2
        assertEquals(2f, y.grad().get(0));
        assertEquals(2f, y.grad().get(1));
    }

    @Test
    void aTensorUsedOnTwoBranchesGetsTheSum() {
        Tensor x = leaf(0.5f, -1f);
        Tensor h = x.mul(3f);                     // an interior node read by two ops
        h.exp().add(h.square()).sum().backward(); // d/dx = 3·(e^{3x} + 2·3x)
        for (int i = 0; i < 2; i++) {
            double v = x.get(i);
            double expected = 3 * (Math.exp(3 * v) + 6 * v);
            assertEquals(expected, x.grad().get(i), 1e-6 * Math.abs(expected));
        }
    }

    @Test
    void gradientsAccumulateAcrossBackwardCallsUntilZeroed() {
        Tensor x = leaf(2f);
        x.mul(5f).sum().backward();
        x.mul(5f).sum().backward();
        assertEquals(10f, x.grad().get(0), "two passes add up, as in PyTorch");
        x.zeroGrad();
        assertEquals(0f, x.grad().get(0));
        x.square().sum().backward();
        assertEquals(4f, x.grad().get(0));
    }

    @Test
    void detachStopsTheGradient() {
        Tensor x = leaf(3f, -1f);
        Tensor y = x.detach().mul(x).sum(); // only the second factor is differentiated: dy/dx = x
        y.backward();
        assertEquals(3f, x.grad().get(0));
        assertEquals(-1f, x.grad().get(1));
        Tensor d = x.detach();
        assertFalse(d.requiresGrad());
        assertTrue(d.isLeaf());
        assertEquals(x.array(), d.array(), "detach shares the data");
    }

    @Test
    void noGradRecordsNothing() {
        Tensor x = leaf(1f, 2f);
        Tensor y;
        try (var scope = GradMode.noGrad()) {
            assertFalse(GradMode.isEnabled());
            y = x.mul(x).sum();
            try (var inner = GradMode.enableGrad()) {
                assertTrue(GradMode.isEnabled());
            }
            assertFalse(GradMode.isEnabled(), "closing the inner scope restores no-grad");
        }
        assertTrue(GradMode.isEnabled());
        assertFalse(y.requiresGrad());
        assertNull(y.gradFn());
        String msg = assertThrows(IllegalStateException.class, y::backward).getMessage();
        assertTrue(msg.contains("does not require grad"), msg);
        assertNull(x.grad());
    }

    @Test
    void backwardOnANonScalarNeedsASeed() {
        Tensor x = leaf(1f, 2f, 3f);
        Tensor y = x.mul(2f).reshape(3, 1);
        String msg = assertThrows(IllegalStateException.class, y::backward).getMessage();
        assertTrue(msg.contains("[3, 1]"), msg);
        assertNull(x.grad(), "nothing propagated");
        String seedMsg = assertThrows(IllegalArgumentException.class, () -> y.backward(Tensor.ones(3))).getMessage();
        assertTrue(seedMsg.contains("[3]") && seedMsg.contains("[3, 1]"), seedMsg);
        y.backward(Tensor.of(new float[] {1f, 10f, 100f}, 3, 1));
        assertEquals(2f, x.grad().get(0));
        assertEquals(20f, x.grad().get(1));
        assertEquals(200f, x.grad().get(2));
    }

    @Test
    void onlyLeavesMayChangeRequiresGrad() {
        Tensor y = leaf(1f).mul(2f);
        assertThrows(IllegalStateException.class, () -> y.requiresGrad(false));
    }

    @Test
    void broadcastGradientsAreSummedToTheOperandShape() {
        Tensor b = Tensor.of(new float[] {1f, 2f, 3f}, 1, 3).requiresGrad(true);
        Tensor x = Tensor.ones(4, 3);
        x.mul(b).sum().backward();
        assertEquals(1, b.grad().shape()[0]);
        for (int j = 0; j < 3; j++) assertEquals(4f, b.grad().get(0, j), "four rows each contribute 1");
        Tensor s = Tensor.scalar(2f).requiresGrad(true);
        Tensor.ones(2, 5).mul(s).sum().backward();
        assertEquals(10f, s.grad().item());
    }

    @Test
    void longChainsDoNotOverflowTheStack() {
        Tensor x = leaf(1f);
        Tensor y = x;
        for (int i = 0; i < 20_000; i++) y = y.add(1e-4f);
        y.sum().backward();
        assertEquals(1f, x.grad().get(0));
    }

    @Test
    void gradCheckCatchesAWrongBackward() {
        // y = x², but the backward claims 3x: the checker must fail, naming the element
        Tensor x = leaf(0.5f, 1.5f);
        AssertionError e = assertThrows(AssertionError.class, () -> GradCheck.check(in -> {
            float[] v = in[0].toFloatArray();
            float[] y = new float[v.length];
            for (int i = 0; i < v.length; i++) y[i] = v[i] * v[i];
            return Tensor.fromOperation(y, in[0].shape(), "badSquare", g -> new Tensor[] {g.mul(in[0].detach()).mul(3f)}, in[0]);
        }, x));
        assertTrue(e.getMessage().contains("element 0"), e.getMessage());
        // and passes the right one
        GradCheck.check(in -> Tensor.fromOperation(in[0].toFloatArray().clone(), in[0].shape(), "identity",
                g -> new Tensor[] {g}, in[0]).mul(in[0]), x);
    }

    @Test
    void fusedOperationsTakePartInTheGraph() {
        Tensor x = leaf(1f, 2f);
        Tensor doubled = Tensor.fromOperation(new float[] {2f, 4f}, new int[] {2}, "double", g -> new Tensor[] {g.mul(2f)}, x);
        assertEquals("double", doubled.gradFn().op());
        doubled.square().sum().backward(); // d/dx (2x)² = 8x
        assertEquals(8f, x.grad().get(0));
        assertEquals(16f, x.grad().get(1));
    }
}

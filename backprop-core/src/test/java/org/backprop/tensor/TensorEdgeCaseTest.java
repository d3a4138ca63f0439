package org.backprop.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** IEEE special values, extreme logits, ties, and the messages of shape errors. */
class TensorEdgeCaseTest {

    /** markGradZero: zero to every reader, written whole by one overwriting backward, added to otherwise. */
    @Test
    void aGradientMarkedZeroReadsAsZeroOrIsOverwrittenOnce() {
        Tensor w = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
        w.mul(w).sum().backward(); // 2w
        float[] buffer = w.grad().array();
        w.markGradZero();
        assertEquals(buffer, w.leafGradBufferToOverwrite(), "the zero, unwritten buffer is handed out to overwrite");
        assertEquals(null, w.leafGradBufferToOverwrite(), "once: a second consumer adds");
        w.markGradZero();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[3], w.grad().array(), "read: zeros");
        assertEquals(null, w.leafGradBufferToOverwrite(), "already written with zeros");
        w.markGradZero();
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[3], w.leafGradBuffer(), "to add into: zeros");
        w.markGradZero();
        w.mul(w).sum().backward(); // through the driver's accumulate: 0 + 2w
        org.junit.jupiter.api.Assertions.assertArrayEquals(new float[] {2f, 4f, 6f}, w.grad().array());
    }

    @Test
    void logOfZeroIsMinusInfinity() {
        Tensor y = Tensor.of(new float[] {0f, 1f, -1f}, 3).log();
        assertEquals(Float.NEGATIVE_INFINITY, y.get(0));
        assertEquals(0f, y.get(1));
        assertTrue(Float.isNaN(y.get(2)), "log of a negative number is NaN");
    }

    @Test
    void sigmoidSaturatesWithoutNaN() {
        Tensor y = Tensor.of(new float[] {-1000f, -100f, 100f, 1000f}, 4).sigmoid();
        assertEquals(0f, y.get(0));
        assertEquals(Math.exp(-100), y.get(1), 1e-45);
        assertEquals(1f, y.get(2));
        assertEquals(1f, y.get(3));
    }

    @Test
    void softmaxOfHugeLogitsIsFinite() {
        Tensor x = Tensor.of(new float[][] {{1e4f, -1e4f, 0f}, {-1e4f, -1e4f, -1e4f}, {1e30f, -1e30f, 0f}})
                .requiresGrad(true);
        Tensor p = x.softmax(1);
        float[][] expected = {{1, 0, 0}, {1 / 3f, 1 / 3f, 1 / 3f}, {1, 0, 0}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) assertEquals(expected[i][j], p.get(i, j), 1e-7, "softmax[" + i + "," + j + "]");
        }
        Tensor lp = x.logSoftmax(1);
        // log p = x − logsumexp(x); logsumexp of row 0 is 1e4 (the others add e^−1e4), of row 1 −1e4 + log 3
        double[][] logExpected = {{0, -2e4, -1e4}, {-Math.log(3), -Math.log(3), -Math.log(3)}, {0, -2e30, -1e30}};
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 3; j++) {
                assertEquals(logExpected[i][j], lp.get(i, j), 1e-6 * Math.max(1, Math.abs(logExpected[i][j])),
                        "logSoftmax[" + i + "," + j + "]");
            }
        }
        lp.mul(Tensor.of(new float[] {1, 2, 3}, 3)).sum().backward();
        for (float g : x.grad().toFloatArray()) assertTrue(Float.isFinite(g), "finite gradient, got " + g);
    }

    @Test
    void rowOfMinusInfinityExceptOne() {
        float inf = Float.NEGATIVE_INFINITY;
        Tensor x = Tensor.of(new float[] {inf, 2f, inf, inf}, 1, 4).requiresGrad(true);
        Tensor p = x.softmax(1);
        assertEquals(0f, p.get(0, 0));
        assertEquals(1f, p.get(0, 1));
        Tensor lp = x.logSoftmax(1);
        assertEquals(inf, lp.get(0, 0));
        assertEquals(0f, lp.get(0, 1));
        // gradient through the one finite log-probability: d log p₁ / dx = e₁ − p = 0 everywhere
        lp.slice(1, 1, 2).sum().backward();
        for (float g : x.grad().toFloatArray()) assertEquals(0f, g, 1e-7);
        x.clearGrad();
        p.mul(Tensor.of(new float[] {1, 2, 3, 4}, 4)).sum().backward();
        for (float g : x.grad().toFloatArray()) assertTrue(Float.isFinite(g));
    }

    @Test
    void maximumSplitsTheGradientOfATieEvenly() {
        Tensor a = Tensor.of(new float[] {1f, 2f, 3f}, 3).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1f, 5f, 0f}, 3).requiresGrad(true);
        a.maximum(b).sum().backward();
        assertEquals(0.5f, a.grad().get(0));
        assertEquals(0.5f, b.grad().get(0));
        assertEquals(0f, a.grad().get(1));
        assertEquals(1f, b.grad().get(1));
        assertEquals(1f, a.grad().get(2));
        assertEquals(0f, b.grad().get(2));
    }

    @Test
    void maxSendsTheGradientToTheFirstMaximum() {
        Tensor x = Tensor.of(new float[] {3f, 1f, 3f}, 3).requiresGrad(true);
        x.max().backward();
        assertEquals(1f, x.grad().get(0));
        assertEquals(0f, x.grad().get(2));
    }

    @Test
    void powerZeroHasZeroGradientEvenAtZero() {
        Tensor x = Tensor.of(new float[] {0f, 2f}, 2).requiresGrad(true);
        Tensor y = x.pow(0f);
        assertEquals(1f, y.get(0), "0⁰ = 1, as Math.pow and PyTorch");
        y.sum().backward();
        assertEquals(0f, x.grad().get(0));
        assertEquals(0f, x.grad().get(1));
        x.clearGrad();
        x.pow(2f).sum().backward();
        assertEquals(0f, x.grad().get(0));
        assertEquals(4f, x.grad().get(1));
    }

    @Test
    void shapeErrorsNameBothShapes() {
        Tensor a = Tensor.zeros(2, 3), b = Tensor.zeros(4);
        String add = assertThrows(IllegalArgumentException.class, () -> a.add(b)).getMessage();
        assertTrue(add.contains("[2, 3]") && add.contains("[4]"), add);
        String mm = assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(4, 5))).getMessage();
        assertTrue(mm.contains("[2, 3]") && mm.contains("[4, 5]"), mm);
        String rs = assertThrows(IllegalArgumentException.class, () -> a.reshape(4, 2)).getMessage();
        assertTrue(rs.contains("[2, 3]") && rs.contains("[4, 2]"), rs);
        String wrap = assertThrows(IllegalArgumentException.class, () -> Tensor.of(new float[5], 2, 3)).getMessage();
        assertTrue(wrap.contains("[2, 3]") && wrap.contains("5"), wrap);
    }
}

package org.backprop.optim;

import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.backprop.nn.Parameter;
import org.junit.jupiter.api.Test;

class GradClipTest {
    // Gradients (3, 4) and (0, 12): global norm √(9 + 16 + 144) = √169 = 13.
    private final Parameter a = param(0.0, 0.0);
    private final Parameter b = param(0.0, 0.0);
    private final Parameter noGrad = param(7.0);
    private final List<Parameter> params = List.of(a, noGrad, b);

    GradClipTest() {
        setGrad(a, 3, 4);
        setGrad(b, 0, 12);
    }

    @Test
    void globalNormCoversEveryGradientAndSkipsParametersWithout() {
        assertEquals(13.0, GradClip.globalGradNorm(params), 1e-12);
        assertEquals(0.0, GradClip.globalGradNorm(List.of(noGrad)));
    }

    @Test
    void clipGradNormScalesEveryGradientBySameFactor() {
        // c = 6.5 / (13 + 1e-6) = 0.5 − 3.8e-8: (3, 4) → (1.5, 2), (0, 12) → (0, 6).
        double before = GradClip.clipGradNorm(params, 6.5);
        assertEquals(13.0, before, 1e-12);
        assertArrayEquals(new float[] {1.5f, 2f}, a.grad().array(), 1e-6f);
        assertArrayEquals(new float[] {0f, 6f}, b.grad().array(), 1e-6f);
        assertEquals(6.5, GradClip.globalGradNorm(params), 1e-5);
        assertNull(noGrad.grad());
    }

    @Test
    void aNormBelowTheLimitIsLeftExactlyAlone() {
        assertEquals(13.0, GradClip.clipGradNorm(params, 20), 1e-12);
        assertArrayEquals(new float[] {3f, 4f}, a.grad().array());
        assertArrayEquals(new float[] {0f, 12f}, b.grad().array());
        assertEquals(13.0, GradClip.clipGradNorm(params, Double.POSITIVE_INFINITY), 1e-12);
        assertArrayEquals(new float[] {3f, 4f}, a.grad().array());
    }

    @Test
    void aNormEqualToTheLimitIsScaledByAFactorJustUnderOneAsInPyTorch() {
        // c = 13 / (13 + 1e-6) ≈ 1 − 7.7e-8 < 1: 3·c rounds to the float just below 3.
        GradClip.clipGradNorm(params, 13);
        float g = a.grad().array()[0];
        assertTrue(g < 3f && g > 3f - 1e-5f, "scaled gradient " + g);
    }

    @Test
    void aNonFiniteNormIsReturnedAndNothingIsScaled() {
        setGrad(b, 0, Double.POSITIVE_INFINITY);
        assertEquals(Double.POSITIVE_INFINITY, GradClip.clipGradNorm(params, 1));
        assertArrayEquals(new float[] {3f, 4f}, a.grad().array());
        setGrad(b, Double.NaN, 1);
        assertTrue(Double.isNaN(GradClip.clipGradNorm(params, 1)));
        assertArrayEquals(new float[] {3f, 4f}, a.grad().array());
    }

    @Test
    void maxNormZeroZeroesTheGradients() {
        GradClip.clipGradNorm(params, 0);
        assertArrayEquals(new float[] {0f, 0f}, a.grad().array());
    }

    @Test
    void clipGradValueClampsEachElement() {
        setGrad(a, -3, 0.5);
        setGrad(b, 2, Double.NaN);
        GradClip.clipGradValue(params, 1);
        assertArrayEquals(new float[] {-1f, 0.5f}, a.grad().array());
        assertEquals(1f, b.grad().array()[0]);
        assertTrue(Float.isNaN(b.grad().array()[1]), "NaN stays NaN");
        assertNull(noGrad.grad());
    }

    @Test
    void invalidLimitsAreNamed() {
        assertEquals("Invalid max_norm value: -1.0 (must be >= 0)",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradNorm(params, -1)).getMessage());
        assertEquals("Invalid clip_value value: NaN (must be >= 0)",
                assertThrows(IllegalArgumentException.class, () -> GradClip.clipGradValue(params, Double.NaN)).getMessage());
    }
}

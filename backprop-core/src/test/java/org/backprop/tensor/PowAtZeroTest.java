package org.backprop.tensor;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Gradients of {@code pow} where the base is 0, by value, against what PyTorch's pow_backward,
 * pow_backward_self and pow_backward_exponent compute there; and finite differences just off 0.
 */
class PowAtZeroTest {

    private static final float INF = Float.POSITIVE_INFINITY;

    /** One element: base 0 (or -0), exponent e, both leaves; backward seeded with g. */
    private static Tensor[] grads(float base, float e, float g) {
        Tensor a = Tensor.of(new float[] {base}, 1).requiresGrad(true);
        Tensor x = Tensor.of(new float[] {e}, 1).requiresGrad(true);
        a.pow(x).backward(Tensor.of(new float[] {g}, 1));
        return new Tensor[] {a.grad(), x.grad()};
    }

    @Test
    void baseGradientAtZeroIsExponentTimesZeroToTheExponentMinusOne() {
        // e = 0: masked to 0 (0·0⁻¹ would be NaN); 0 < e < 1: +∞; e = 1: 1·0⁰ = 1; e > 1: 0; e < 0: −∞
        float[] exponents = {0f, 0.5f, 1f, 2f, 3f, -0.5f, -1f, -2f};
        float[] expected = {0f, INF, 1f, 0f, 0f, -INF, -INF, -INF};
        for (int i = 0; i < exponents.length; i++) {
            assertEquals(expected[i], grads(0f, exponents[i], 1f)[0].get(0), "d(0^e)/da at e = " + exponents[i]);
        }
    }

    @Test
    void exponentGradientAtZeroBaseIsZeroForNonNegativeExponentsAndMinusInfinityBelow() {
        // a^e·ln a at a = 0: e ≥ 0 is taken as its limit 0, not 0·(−∞) = NaN; e < 0 gives ∞·(−∞) = −∞
        float[] exponents = {0f, 0.5f, 1f, 2f, -0.5f, -1f, -2f};
        float[] expected = {0f, 0f, 0f, 0f, -INF, -INF, -INF};
        for (int i = 0; i < exponents.length; i++) {
            assertEquals(expected[i], grads(0f, exponents[i], 1f)[1].get(0), "d(0^e)/de at e = " + exponents[i]);
        }
        // −0 compares equal to 0, so the mask holds there too
        assertEquals(0f, grads(-0f, 2f, 1f)[1].get(0));
        assertEquals(0f, grads(-0f, 0f, 1f)[1].get(0));
    }

    @Test
    void forwardValuesAtZero() {
        Tensor a = Tensor.zeros(5);
        Tensor e = Tensor.of(new float[] {0f, 0.5f, 1f, 2f, -1f}, 5);
        float[] y = a.pow(e).toFloatArray();
        assertEquals(1f, y[0], "0⁰ = 1");
        assertEquals(0f, y[1]);
        assertEquals(0f, y[2]);
        assertEquals(0f, y[3]);
        assertEquals(INF, y[4]);
    }

    @Test
    void masksSitWherePyTorchPutsThem() {
        // the base's mask replaces g·e·a^(e−1), so a zero exponent gives 0 even from an infinite g;
        // the exponent's mask replaces a^e·ln a only, and g·0 with g = ∞ is NaN, as in PyTorch
        Tensor[] fromInf = grads(0f, 0f, INF);
        assertEquals(0f, fromInf[0].get(0));
        assertTrue(Float.isNaN(fromInf[1].get(0)), "∞·0 for the exponent: " + fromInf[1].get(0));
        // away from a masked element, g scales the derivative as usual
        Tensor[] scaled = grads(0f, 1f, -3f);
        assertEquals(-3f, scaled[0].get(0));
        assertEquals(0f, scaled[1].get(0));
    }

    @Test
    void masksFollowBroadcasting() {
        // columns: exponent 0 (masked everywhere in the base gradient) and 2; rows: base 0 and not
        Tensor a = Tensor.of(new float[][] {{0f, 0f}, {1.5f, 2f}}).requiresGrad(true);
        Tensor e = Tensor.of(new float[] {0f, 2f}, 2).requiresGrad(true);
        a.pow(e).sum().backward();
        assertEquals(0f, a.grad().get(0, 0));
        assertEquals(0f, a.grad().get(0, 1), "2·0¹");
        assertEquals(0f, a.grad().get(1, 0), "exponent 0");
        assertEquals(4f, a.grad().get(1, 1), "2·2¹");
        // column 0: 0⁰·(masked) + 1.5⁰·ln 1.5 ; column 1: (masked) + 2²·ln 2
        assertEquals(Math.log(1.5), e.grad().get(0), 1e-6);
        assertEquals(4 * Math.log(2), e.grad().get(1), 1e-5);
    }

    @Test
    void scalarExponentAtZero() {
        Tensor x = Tensor.of(new float[] {0f, 0f, 0f, 0f, 2f}, 5).requiresGrad(true);
        x.pow(0f).backward(Tensor.of(new float[] {1f, INF, Float.NaN, -2f, 1f}, 5));
        for (int i = 0; i < 5; i++) assertEquals(0f, x.grad().get(i), "d(x⁰)/dx whatever the incoming gradient, " + i);
        float[] exponents = {0.5f, 1f, 2f, -1f};
        float[] expected = {INF, 1f, 0f, -INF};
        for (int i = 0; i < exponents.length; i++) {
            Tensor z = Tensor.zeros(1).requiresGrad(true);
            z.pow(exponents[i]).sum().backward();
            assertEquals(expected[i], z.grad().get(0), "d(x^e)/dx at x = 0, e = " + exponents[i]);
        }
    }

    @Test
    void finiteDifferencesAgreeJustOffZero() {
        Random rng = new Random(5);
        Tensor a = uniform(rng, 0.15, 0.6, 2, 4);
        // the exponents the masks single out at 0 (0, 1, 2), fractional and negative ones
        Tensor e = Tensor.of(new float[] {0f, 1f, 2f, 0.5f, -1f, -0.5f, 1.7f, 3f}, 2, 4).requiresGrad(true);
        gradcheck(in -> in[0].pow(in[1]), a, e);
        gradcheck(in -> in[0].pow(in[1]), a, uniform(rng, -1, 3, 4));
        for (float s : new float[] {0f, 0.5f, 1f, 2f, -1f}) gradcheck(in -> in[0].pow(s), a);
    }
}

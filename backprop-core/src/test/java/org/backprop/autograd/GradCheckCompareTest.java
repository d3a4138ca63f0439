package org.backprop.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * {@link GradCheck#compare} and {@link GradCheck#compareHeld}: per-input worst errors, element
 * subsets, kinks, and a wrong backward found.
 */
class GradCheckCompareTest {

    /** y = x², with a backward that claims 3x for the elements listed in {@code wrong}. */
    private static Tensor square(Tensor x, int... wrong) {
        float[] v = x.toFloatArray();
        float[] y = new float[v.length];
        for (int i = 0; i < v.length; i++) y[i] = v[i] * v[i];
        return Tensor.fromOperation(y, x.shape(), "square", g -> {
            float[] factor = new float[v.length];
            for (int i = 0; i < v.length; i++) {
                int index = i;
                factor[i] = Arrays.stream(wrong).anyMatch(w -> w == index) ? 3 * v[i] : 2 * v[i];
            }
            return new Tensor[] {g.mul(Tensor.of(factor, x.shape()))};
        }, x);
    }

    @Test
    void aCorrectGradientPassesEverywhere() {
        Tensor a = Tensor.of(new float[] {0.5f, -1.5f, 2f}, 3).requiresGrad(true);
        Tensor b = Tensor.of(new float[] {1f, 0.25f}, 2).requiresGrad(true);
        List<GradCheck.Comparison> r = GradCheck.compare(in -> square(in[0]).sum().add(square(in[1]).sum()), null,
                GradCheck.DEFAULT_STEP, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList(null, null), a, b);
        assertEquals(2, r.size());
        assertEquals(3, r.get(0).checked());
        assertEquals(2, r.get(1).checked());
        assertTrue(r.get(0).passed() && r.get(1).passed(), r.toString());
    }

    @Test
    void aWrongElementIsFoundAndNamedAndASubsetSkipsIt() {
        Tensor x = Tensor.of(new float[] {0.5f, -1.5f, 2f, 1f}, 4).requiresGrad(true);
        GradCheck.Comparison all = GradCheck.compare(in -> square(in[0], 2), null, GradCheck.DEFAULT_STEP,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x).getFirst();
        assertFalse(all.passed());
        assertEquals(2, all.worstElement());
        // both are derivatives of the projection Σ wᵢ·yᵢ, so only their ratio is known: 3x claimed, 2x true
        assertEquals(1.5, all.analytic() / all.numeric(), 1e-3);
        assertEquals(2f, x.toFloatArray()[2]);    // the probed value is put back

        GradCheck.Comparison subset = GradCheck.compare(in -> square(in[0], 2), null, GradCheck.DEFAULT_STEP,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, List.of(new int[] {0, 3}), x).getFirst();
        assertEquals(2, subset.checked());
        assertTrue(subset.passed(), subset.toString());
    }

    @Test
    void stepsAcrossAKinkAreSkippedWhenThePiecesAreNamed() {
        // |x| near 0: a step of 0.01 from x = 0.004 reaches the other side, where the slope is −1;
        // a quarter of it does not. From x = 0.0005 even a sixteenth of it does, so that one is skipped.
        Tensor x = Tensor.of(new float[] {0.004f, 1f, 0.0005f}, 3).requiresGrad(true);
        GradCheck.Comparison blind = GradCheck.compare(in -> in[0].abs(), null, GradCheck.DEFAULT_STEP,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x).getFirst();
        assertFalse(blind.passed());

        GradCheck.Comparison aware = GradCheck.compare(in -> in[0].abs(), in -> signs(in[0]), GradCheck.DEFAULT_STEP,
                GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x).getFirst();
        assertEquals(2, aware.checked());
        assertEquals(1, aware.skipped());
        assertTrue(aware.passed(), aware.toString());
    }

    @Test
    void heldSidesCheckEveryElementEvenWhereTheStepCrossesTheKink() {
        // |x| with each element held on the side it starts on: x·sign(x₀), equal to |x| at x₀ and
        // linear beyond the kink, so 0.004 and 0.0005 are compared too instead of being skipped
        Tensor x = Tensor.of(new float[] {0.004f, 1f, 0.0005f, -0.003f}, 4).requiresGrad(true);
        Tensor sides = Tensor.of(new float[] {1f, 1f, 1f, -1f}, 4);
        GradCheck.Comparison held = GradCheck.compareHeld(in -> in[0].abs(), in -> in[0].mul(sides),
                GradCheck.DEFAULT_STEP, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x)
                .getFirst();
        assertEquals(4, held.checked());
        assertEquals(0, held.skipped());
        assertTrue(held.maxError() < 0.01, held.toString());

        // a wrong backward is still found: the held function only replaces f's finite differences
        GradCheck.Comparison wrong = GradCheck.compareHeld(in -> square(in[0], 1), in -> square(in[0]),
                GradCheck.DEFAULT_STEP, GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x)
                .getFirst();
        assertFalse(wrong.passed());
        assertEquals(1, wrong.worstElement());
    }

    @Test
    void aHeldFunctionThatDiffersAtTheInputsIsRejected() {
        Tensor x = Tensor.of(new float[] {0.5f, -2f}, 2).requiresGrad(true);
        IllegalArgumentException e = org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class,
                () -> GradCheck.compareHeld(in -> in[0].abs(), in -> in[0], GradCheck.DEFAULT_STEP,
                        GradCheck.DEFAULT_ATOL, GradCheck.DEFAULT_RTOL, Arrays.asList((int[]) null), x));
        assertEquals("gradcheck: the held function differs from the function at the inputs, output 1: -2.0 instead of 2.0",
                e.getMessage());
    }

    private static List<Boolean> signs(Tensor t) {
        List<Boolean> s = new java.util.ArrayList<>();
        for (float v : t.toFloatArray()) s.add(v > 0);
        return s;
    }
}

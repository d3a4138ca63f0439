package org.backprop.nn;

import static org.backprop.tensor.Fixtures.awayFromZero;
import static org.backprop.tensor.Fixtures.doubles;
import static org.backprop.tensor.Fixtures.gradcheck;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ActivationTest {

    private static final List<Activation> ALL = List.of(
            new Activation.ReLU(), new Activation.LeakyReLU(0.05f), new Activation.ELU(1f), new Activation.ELU(0.3f),
            new Activation.Sigmoid(), new Activation.Tanh(), new Activation.GELU(),
            new Activation.Softmax(-1), new Activation.Softmax(0));

    @Test
    void everyActivationIsCovered() {
        Set<Class<?>> covered = new HashSet<>();
        for (Activation a : ALL) covered.add(a.getClass());
        for (Class<?> c : Activation.class.getPermittedSubclasses()) {
            assertTrue(covered.contains(c), c.getSimpleName() + " has no gradient check here");
        }
    }

    @Test
    void gradientOfEveryActivation() {
        Random rng = new Random(13);
        for (Activation a : ALL) {
            for (int[] shape : new int[][] {{3, 5}, {1, 4}, {7, 1}}) {
                // |x| ≥ 0.1 keeps ReLU, LeakyReLU and ELU off their kink at 0
                Tensor x = awayFromZero(rng, 0.1, 2.5, shape);
                try {
                    gradcheck(in -> a.forward(in[0]), x);
                } catch (AssertionError e) {
                    throw new AssertionError(a + " on " + java.util.Arrays.toString(shape) + ": " + e.getMessage(), e);
                }
            }
        }
    }

    @Test
    void forwardValues() {
        Tensor x = Tensor.of(new float[] {-2f, -0.5f, 0.5f, 3f}, 4);
        double[] xv = doubles(x);
        double[] leaky = new double[4], elu = new double[4];
        for (int i = 0; i < 4; i++) {
            leaky[i] = xv[i] > 0 ? xv[i] : 0.05 * xv[i];
            elu[i] = xv[i] > 0 ? xv[i] : 0.3 * (Math.exp(xv[i]) - 1);
        }
        Tensor l = new Activation.LeakyReLU(0.05f).forward(x), e = new Activation.ELU(0.3f).forward(x);
        for (int i = 0; i < 4; i++) {
            assertEquals(leaky[i], l.get(i), 1e-7);
            assertEquals(elu[i], e.get(i), 1e-7);
            assertEquals(Math.max(0, xv[i]), new Activation.ReLU().forward(x).get(i));
        }
        Tensor sm = new Activation.Softmax(-1).forward(x);
        double z = 0;
        for (double v : xv) z += Math.exp(v);
        for (int i = 0; i < 4; i++) assertEquals(Math.exp(xv[i]) / z, sm.get(i), 1e-7);
    }

    @Test
    void namedActivations() {
        assertInstanceOf(Activation.ReLU.class, Activation.named("relu"));
        assertInstanceOf(Activation.LeakyReLU.class, Activation.named("Leaky-ReLU"));
        assertInstanceOf(Activation.GELU.class, Activation.named("gelu"));
        String msg = assertThrows(IllegalArgumentException.class, () -> Activation.named("swish")).getMessage();
        assertTrue(msg.contains("swish") && msg.contains("relu") && msg.contains("softmax"), msg);
    }

    @Test
    void everyActivationIsRebuiltFromItsNameAndSettings() {
        Set<String> names = new HashSet<>();
        for (Activation a : ALL) {
            Activation back = Activation.create(a.name(), a.settings());
            assertEquals(a.getClass(), back.getClass(), a.name());
            assertEquals(a.settings(), back.settings(), a.name());
            assertTrue(Activation.NAMES.contains(a.name()), a.name());
            names.add(a.name());
        }
        assertEquals(Set.copyOf(Activation.NAMES), names, "every name has a class");
        String msg = assertThrows(IllegalArgumentException.class,
                () -> Activation.create("elu", java.util.Map.of("slope", 1f))).getMessage();
        assertTrue(msg.contains("elu has no setting 'slope'") && msg.contains("alpha"), msg);
    }
}

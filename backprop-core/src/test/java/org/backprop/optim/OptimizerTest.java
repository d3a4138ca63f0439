package org.backprop.optim;

import static org.backprop.optim.OptimTesting.param;
import static org.backprop.optim.OptimTesting.setGrad;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;
import org.backprop.nn.Parameter;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Behaviour every optimizer shares: it minimises a loss, and its state survives a checkpoint. */
class OptimizerTest {

    /** Each optimizer with every state buffer it can keep switched on. */
    static Stream<Arguments> optimizers() {
        return Stream.of(
                opt("SGD", ps -> new SGD(ps, SGD.Options.defaults().lr(0.02).momentum(0.9).nesterov(true).weightDecay(1e-3))),
                opt("SGD plain", ps -> new SGD(ps, 0.05)),
                opt("Adam", ps -> new Adam(ps, Adam.Options.defaults().lr(0.05).amsgrad(true).weightDecay(1e-3))),
                opt("AdamW", ps -> new AdamW(ps, AdamW.defaults().lr(0.05))),
                opt("RMSprop", ps -> new RMSprop(ps, RMSprop.Options.defaults().lr(0.01).momentum(0.5).centered(true))),
                opt("Adagrad", ps -> new Adagrad(ps, Adagrad.Options.defaults().lr(0.5).lrDecay(1e-3).initialAccumulatorValue(0.1))));
    }

    private static Arguments opt(String name, Function<List<Parameter>, Optimizer> make) {
        return Arguments.of(name, make);
    }

    // ---------------------------------------------------------------- a quadratic bowl

    private static final Tensor TARGET_A = Tensor.of(new float[] {1.5f, -2f, 0.5f, 3f}, 2, 2);
    private static final Tensor CURVATURE_A = Tensor.of(new float[] {4f, 1f, 0.25f, 2f}, 2, 2);
    private static final Tensor TARGET_C = Tensor.of(new float[] {-1f, 0.5f, 2f}, 3);

    /**
     * L = Σ h⊙(A − T_A)² + Σ (c − T_c)², built from tensor operations so that backward()
     * produces the gradients. {@code withC} false leaves c out, so c gets no gradient.
     */
    private static Tensor loss(Parameter a, Parameter c, boolean withC) {
        Tensor l = a.value().sub(TARGET_A).square().mul(CURVATURE_A).sum();
        return withC ? l.add(c.value().sub(TARGET_C).square().sum()) : l;
    }

    private static List<Parameter> freshParams() {
        return List.of(new Parameter(Tensor.zeros(2, 2)), new Parameter(Tensor.of(new float[] {0.5f, 0.5f, 0.5f}, 3)));
    }

    /** Steps {@code from} (inclusive) to {@code to}; c joins the loss from step 2 on. */
    private static void train(Optimizer opt, List<Parameter> ps, int from, int to) {
        for (int k = from; k < to; k++) {
            opt.zeroGrad();
            loss(ps.get(0), ps.get(1), k >= 2).backward();
            opt.step();
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void reducesAQuadraticLoss(String name, Function<List<Parameter>, Optimizer> make) {
        List<Parameter> ps = freshParams();
        Optimizer opt = make.apply(ps);
        float initial = loss(ps.get(0), ps.get(1), true).item();
        train(opt, ps, 2, 302);
        float last = loss(ps.get(0), ps.get(1), true).item();
        assertTrue(last < 1e-2 * initial, name + ": loss went from " + initial + " to " + last);
    }

    // ---------------------------------------------------------------- checkpoints

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void saveLoadAndContinueGivesTheUninterruptedWeights(String name, Function<List<Parameter>, Optimizer> make) {
        List<Parameter> straight = freshParams();
        train(make.apply(straight), straight, 0, 7);

        // Checkpoint after step 2 (c has no state yet) and after step 5 (both have state, with
        // different step counts); each time rebuild parameters and optimizer from the saved data.
        List<Parameter> ps = freshParams();
        Optimizer opt = make.apply(ps);
        int[] stops = {0, 2, 5, 7};
        for (int s = 0; s + 1 < stops.length; s++) {
            if (s > 0) {
                Map<String, Tensor> state = opt.stateDict();
                List<Parameter> restored = new ArrayList<>();
                for (Parameter p : ps) restored.add(new Parameter(p.value().copy()));
                ps = restored;
                opt = make.apply(ps);
                opt.loadStateDict(state);
                assertEquals(stops[s], opt.stepCount());
            }
            train(opt, ps, stops[s], stops[s + 1]);
        }
        for (int i = 0; i < ps.size(); i++) {
            assertArrayEquals(straight.get(i).data(), ps.get(i).data(), name + ": parameter " + i);
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("optimizers")
    void loadingAFreshStateForgetsTheHistory(String name, Function<List<Parameter>, Optimizer> make) {
        // The opposite check: continuing without the saved state gives other weights, so the test
        // above depends on loadStateDict (SGD without momentum has no state to lose).
        List<Parameter> straight = freshParams();
        train(make.apply(straight), straight, 0, 6);
        List<Parameter> ps = freshParams();
        train(make.apply(ps), ps, 0, 3);
        Optimizer fresh = make.apply(ps);
        if (fresh.stateNames().isEmpty()) return;
        train(fresh, ps, 3, 6);
        assertTrue(!java.util.Arrays.equals(straight.get(0).data(), ps.get(0).data()), name);
    }

    @Test
    void stateDictHasPyTorchNamesAndIsASnapshot() {
        Parameter a = param(1.0, 2.0), c = param(3.0);
        Adam opt = new Adam(List.of(a, c), Adam.Options.defaults().amsgrad(true));
        setGrad(a, 0.5, -0.5);
        opt.step();
        Map<String, Tensor> state = opt.stateDict();
        assertEquals(List.of("step", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq", "state.0.max_exp_avg_sq"),
                List.copyOf(state.keySet()));
        assertEquals(1f, state.get("state.0.step").item());
        // m = 0.1·g after one step.
        assertArrayEquals(new float[] {0.05f, -0.05f}, state.get("state.0.exp_avg").toFloatArray(), 1e-9f);
        assertArrayEquals(new int[] {2}, state.get("state.0.exp_avg").shape());

        opt.step();
        assertArrayEquals(new float[] {0.05f, -0.05f}, state.get("state.0.exp_avg").toFloatArray(), 1e-9f, "a copy");
        assertEquals(1f, state.get("step").item());
    }

    @Test
    void keysPerOptimizerAndOptions() {
        Parameter p = param(1.0);
        setGrad(p, 1.0);
        assertEquals(List.of("step"), keys(new SGD(List.of(p), 0.1)));
        assertEquals(List.of("step", "state.0.momentum_buffer"), keys(new SGD(List.of(p), SGD.Options.defaults().momentum(0.9))));
        assertEquals(List.of("step", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"), keys(new AdamW(List.of(p))));
        assertEquals(List.of("step", "state.0.step", "state.0.square_avg"), keys(new RMSprop(List.of(p))));
        assertEquals(List.of("step", "state.0.step", "state.0.square_avg", "state.0.momentum_buffer", "state.0.grad_avg"),
                keys(new RMSprop(List.of(p), RMSprop.Options.defaults().momentum(0.9).centered(true))));
        assertEquals(List.of("step", "state.0.step", "state.0.sum"), keys(new Adagrad(List.of(p))));
    }

    private static List<String> keys(Optimizer opt) {
        opt.step();
        return List.copyOf(opt.stateDict().keySet());
    }

    @Test
    void loadStateDictRejectsBadStateAndChangesNothing() {
        Parameter a = param(1.0, 2.0);
        Adam opt = new Adam(List.of(a));
        setGrad(a, 0.5, -0.5);
        opt.step();
        Map<String, Tensor> good = opt.stateDict();

        assertLoadFails(opt, without(good, "step"), "loadStateDict (Adam): missing key 'step'");
        assertLoadFails(opt, without(good, "state.0.exp_avg_sq"), "loadStateDict (Adam): missing key 'state.0.exp_avg_sq'");
        assertLoadFails(opt, with(good, "state.0.exp_avg", Tensor.zeros(3)),
                "loadStateDict (Adam): shape mismatch for 'state.0.exp_avg': parameter 0 has shape [2], found [3]");
        assertLoadFails(opt, with(good, "state.0.max_exp_avg_sq", Tensor.zeros(2)),
                "loadStateDict (Adam): unexpected key 'state.0.max_exp_avg_sq'; expected 'step' and 'state.<i>.<name>' with name in [step, exp_avg, exp_avg_sq]");
        assertLoadFails(opt, with(good, "state.1.exp_avg", Tensor.zeros(2)),
                "loadStateDict (Adam): unexpected key 'state.1.exp_avg': this optimizer has 1 parameters");
        assertLoadFails(opt, with(good, "0.weight", Tensor.zeros(2)),
                "loadStateDict (Adam): unexpected key '0.weight'; expected 'step' and 'state.<i>.<name>' with name in [step, exp_avg, exp_avg_sq]");
        assertLoadFails(opt, with(good, "state.0.step", Tensor.of(new float[] {1.5f}, 1)),
                "loadStateDict (Adam): 'state.0.step' must be a whole number in [0, 16777216], found 1.5");
        assertLoadFails(opt, with(good, "step", Tensor.zeros(2)), "loadStateDict (Adam): 'step' must hold one value, found shape [2]");

        // Nothing above changed the optimizer.
        assertStateEquals(good, opt.stateDict());
    }

    @Test
    void loadingStateWithoutParameterEntriesClearsTheirState() {
        Parameter a = param(1.0);
        Adam opt = new Adam(List.of(a));
        setGrad(a, 0.5);
        opt.step();
        opt.loadStateDict(Map.of("step", Tensor.of(new float[] {0f}, 1)));
        assertEquals(List.of("step"), List.copyOf(opt.stateDict().keySet()));
        opt.step();
        // A fresh first Adam step again moves by lr.
        assertEquals(1.0 - 2e-3, a.data()[0], 1e-7);
    }

    @Test
    void stepCountsBeyondFloatPrecisionAreRefusedOnSave() {
        Parameter a = param(1.0);
        SGD opt = new SGD(List.of(a), 0.1);
        setGrad(a, 0.5);
        opt.loadStateDict(Map.of("step", Tensor.of(new float[] {16777216f}, 1)));
        opt.stateDict();
        opt.step();
        var e = assertThrows(IllegalStateException.class, opt::stateDict);
        assertEquals("stateDict: step = 16777217 exceeds 16777216, the largest count a float32 tensor holds exactly", e.getMessage());
    }

    @Test
    void parametersWithoutAGradientAreLeftAlone() {
        Parameter a = param(1.0), b = param(2.0);
        Adam opt = new Adam(List.of(a, b));
        setGrad(a, 0.5);
        opt.step();
        assertEquals(2f, b.data()[0]);
        assertNull(b.grad());
        assertEquals(List.of("step", "state.0.step", "state.0.exp_avg", "state.0.exp_avg_sq"), List.copyOf(opt.stateDict().keySet()));
    }

    @Test
    void constructorChecks() {
        Parameter a = param(1.0);
        assertEquals("SGD: parameter 1 appears more than once in the parameter list",
                assertThrows(IllegalArgumentException.class, () -> new SGD(List.of(a, a), 0.1)).getMessage());
        assertEquals("Adam: no parameters to optimize",
                assertThrows(IllegalArgumentException.class, () -> new Adam(List.of())).getMessage());
        Adam opt = new Adam(List.of(a));
        assertEquals("Invalid learning rate: NaN", assertThrows(IllegalArgumentException.class, () -> opt.setLr(Double.NaN)).getMessage());
        opt.setLr(0.5);
        assertEquals(0.5, opt.lr());
    }

    private static void assertLoadFails(Optimizer opt, Map<String, Tensor> state, String message) {
        assertEquals(message, assertThrows(IllegalArgumentException.class, () -> opt.loadStateDict(state)).getMessage());
    }

    private static Map<String, Tensor> without(Map<String, Tensor> m, String key) {
        Map<String, Tensor> out = new LinkedHashMap<>(m);
        out.remove(key);
        return out;
    }

    private static Map<String, Tensor> with(Map<String, Tensor> m, String key, Tensor t) {
        Map<String, Tensor> out = new LinkedHashMap<>(m);
        out.put(key, t);
        return out;
    }

    private static void assertStateEquals(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray(), k);
        }
    }
}

package org.backprop.nn;

import static org.backprop.tensor.Fixtures.gradcheck;
import static org.backprop.tensor.Fixtures.uniform;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Sequential composition, PyTorch-style parameter names, and saving/loading state. */
class SequentialTest {

    private static Sequential mlp(long seed) {
        Random rng = new Random(seed);
        return new Sequential(new Linear(3, 4, rng), new Activation.Tanh(), new Linear(4, 2, rng), new Activation.Sigmoid());
    }

    @Test
    void parametersAreNamedByPosition() {
        Sequential net = mlp(1);
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.namedParameters().keySet()));
        assertEquals(List.of("0.weight", "0.bias", "2.weight", "2.bias"), new ArrayList<>(net.stateDict().keySet()));
        assertEquals(3 * 4 + 4 + 4 * 2 + 2, net.parameterCount());
        Sequential nested = new Sequential(new Activation.ReLU(), mlp(2));
        assertTrue(nested.namedParameters().containsKey("1.2.bias"), nested.namedParameters().keySet().toString());
        assertEquals(4, nested.parameters().size());
    }

    @Test
    void forwardAppliesTheLayersInOrder() {
        Sequential net = mlp(3);
        Tensor x = uniform(new Random(4), -1, 1, 5, 3).requiresGrad(false);
        Tensor expected = net.get(3).forward(net.get(2).forward(net.get(1).forward(net.get(0).forward(x))));
        assertArrayEquals(expected.toFloatArray(), net.forward(x).toFloatArray());
        assertEquals(4, net.size());
    }

    @Test
    void gradientsOfAnMlpWithRespectToEveryParameterAndTheInput() {
        Sequential net = mlp(5);
        List<Tensor> inputs = new ArrayList<>();
        for (Parameter p : net.parameters()) inputs.add(p.value());
        inputs.add(uniform(new Random(6), -1, 1, 3, 3));
        gradcheck(in -> net.forward(in[4]), inputs.toArray(Tensor[]::new));
    }

    @Test
    void stateDictRoundTrip() {
        Sequential a = mlp(10), b = mlp(11);
        Tensor x = uniform(new Random(12), -1, 1, 2, 3).requiresGrad(false);
        assertFalse(java.util.Arrays.equals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray()));
        b.loadStateDict(a.stateDict());
        assertArrayEquals(a.forward(x).toFloatArray(), b.forward(x).toFloatArray());
        // loading copies: changing the source afterwards leaves the loaded module alone
        a.parameters().get(0).data()[0] += 1f;
        assertNotEquals(a.parameters().get(0).data()[0], b.parameters().get(0).data()[0]);
    }

    @Test
    void loadStateDictReportsMissingUnexpectedAndMisshapenKeys() {
        Sequential net = mlp(20);
        Map<String, Tensor> missing = new LinkedHashMap<>(net.stateDict());
        missing.remove("2.bias");
        String m = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(missing)).getMessage();
        assertTrue(m.contains("missing") && m.contains("2.bias"), m);

        Map<String, Tensor> wrongShape = new LinkedHashMap<>(net.stateDict());
        wrongShape.put("0.weight", Tensor.zeros(3, 4)); // transposed: the layer stores [out, in] = [4, 3]
        String s = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(wrongShape)).getMessage();
        assertTrue(s.contains("0.weight") && s.contains("[4, 3]") && s.contains("[3, 4]"), s);

        Map<String, Tensor> extra = new LinkedHashMap<>(net.stateDict());
        extra.put("4.weight", Tensor.zeros(1));
        String e = assertThrows(IllegalArgumentException.class, () -> net.loadStateDict(extra)).getMessage();
        assertTrue(e.contains("4.weight"), e);
    }

    @Test
    void trainAndEvalReachEveryDescendant() {
        Sequential net = new Sequential(mlp(1), new Activation.ReLU());
        net.eval();
        assertFalse(net.get(0).isTraining());
        assertFalse(((Sequential) net.get(0)).get(2).isTraining());
        net.train();
        assertTrue(((Sequential) net.get(0)).get(2).isTraining());
    }

    @Test
    void reluBeforeMaxPoolRunsPooledFirstWithTheSameValuesAndGradients() {
        // Windows with ties, all-negative windows, exact zeros and a padded 3×3 pool with stride 2.
        float[] v = {
            1, 1, -2, -3, 0, 5, 5, 0,
            -1, -1, -4, -3, 0, 0, 2, 2,
            3, -7, 0, 0, -1, 4, -2, 9,
            3, 2, 0, 0, -1, 4, 6, -9,
            -5, -5, -5, -5, 7, 7, 7, 7,
            -6, -6, -6, -6, 7, 7, 7, 7};
        for (MaxPool2d pool : new MaxPool2d[] {new MaxPool2d(2), new MaxPool2d(3, 2, 1)}) {
            float[] twoChannels = new float[2 * v.length]; // the second channel is the first negated
            for (int i = 0; i < v.length; i++) {
                twoChannels[i] = v[i];
                twoChannels[v.length + i] = -v[i];
            }
            Tensor x = Tensor.wrap(twoChannels, 1, 2, 6, 8).requiresGrad(true);
            Tensor fused = new Sequential(new Activation.ReLU(), pool).forward(x);
            Tensor g = uniform(new Random(3), 0.5, 1.5, fused.shape());
            fused.backward(g);
            float[] fusedGrad = x.grad().toFloatArray();

            Tensor y = x.detach().requiresGrad(true);
            Tensor oneByOne = pool.forward(new Activation.ReLU().forward(y)); // the layers as written
            oneByOne.backward(g);
            assertArrayEquals(oneByOne.toFloatArray(), fused.toFloatArray(), pool.toString());
            assertArrayEquals(y.grad().toFloatArray(), fusedGrad, pool.toString());
        }
        // and a finite-difference check of the pair on random inputs (no ties), batch of 1 and odd sizes
        Sequential pair = new Sequential(new Activation.ReLU(), new MaxPool2d(2));
        gradcheck(in -> pair.forward(in[0]), spread(new Random(4), 2, 3, 5, 7).requiresGrad(true));
        gradcheck(in -> pair.forward(in[0]), spread(new Random(5), 1, 1, 4, 4).requiresGrad(true));
    }

    /** Distinct values 0.05 apart, none within 0.025 of 0: finite differences cross no kink and no tie. */
    private static Tensor spread(Random rng, int... shape) {
        int n = 1;
        for (int d : shape) n *= d;
        List<Integer> order = new ArrayList<>();
        for (int i = 0; i < n; i++) order.add(i);
        java.util.Collections.shuffle(order, rng);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (order.get(i) - n / 2) * 0.05f + 0.025f;
        return Tensor.wrap(v, shape);
    }
}

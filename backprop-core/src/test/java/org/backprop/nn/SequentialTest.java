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
}

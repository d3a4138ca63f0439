package org.backprop.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.backprop.data.Dataset;
import org.backprop.nn.Parameter;
import org.backprop.nn.Sequential;
import org.backprop.optim.Adam;
import org.backprop.optim.AdamW;
import org.backprop.optim.GradClip;
import org.backprop.optim.Optimizer;
import org.backprop.optim.SGD;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/**
 * The Trainer takes the optimizer step inside the backward pass by default; the weights and the
 * optimizer state after a fit are exactly those of the classic zeroGrad, backward, step loop.
 */
class TrainerFusedStepTest {

    private static Map<String, Tensor> fit(Function<List<Parameter>, Optimizer> make, boolean fused, Callback callback) {
        Sequential model = TestSupport.mlp(4, 2, 8, 8, 1);
        Optimizer opt = make.apply(model.parameters()).fused(fused);
        Trainer trainer = new Trainer(model, TestSupport.MSE, opt);
        if (callback != null) trainer.callback(callback);
        Dataset data = TestSupport.linear(96, 3, 0.1);
        trainer.fit(data, FitConfig.of(Task.REGRESSION).withEpochs(3).withBatchSize(16));
        Map<String, Tensor> out = new java.util.LinkedHashMap<>(model.stateDict());
        opt.stateDict().forEach((k, v) -> out.put("opt." + k, v));
        return out;
    }

    private static void assertSameBits(Map<String, Tensor> expected, Map<String, Tensor> actual) {
        assertEquals(expected.keySet(), actual.keySet());
        for (String k : expected.keySet()) {
            assertArrayEquals(expected.get(k).toFloatArray(), actual.get(k).toFloatArray(), k);
        }
    }

    @Test
    void fusedFitsGiveTheBitsOfUnfusedOnesForSgdAdamAndAdamW() {
        List<Function<List<Parameter>, Optimizer>> rules = List.of(
                p -> new SGD(p, SGD.Options.defaults().lr(0.05).momentum(0.9)),
                p -> new Adam(p, 1e-2),
                p -> new AdamW(p, 1e-2));
        for (var rule : rules) {
            assertEquals(true, rule.apply(TestSupport.mlp(4, 2, 1).parameters()).fused(), "fused by default");
            assertSameBits(fit(rule, false, null), fit(rule, true, null));
        }
    }

    @Test
    void aCallbackThatClipsGradientsGetsThemAllBeforeTheStep() {
        Callback clip = new Callback() {
            @Override
            public void beforeStep(List<Parameter> parameters) {
                GradClip.clipGradNorm(parameters, 0.05);
            }
        };
        // With the callback the Trainer takes the unfused path whatever the optimizer's setting.
        assertSameBits(fit(p -> new Adam(p, 1e-2), false, clip), fit(p -> new Adam(p, 1e-2), true, clip));
    }

    /** Fits {@code model()} on {@code data} with Adam, fused or not; returns the weights and the state. */
    private static Map<String, Tensor> fitModel(java.util.function.Supplier<org.backprop.nn.Module> model, Dataset data,
            boolean fused) {
        org.backprop.nn.Module net = model.get();
        Optimizer opt = new Adam(net.parameters(), 1e-2).fused(fused);
        new Trainer(net, TestSupport.MSE, opt).fit(data, FitConfig.of(Task.REGRESSION).withEpochs(2).withBatchSize(8));
        Map<String, Tensor> out = new java.util.LinkedHashMap<>(net.stateDict());
        opt.stateDict().forEach((k, v) -> out.put("opt." + k, v));
        return out;
    }

    /** Layers whose backward reads their parameters (normalisation, recurrent cells) give the same bits too. */
    @Test
    void normalisationAndRecurrentLayersGiveTheSameBitsFused() {
        java.util.function.Supplier<org.backprop.nn.Module> norm = () -> {
            java.util.Random rng = new java.util.Random(7);
            return new Sequential(new org.backprop.nn.Linear(2, 8, rng), new org.backprop.nn.BatchNorm1d(8),
                    new org.backprop.nn.Activation.Tanh(), new org.backprop.nn.LayerNorm(8), new org.backprop.nn.Linear(8, 1, rng));
        };
        assertSameBits(fitModel(norm, TestSupport.linear(48, 5, 0.1), false), fitModel(norm, TestSupport.linear(48, 5, 0.1), true));

        java.util.Random d = new java.util.Random(8);
        Dataset seq = new Dataset(Tensor.randn(d, 32, 5, 3), Tensor.randn(d, 32, 1));
        for (boolean lstm : new boolean[] {true, false}) {
            java.util.function.Supplier<org.backprop.nn.Module> rnn = () -> {
                java.util.Random rng = new java.util.Random(9);
                return new Sequential(lstm ? new org.backprop.nn.LSTM(3, 6, 1, false, true, 0f, rng)
                        : new org.backprop.nn.GRU(3, 6, 1, false, true, 0f, rng), new org.backprop.nn.LastStep(),
                        new org.backprop.nn.Linear(6, 1, rng));
            };
            assertSameBits(fitModel(rnn, seq, false), fitModel(rnn, seq, true));
        }
    }
}

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
}

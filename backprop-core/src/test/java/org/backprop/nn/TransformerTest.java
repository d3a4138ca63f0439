package org.backprop.nn;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.backprop.autograd.GradCheck;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** GradChecks of the attention layer, the block and the GPT, and the GPT's shape of things. */
class TransformerTest {

    private static void perturb(Module m, Random rng) {
        for (Parameter p : m.parameters()) {
            float[] w = p.data();
            for (int i = 0; i < w.length; i++) w[i] += (float) (0.3 * rng.nextGaussian());
        }
    }

    @Test
    void multiheadAttentionGradChecks() {
        Random rng = new Random(5);
        MultiheadAttention m = new MultiheadAttention(4, 2, rng);
        perturb(m, rng);
        Tensor[] params = m.parameters().stream().map(Parameter::value).toArray(Tensor[]::new);
        Tensor x = Tensor.randn(rng, 2, 3, 4).requiresGrad(true);
        GradCheck.check(in -> m.selfAttention(in[0], true, null), concat(x, params));
        Tensor kv = Tensor.randn(rng, 2, 5, 4).requiresGrad(true);
        GradCheck.check(in -> m.forward(in[0], in[1], in[1], null, false), x, kv);
    }

    @Test
    void transformerBlockGradChecks() {
        Random rng = new Random(6);
        TransformerBlock b = new TransformerBlock(4, 2, 0f, rng);
        perturb(b, rng);
        Tensor[] params = b.parameters().stream().map(Parameter::value).toArray(Tensor[]::new);
        GradCheck.check(in -> b.forward(in[0]), concat(Tensor.randn(rng, 2, 3, 4).requiresGrad(true), params));
    }

    @Test
    void gptGradChecksThroughTheTiedHead() {
        Random rng = new Random(7);
        Gpt g = new Gpt(new Gpt.Config(5, 4, 1, 2, 4, 0f), rng);
        perturb(g, rng);
        Tensor ids = Tensor.of(new float[] {0, 3, 4, 1, 2, 2}, 2, 3);
        Tensor[] params = g.parameters().stream().map(Parameter::value).toArray(Tensor[]::new);
        GradCheck.check(in -> g.forward(ids), params);
    }

    @Test
    void nanoGptCpuConfigurationHasThePeersParameterCountAndNames() {
        Gpt g = new Gpt(Gpt.Config.nanoCpu(65), new Random(0));
        assertEquals(809_856, g.parameterCount());
        var names = g.namedParameters().keySet();
        assertTrue(names.contains("wte.weight") && names.contains("wpe.weight") && names.contains("ln_f.bias"));
        assertTrue(names.contains("blocks.3.attn.in_proj_weight") && names.contains("blocks.0.fc2.weight"), names.toString());
        // nanoGPT's init: residual projections have a smaller spread than the others
        float[] fc2 = g.blocks[0].fc2.weight.data(), fc = g.blocks[0].fc.weight.data();
        assertEquals(0.02 / Math.sqrt(8), std(fc2), 0.001);
        assertEquals(0.02, std(fc), 0.001);
        assertEquals(0f, g.blocks[0].fc.bias.data()[7]);
    }

    @Test
    void laterTokensDoNotChangeEarlierLogits() {
        Gpt g = new Gpt(new Gpt.Config(7, 6, 2, 2, 8, 0f), new Random(8));
        float[] a = g.logits(new int[] {1, 2, 3, 4}, 1, 4).toFloatArray();
        float[] b = g.logits(new int[] {1, 2, 3, 6}, 1, 4).toFloatArray();
        for (int i = 0; i < 3 * 7; i++) assertEquals(a[i], b[i], 1e-6, "logit " + i);
        assertTrue(a[3 * 7] != b[3 * 7]);
    }

    @Test
    void gptRejectsBadTokensAndOverlongInput() {
        Gpt g = new Gpt(new Gpt.Config(7, 4, 1, 1, 4, 0f), new Random(9));
        var e = assertThrows(IllegalArgumentException.class, () -> g.logits(new int[] {1, 9}, 1, 2));
        assertTrue(e.getMessage().contains("token id 9"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.logits(new int[5], 1, 5));
        assertTrue(e.getMessage().contains("context"), e.getMessage());
        assertNull(g.wte.weight.grad());
    }

    private static double std(float[] w) {
        double s = 0;
        for (float f : w) s += (double) f * f;
        return Math.sqrt(s / w.length);
    }

    private static Tensor[] concat(Tensor first, Tensor[] rest) {
        Tensor[] all = new Tensor[rest.length + 1];
        all[0] = first;
        System.arraycopy(rest, 0, all, 1, rest.length);
        return all;
    }
}

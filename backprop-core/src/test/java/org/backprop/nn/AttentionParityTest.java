package org.backprop.nn;

import java.util.Map;
import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Outputs and every gradient against PyTorch (fixtures from scripts/torch_attention_fixtures.py). */
class AttentionParityTest {

    private static MultiheadAttention mha(TorchCase c, int heads) {
        Tensor w = c.state().get("in_proj_weight");
        MultiheadAttention m = new MultiheadAttention(w.size(1), heads, new Random(0));
        m.loadStateDict(c.state());
        return m;
    }

    @Test
    void multiheadAttentionWithoutMaskMatchesPyTorch() {
        TorchCase c = TorchCase.load("mha_plain");
        MultiheadAttention m = mha(c, 2);
        Tensor x = c.input("x");
        c.verify(m, Map.of("x", x), m.forward(x));
    }

    @Test
    void multiheadAttentionWithCausalMaskMatchesPyTorch() {
        TorchCase c = TorchCase.load("mha_causal");
        MultiheadAttention m = mha(c, 2);
        Tensor x = c.input("x");
        c.verify(m, Map.of("x", x), m.selfAttention(x, true, null));
    }

    @Test
    void crossAttentionWithKeyPaddingMatchesPyTorch() {
        TorchCase c = TorchCase.load("mha_cross_padding");
        MultiheadAttention m = mha(c, 2);
        Tensor q = c.input("query"), k = c.input("key"), v = c.input("value");
        var flags = c.json().getAsJsonArray("key_padding");
        boolean[] pad = new boolean[flags.size()];
        for (int i = 0; i < pad.length; i++) pad[i] = flags.get(i).getAsBoolean();
        c.verify(m, Map.of("query", q, "key", k, "value", v), m.forward(q, k, v, pad, false));
    }

    @Test
    void gptBlockMatchesPyTorch() {
        TorchCase c = TorchCase.load("gpt_block");
        Tensor x = c.input("x");
        TransformerBlock b = new TransformerBlock(x.size(2), c.json().get("heads").getAsInt(), 0f, new Random(0));
        b.loadStateDict(c.state());
        c.verify(b, Map.of("x", x), b.forward(x));
    }
}

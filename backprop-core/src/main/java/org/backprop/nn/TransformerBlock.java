package org.backprop.nn;

import java.util.Random;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * A pre-LayerNorm transformer decoder block, as in GPT-2 and nanoGPT:
 * <pre>
 *   x ← x + drop(attn(ln1(x)))          causal multi-head self-attention
 *   x ← x + drop(fc2(gelu(fc(ln2(x)))))  MLP of width 4·C, exact GELU
 * </pre>
 * Input and output [B, T, C]. Children (state-dict prefixes): {@code ln1}, {@code attn}
 * ({@link MultiheadAttention}), {@code ln2}, {@code fc} (C→4C), {@code fc2} (4C→C). Dropout sits
 * where nanoGPT has it on the residual branches; the attention weights themselves are not
 * dropped. The residual stream is handled as [B·T, C] rows, so every Linear is one product.
 */
public final class TransformerBlock extends Module {
    public final int width;
    public final LayerNorm ln1;
    public final MultiheadAttention attn;
    public final LayerNorm ln2;
    public final Linear fc;
    public final Linear fc2;
    private final Dropout drop;

    /** PyTorch's default initialisation of each part; {@link Gpt} re-initialises as nanoGPT. */
    public TransformerBlock(int width, int heads, float dropout, Random rng) {
        this.width = width;
        this.ln1 = registerModule("ln1", new LayerNorm(width));
        this.attn = registerModule("attn", new MultiheadAttention(width, heads, rng));
        this.ln2 = registerModule("ln2", new LayerNorm(width));
        this.fc = registerModule("fc", new Linear(width, 4 * width, rng));
        this.fc2 = registerModule("fc2", new Linear(4 * width, width, rng));
        this.drop = registerModule("drop", new Dropout(dropout, rng));
    }

    @Override
    public Tensor forward(Tensor x) {
        if (x.dim() != 3 || x.size(2) != width) {
            throw new IllegalArgumentException("TransformerBlock(" + width + "): input must be [batch, time, " + width + "], got "
                    + Shape.str(x.shape()));
        }
        int b = x.size(0), t = x.size(1);
        if (drop.p == 0 || !drop.isTraining()) {
            // Dropout is the identity: each residual add is done by the product that ends its branch
            // (out_proj, fc2), with no pass and no array of its own.
            Tensor h = attn.selfAttentionPlus(ln1.forward(x), true, x.reshape(b * t, width));
            Tensor m = fc.forward(ln2.forward(h)).gelu();
            return Linear.linear(m, fc2.weight.value(), fc2.bias.value(), h).reshape(b, t, width);
        }
        Tensor a = attn.selfAttention(ln1.forward(x), true, null);
        Tensor h = x.add(drop.forward(a)).reshape(b * t, width);
        Tensor m = fc2.forward(fc.forward(ln2.forward(h)).gelu());
        return h.add(drop.forward(m)).reshape(b, t, width);
    }

    @Override
    protected String extraRepr() {
        return "width=" + width + ", heads=" + attn.heads;
    }
}

package org.backprop.nn;

import java.util.Random;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Multi-head attention, PyTorch's {@code nn.MultiheadAttention(E, heads, batch_first=True)}
 * without dropout on the attention weights: the query, key and value projections packed in one
 * {@code in_proj_weight} [3E, E] and {@code in_proj_bias} [3E] (rows 0..E−1 the query's, then
 * the key's, then the value's), {@link Attention} per head, and {@code out_proj} (a Linear E→E).
 * Inputs are batch-first [B, T, E]. State-dict names and initialisation are PyTorch's: Xavier
 * uniform in_proj_weight, out_proj.weight U(−1/√E, 1/√E), zero biases.
 *
 * <p>For self-attention ({@link #selfAttention}) the three projections are one product giving
 * [B, T, 3E], and attention reads each head's query, key and value from it in place.
 */
public final class MultiheadAttention extends Module {
    public final int embedDim;
    public final int heads;
    public final Parameter inProjWeight; // [3E, E]
    public final Parameter inProjBias;   // [3E]
    public final Linear outProj;

    public MultiheadAttention(int embedDim, int heads, Random rng) {
        if (embedDim <= 0 || heads <= 0 || embedDim % heads != 0) {
            throw new IllegalArgumentException("MultiheadAttention: embedDim " + embedDim + " must be a positive multiple of heads "
                    + heads);
        }
        this.embedDim = embedDim;
        this.heads = heads;
        this.inProjWeight = registerParameter("in_proj_weight", new Parameter(Tensor.zeros(3 * embedDim, embedDim)));
        Init.xavierUniform().fill(inProjWeight.value(), rng);
        this.inProjBias = registerParameter("in_proj_bias", new Parameter(Tensor.zeros(3 * embedDim)));
        this.outProj = registerModule("out_proj", new Linear(embedDim, embedDim, true, Init.uniform(1 / Math.sqrt(embedDim)), rng));
    }

    /** Self-attention of x [B, T, E] with no mask. */
    @Override
    public Tensor forward(Tensor x) {
        return selfAttention(x, false, null);
    }

    /**
     * Self-attention: query = key = value = x [B, T, E]; result [B, T, E].
     *
     * @param causal     position i attends to positions ≤ i only
     * @param keyPadding null, or B·T flags (row-major), true = that position is ignored as a key
     */
    public Tensor selfAttention(Tensor x, boolean causal, boolean[] keyPadding) {
        int[] s = checkInput("input", x);
        return project(attend(x, causal, keyPadding), s[0], s[1]);
    }

    /**
     * residual + selfAttention(x) as rows [B·T, E], residual [B·T, E]: the output projection adds
     * the residual stream as it writes (see {@link Linear#linear(Tensor, Tensor, Tensor, Tensor)}).
     */
    Tensor selfAttentionPlus(Tensor x, boolean causal, Tensor residual) {
        int[] s = checkInput("input", x);
        Tensor y = attend(x, causal, null).reshape(s[0] * s[1], embedDim);
        return Linear.linear(y, outProj.weight.value(), outProj.bias.value(), residual);
    }

    /** The heads' outputs [B, T, E] before the output projection. */
    private Tensor attend(Tensor x, boolean causal, boolean[] keyPadding) {
        int[] s = x.shape();
        Tensor qkv = Linear.linear(x.reshape(s[0] * s[1], embedDim), inProjWeight.value(), inProjBias.value())
                .reshape(s[0], s[1], 3 * embedDim);
        return Attention.selfAttention(qkv, heads, causal, keyPadding);
    }

    /**
     * Attention of query [B, Tq, E] over key and value [B, Tk, E] (PyTorch's
     * {@code forward(query, key, value, key_padding_mask, is_causal)} with batch_first);
     * result [B, Tq, E].
     */
    public Tensor forward(Tensor query, Tensor key, Tensor value, boolean[] keyPadding, boolean causal) {
        int[] qs = checkInput("query", query), ks = checkInput("key", key), vs = checkInput("value", value);
        if (qs[0] != ks[0] || !Shape.same(ks, vs)) {
            throw new IllegalArgumentException("MultiheadAttention: query " + Shape.str(qs) + ", key " + Shape.str(ks)
                    + " and value " + Shape.str(vs) + " must share the batch, and key and value their shape");
        }
        Tensor q = projectPart(query, 0), k = projectPart(key, 1), v = projectPart(value, 2);
        return project(Attention.scaledDotProduct(q, k, v, heads, causal, keyPadding), qs[0], qs[1]);
    }

    /** x [B, T, E] through rows [part·E, (part+1)·E) of the packed projection. */
    private Tensor projectPart(Tensor x, int part) {
        int e = embedDim;
        Tensor w = inProjWeight.value().slice(0, part * e, (part + 1) * e);
        Tensor b = inProjBias.value().slice(0, part * e, (part + 1) * e);
        return Linear.linear(x.reshape(x.size(0) * x.size(1), e), w, b).reshape(x.size(0), x.size(1), e);
    }

    private Tensor project(Tensor y, int batch, int time) {
        return outProj.forward(y.reshape(batch * time, embedDim)).reshape(batch, time, embedDim);
    }

    private int[] checkInput(String what, Tensor x) {
        if (x.dim() != 3 || x.size(2) != embedDim) {
            throw new IllegalArgumentException("MultiheadAttention(" + embedDim + ", " + heads + " heads): " + what
                    + " must be [batch, time, " + embedDim + "], got " + Shape.str(x.shape()));
        }
        return x.shape();
    }

    @Override
    protected String extraRepr() {
        return "embedDim=" + embedDim + ", heads=" + heads;
    }
}

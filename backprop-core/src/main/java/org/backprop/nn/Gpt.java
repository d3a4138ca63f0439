package org.backprop.nn;

import java.util.Arrays;
import java.util.Random;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * A decoder-only transformer language model, nanoGPT's: token embedding {@code wte} plus learned
 * position embedding {@code wpe}, dropout, {@code layers} pre-LN {@link TransformerBlock}s
 * ({@code blocks.0}, ...), a final LayerNorm {@code ln_f}, and a head tied to the token embedding
 * (logits = ln_f(x)·wteᵀ; no separate head weight, so the state dict holds {@code wte.weight} once).
 *
 * <p>Input: token ids [B, T] (T ≤ context), stored as floats like every tensor here; output:
 * logits [B, T, vocab]. {@link #logits(int[], int, int)} gives them as [B·T, vocab], one row per
 * position, ready for cross-entropy.
 *
 * <p>Initialisation as nanoGPT: every Linear and embedding weight N(0, 0.02), the residual
 * projections (attention's out_proj and the MLP's fc2) N(0, 0.02/√(2·layers)), biases 0,
 * LayerNorms 1 and 0.
 */
public final class Gpt extends Module {
    /** The architecture: sizes and dropout. */
    public record Config(int vocab, int context, int layers, int heads, int width, float dropout) {
        public Config {
            if (vocab <= 0 || context <= 0 || layers <= 0 || heads <= 0 || width <= 0 || width % heads != 0) {
                throw new IllegalArgumentException("GPT: vocab, context, layers, heads and width must be positive and width a "
                        + "multiple of heads, got vocab=" + vocab + ", context=" + context + ", layers=" + layers + ", heads="
                        + heads + ", width=" + width);
            }
            if (!(dropout >= 0 && dropout < 1)) throw new IllegalArgumentException("GPT: dropout must be in [0, 1), got " + dropout);
        }

        /** nanoGPT's CPU configuration of train_shakespeare_char: 4 layers, 4 heads, width 128, context 64, no dropout. */
        public static Config nanoCpu(int vocab) {
            return new Config(vocab, 64, 4, 4, 128, 0f);
        }
    }

    public final Config config;
    public final Table wte;
    public final Table wpe;
    public final TransformerBlock[] blocks;
    public final LayerNorm lnF;
    private final Dropout drop;

    public Gpt(Config config, Random rng) {
        this.config = config;
        int c = config.width();
        this.wte = registerModule("wte", new Table(config.vocab(), c));
        this.wpe = registerModule("wpe", new Table(config.context(), c));
        this.drop = registerModule("drop", new Dropout(config.dropout(), rng));
        this.blocks = new TransformerBlock[config.layers()];
        for (int i = 0; i < blocks.length; i++) {
            blocks[i] = new TransformerBlock(c, config.heads(), config.dropout(), rng);
        }
        registerModule("blocks", new Sequential(blocks));
        this.lnF = registerModule("ln_f", new LayerNorm(c));
        initialise(rng);
    }

    private void initialise(Random rng) {
        double residual = 0.02 / Math.sqrt(2.0 * config.layers());
        normal(wte.weight, 0.02, rng);
        normal(wpe.weight, 0.02, rng);
        for (TransformerBlock b : blocks) {
            normal(b.attn.inProjWeight, 0.02, rng);
            Arrays.fill(b.attn.inProjBias.data(), 0f);
            normal(b.attn.outProj.weight, residual, rng);
            Arrays.fill(b.attn.outProj.bias.data(), 0f);
            normal(b.fc.weight, 0.02, rng);
            Arrays.fill(b.fc.bias.data(), 0f);
            normal(b.fc2.weight, residual, rng);
            Arrays.fill(b.fc2.bias.data(), 0f);
        }
    }

    private static void normal(Parameter p, double std, Random rng) {
        float[] w = p.data();
        for (int i = 0; i < w.length; i++) w[i] = (float) (rng.nextGaussian() * std);
    }

    /** Logits [B, T, vocab] of token ids [B, T] (whole numbers in [0, vocab), stored as floats). */
    @Override
    public Tensor forward(Tensor ids) {
        if (ids.dim() != 2) {
            throw new IllegalArgumentException("GPT: input must be token ids [batch, time], got " + Shape.str(ids.shape()));
        }
        float[] v = ids.toFloatArray();
        int[] tokens = new int[v.length];
        for (int i = 0; i < v.length; i++) {
            tokens[i] = (int) v[i];
            if (tokens[i] != v[i]) throw new IllegalArgumentException("GPT: token id " + v[i] + " at position " + i + " is not a whole number");
        }
        return logits(tokens, ids.size(0), ids.size(1)).reshape(ids.size(0), ids.size(1), config.vocab());
    }

    /** Logits [batch·time, vocab] of {@code tokens} (row-major [batch, time]). */
    public Tensor logits(int[] tokens, int batch, int time) {
        return head(hidden(tokens, batch, time));
    }

    /** The final hidden states ln_f(x), [batch·time, width]. */
    Tensor hidden(int[] tokens, int batch, int time) {
        if (time < 1 || time > config.context() || tokens.length != batch * time) {
            throw new IllegalArgumentException("GPT: " + tokens.length + " tokens as [" + batch + ", " + time
                    + "]: time must be in [1, " + config.context() + "] (the context) and the tokens fill batch × time");
        }
        for (int i = 0; i < tokens.length; i++) {
            if (tokens[i] < 0 || tokens[i] >= config.vocab()) {
                throw new IllegalArgumentException("GPT: token id " + tokens[i] + " at position " + i + " is outside the vocabulary [0, "
                        + config.vocab() + ")");
            }
        }
        Tensor x = drop.forward(embed(tokens, batch, time));
        for (TransformerBlock b : blocks) x = b.forward(x);
        return lnF.forward(x.reshape(batch * time, config.width()));
    }

    /** The tied head: h·wteᵀ. */
    Tensor head(Tensor h) {
        return Linear.linear(h, wte.weight.value(), null);
    }

    /**
     * wte[token] + wpe[position] for every position, in one pass; the backward adds each row's
     * gradient into the two table rows it was read from.
     */
    private Tensor embed(int[] tokens, int batch, int time) {
        int c = config.width();
        float[] te = wte.weight.data(), pe = wpe.weight.data();
        float[] y = StepArena.scratch(batch * time * c); // every element written
        for (int r = 0; r < tokens.length; r++) {
            int to = tokens[r] * c, po = (r % time) * c, yo = r * c;
            for (int j = 0; j < c; j++) y[yo + j] = te[to + j] + pe[po + j];
        }
        Tensor tw = wte.weight.value(), pw = wpe.weight.value();
        return Tensor.fromOperation(y, new int[] {batch, time, c}, "gptEmbedding", grad -> {
            Tensor g = grad.contiguous();
            float[] gd = g.array();
            int go = g.offset();
            Tensor[] out = new Tensor[2];
            float[] dt = tw.leafGradBuffer(), dp = pw.leafGradBuffer();
            if (dt == null) out[0] = Tensor.wrap(dt = new float[te.length], tw.shape());
            if (dp == null) out[1] = Tensor.wrap(dp = new float[pe.length], pw.shape());
            for (int r = 0; r < tokens.length; r++) {
                int to = tokens[r] * c, po = (r % time) * c, gr = go + r * c;
                for (int j = 0; j < c; j++) {
                    dt[to + j] += gd[gr + j];
                    dp[po + j] += gd[gr + j];
                }
            }
            return out;
        }, tw, pw);
    }

    @Override
    protected String extraRepr() {
        return "vocab=" + config.vocab() + ", context=" + config.context() + ", layers=" + config.layers() + ", heads="
                + config.heads() + ", width=" + config.width() + ", dropout=" + config.dropout() + ", head tied to wte";
    }

    /** An embedding table, [rows, width], under the parameter name {@code weight} (PyTorch's {@code nn.Embedding}). */
    public static final class Table extends Module {
        public final Parameter weight;

        Table(int rows, int width) {
            this.weight = registerParameter("weight", new Parameter(Tensor.zeros(rows, width)));
        }

        /** Rows of the given ids [...] (whole numbers stored as floats): [..., width]. */
        @Override
        public Tensor forward(Tensor ids) {
            int rows = weight.shape()[0], width = weight.shape()[1];
            float[] v = ids.toFloatArray();
            int[] idx = new int[v.length];
            for (int i = 0; i < v.length; i++) {
                idx[i] = (int) v[i];
                if (idx[i] != v[i] || idx[i] < 0 || idx[i] >= rows) {
                    throw new IllegalArgumentException("embedding table of " + rows + " rows: id " + v[i] + " at position " + i
                            + " is not a whole number in [0, " + rows + ")");
                }
            }
            float[] w = weight.data();
            float[] y = new float[idx.length * width];
            for (int r = 0; r < idx.length; r++) System.arraycopy(w, idx[r] * width, y, r * width, width);
            int[] shape = Arrays.copyOf(ids.shape(), ids.dim() + 1);
            shape[ids.dim()] = width;
            Tensor table = weight.value();
            return Tensor.fromOperation(y, shape, "embedding", grad -> {
                Tensor g = grad.contiguous();
                float[] dw = table.leafGradBuffer();
                Tensor result = dw == null ? Tensor.wrap(dw = new float[w.length], rows, width) : null;
                for (int r = 0; r < idx.length; r++) {
                    for (int j = 0; j < width; j++) dw[idx[r] * width + j] += g.array()[g.offset() + r * width + j];
                }
                return new Tensor[] {result};
            }, table);
        }

        @Override
        protected String extraRepr() {
            return weight.shape()[0] + "×" + weight.shape()[1];
        }
    }
}

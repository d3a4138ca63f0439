package org.backprop.nn;

import java.util.Arrays;
import java.util.Random;
import org.backprop.kernel.Gelu;
import org.backprop.kernel.MatVec;
import org.backprop.kernel.RowNorm;
import org.backprop.kernel.Simd;
import org.backprop.kernel.Softmax;
import org.backprop.tensor.Tensor;

/**
 * Text generation from a {@link Gpt}, token by token, with a key/value cache: each block keeps
 * the keys and values of the positions already seen, so a new token costs one position (its own
 * projections and its attention over the cache), not a pass over the whole context.
 *
 * <p>The window: the model sees at most {@code context} tokens. When the text outgrows it, the
 * window restarts at the last context/2 tokens (the cache is refilled from them, context/2
 * positions), so most tokens still cost one position and at least half a context of text stays
 * in view. The refill runs its positions together through multi-row products, which read each
 * weight once for all of them: per token the weights (3.2 MB for the recipe's model, more than
 * a core's L2) are the cost, and a refill after every context/2 tokens would otherwise double
 * it. The uncached path ({@code cached = false}) runs the whole window through
 * {@link Gpt#logits} (GEMM) at every token with the same windows, so both give the same tokens
 * for the same seed, up to float rounding: the cached path's {@link MatVec} sums in another
 * order (the logits agree within 1e-4, GptSamplerTest; a different pick would need the draw to
 * fall within that rounding of a boundary). A refilled position has the bits it would have had computed alone.
 *
 * <p>Sampling: softmax(logits / temperature), one {@code rng.nextDouble()} per token.
 */
public final class GptSampler {
    private final Gpt model;
    private final int width;
    private final int context;
    private final float[][] keys;   // per block: [width, context], transposed, so a head's scores are one row combination
    private final float[][] values; // per block: [context, width]
    private int cached;             // positions in the cache
    private long positions;         // positions computed so far (both paths), for tests and stats
    // the weights of the cached path as MatVec panels, per block; remade by every generate call
    private MatVec.Packed[] inProj, outProj, fc, fc2;
    private MatVec.Packed head;
    // the activations of up to `context` positions, row after row, reused from token to token
    private final float[] x, h, qkv, q, att, hidden, gelu, p, logits, mean, invStd;
    private final double[] probs;

    public GptSampler(Gpt model) {
        this.model = model;
        this.width = model.config.width();
        this.context = model.config.context();
        this.keys = new float[model.blocks.length][context * width];
        this.values = new float[model.blocks.length][context * width];
        this.x = new float[context * width];
        this.h = new float[context * width];
        this.qkv = new float[context * 3 * width];
        this.q = new float[width];
        this.att = new float[context * width];
        this.hidden = new float[context * 4 * width];
        this.gelu = new float[context * 4 * width];
        this.p = new float[(context + Simd.LANES - 1) / Simd.LANES * Simd.LANES];
        this.mean = new float[context];
        this.invStd = new float[context];
        this.logits = new float[model.config.vocab()];
        this.probs = new double[model.config.vocab()];
    }

    /**
     * {@code n} tokens following {@code prompt} (at least one token).
     *
     * @param temperature &gt; 0; lower is more conservative
     */
    public int[] generate(int[] prompt, int n, double temperature, Random rng, boolean useCache) {
        if (!(temperature > 0) || Double.isInfinite(temperature)) {
            throw new IllegalArgumentException("generate: temperature must be a positive number, got " + temperature);
        }
        return generate(prompt, n, (logits, off, k) -> sample(logits, temperature, rng, probs), useCache);
    }

    /** Picks the next token from {@code logits[off, off + n)}, e.g. the text package's Sampler (temperature, top-k). */
    @FunctionalInterface
    public interface Next {
        int pick(float[] logits, int off, int n);
    }

    /** {@code n} tokens following {@code prompt} (at least one token), each chosen by {@code next} from the last position's logits. */
    public int[] generate(int[] prompt, int n, Next next, boolean useCache) {
        if (prompt.length == 0) throw new IllegalArgumentException("generate: the prompt needs at least one token");
        for (int t : prompt) {
            if (t < 0 || t >= model.config.vocab()) {
                throw new IllegalArgumentException("generate: prompt token " + t + " is outside the vocabulary [0, "
                        + model.config.vocab() + ")");
            }
        }
        int[] text = Arrays.copyOf(prompt, prompt.length + n);
        int len = prompt.length;
        int start = Math.max(0, prompt.length - context);
        cached = 0;
        if (useCache) pack();
        int[] out = new int[n];
        boolean wasTraining = model.isTraining(), recording = Tensor.isGradEnabled();
        model.eval();
        Tensor.setGradEnabled(false);
        try {
            for (int i = 0; i < n; i++) {
                if (len - start > context) {
                    start = len - Math.max(1, context / 2);
                    cached = 0;
                }
                float[] l = useCache ? cachedLogits(text, len, start) : fullLogits(text, len, start);
                out[i] = next.pick(l, 0, model.config.vocab());
                text[len++] = out[i];
            }
        } finally {
            Tensor.setGradEnabled(recording);
            model.train(wasTraining);
        }
        return out;
    }

    /** Positions computed since this sampler was made (the cost of generation). */
    public long positions() {
        return positions;
    }

    private float[] fullLogits(int[] text, int len, int start) {
        int n = len - start;
        positions += n;
        float[] all = model.logits(Arrays.copyOfRange(text, start, len), 1, n).toFloatArray();
        return Arrays.copyOfRange(all, (n - 1) * model.config.vocab(), n * model.config.vocab());
    }

    /** Feeds the window's tokens the cache has not seen (all at once); the logits of the last. */
    private float[] cachedLogits(int[] text, int len, int start) {
        int m = len - start - cached;
        advance(text, start + cached, cached, m);
        cached += m;
        return logits;
    }

    /**
     * The weights as {@link MatVec} panels, copied at the start of every cached generation: a
     * copy is only as fresh as the weights it was made from, and repacking (~1 ms for the recipe's
     * model) is cheap next to a generation, so a sampler reused after training steps still samples
     * from the current weights.
     */
    private void pack() {
        int c = width, layers = model.blocks.length;
        inProj = new MatVec.Packed[layers];
        outProj = new MatVec.Packed[layers];
        fc = new MatVec.Packed[layers];
        fc2 = new MatVec.Packed[layers];
        for (int l = 0; l < layers; l++) {
            TransformerBlock b = model.blocks[l];
            inProj[l] = MatVec.pack(b.attn.inProjWeight.data(), 0, 3 * c, c);
            outProj[l] = MatVec.pack(b.attn.outProj.weight.data(), 0, c, c);
            fc[l] = MatVec.pack(b.fc.weight.data(), 0, 4 * c, c);
            fc2[l] = MatVec.pack(b.fc2.weight.data(), 0, c, 4 * c);
        }
        head = MatVec.pack(model.wte.weight.data(), 0, model.config.vocab(), c);
    }

    /**
     * Positions [pos, pos + m) (tokens text[from, from + m)) through every block, appending their
     * keys and values to the caches; the logits of the last land in {@link #logits}. One new
     * token is m = 1; a window restart refills the cache with m = context/2, where the
     * multi-row products read each weight once for all m rows. Each row gets the same bits as
     * if it came alone. Works in the sampler's buffers: no allocation per token.
     */
    private void advance(int[] text, int from, int pos, int m) {
        positions += m;
        int c = width;
        float[] te = model.wte.weight.data(), pe = model.wpe.weight.data();
        for (int r = 0; r < m; r++) {
            int t = text[from + r];
            for (int j = 0; j < c; j++) x[r * c + j] = te[t * c + j] + pe[(pos + r) * c + j];
        }
        for (int l = 0; l < model.blocks.length; l++) {
            TransformerBlock b = model.blocks[l];
            norm(b.ln1, m);
            MatVec.multiplyRows(inProj[l], m, h, 0, c, b.attn.inProjBias.data(), 0, qkv, 0, 3 * c, false);
            for (int r = 0; r < m; r++) {
                for (int e = 0; e < c; e++) keys[l][e * context + pos + r] = qkv[r * 3 * c + c + e];
                System.arraycopy(qkv, r * 3 * c + 2 * c, values[l], (pos + r) * c, c);
            }
            // causal: row r sees the positions up to its own
            for (int r = 0; r < m; r++) attend(keys[l], values[l], r, pos + r + 1, b.attn.heads);
            // the residual connections: the products add into x in place
            MatVec.multiplyRows(outProj[l], m, att, 0, c, b.attn.outProj.bias.data(), 0, x, 0, c, true);
            norm(b.ln2, m);
            MatVec.multiplyRows(fc[l], m, h, 0, c, b.fc.bias.data(), 0, hidden, 0, 4 * c, false);
            geluExps(hidden, gelu, m, 4 * c);
            geluFromExps(hidden, gelu, m, 4 * c);
            MatVec.multiplyRows(fc2[l], m, gelu, 0, 4 * c, b.fc2.bias.data(), 0, x, 0, c, true);
        }
        // only the last position's logits are needed
        RowNorm.forward(0, 1, c, model.lnF.eps, x, (m - 1) * c, affine(model.lnF.weight), affine(model.lnF.bias), h, mean, invStd);
        MatVec.multiply(head, h, 0, null, 0, logits, 0, false);
    }

    /*
     * GELU in Gelu's two passes, each called from a method of its own (as Gelu#halfSquareExps
     * asks): through Gelu.forward both were compiled as one unit, C2 ran out of its node budget,
     * left the vector helpers out of line and boxed every vector (~90 KB of garbage a token).
     * Row by row, as for one position, so a scalar tail falls on the same elements; not in place,
     * as the output holds the exps between the passes.
     */
    private static void geluExps(float[] in, float[] out, int rows, int n) {
        for (int r = 0; r < rows; r++) Gelu.halfSquareExps(in, r * n, out, r * n, n);
    }

    private static void geluFromExps(float[] in, float[] out, int rows, int n) {
        for (int r = 0; r < rows; r++) Gelu.fromExps(in, r * n, out, r * n, n);
    }

    /**
     * Row r's query (the first width values of its qkv row) against {@code n} cached keys, head
     * by head, into row r of {@link #att}: per head, the scores are the scaled query times the head's rows of the
     * transposed keys, and the output the probabilities times the value rows (both
     * {@link MatVec#combineRows}, vector-wide, no dot product per key).
     */
    private void attend(float[] kT, float[] v, int r, int n, int heads) {
        int c = width, d = c / heads;
        float scale = (float) (1 / Math.sqrt(d));
        for (int e = 0; e < c; e++) q[e] = qkv[r * 3 * c + e] * scale;
        for (int hd = 0; hd < heads; hd++) {
            int ho = hd * d;
            MatVec.combineRows(q, ho, d, kT, ho * context, context, n, p, 0);
            // padded with −∞ (probability 0) to whole vectors: the softmax then has no scalar tail
            int padded = Math.min(p.length, (n + Simd.LANES - 1) / Simd.LANES * Simd.LANES);
            Arrays.fill(p, n, padded, Float.NEGATIVE_INFINITY);
            Softmax.row(p, 0, padded);
            MatVec.combineRows(p, 0, n, v, ho, c, d, att, r * c + ho);
        }
    }

    /** h = ln(x) for the first m rows, RowNorm's arithmetic as LayerNorm's forward. */
    private void norm(LayerNorm ln, int m) {
        RowNorm.forward(0, m, width, ln.eps, x, 0, affine(ln.weight), affine(ln.bias), h, mean, invStd);
    }

    private static float[] affine(Parameter p) {
        return p == null ? null : p.data();
    }

    /** A draw from softmax(logits / temperature), computed in double in {@code p} (logits.length long). */
    static int sample(float[] logits, double temperature, Random rng, double[] p) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l / temperature);
        double sum = 0;
        for (int i = 0; i < logits.length; i++) sum += p[i] = Math.exp(logits[i] / temperature - max);
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < logits.length; i++) {
            u -= p[i];
            if (u < 0) return i;
        }
        return logits.length - 1;
    }
}

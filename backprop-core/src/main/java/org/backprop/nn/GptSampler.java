package org.backprop.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.backprop.kernel.Gemm;
import org.backprop.tensor.Tensor;

/**
 * Text generation from a {@link Gpt}, token by token, with a key/value cache: each block keeps
 * the keys and values of the positions already seen, so a new token costs one position (its own
 * projections and its attention over the cache), not a pass over the whole context.
 *
 * <p>The window: the model sees at most {@code context} tokens. When the text outgrows it, the
 * window restarts at the last context/2 tokens (the cache is refilled from them, context/2
 * positions), so most tokens still cost one position and at least half a context of text stays
 * in view. The uncached path ({@code cached = false}) runs the whole window through
 * {@link Gpt#logits} at every token with the same windows, so both give the same tokens for the
 * same seed (up to float rounding of two different summation orders).
 *
 * <p>Sampling: softmax(logits / temperature), one {@code rng.nextDouble()} per token.
 */
public final class GptSampler {
    private final Gpt model;
    private final int width;
    private final int context;
    private final float[][] keys;   // per block: [context, width]
    private final float[][] values; // per block: [context, width]
    private int cached;             // positions in the cache
    private long positions;         // positions computed so far (both paths), for tests and stats

    public GptSampler(Gpt model) {
        this.model = model;
        this.width = model.config.width();
        this.context = model.config.context();
        this.keys = new float[model.blocks.length][context * width];
        this.values = new float[model.blocks.length][context * width];
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
        return generate(prompt, n, (logits, off, k) -> sample(logits, temperature, rng), useCache);
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
        List<Integer> text = new ArrayList<>();
        for (int t : prompt) text.add(t);
        int start = Math.max(0, prompt.length - context);
        cached = 0;
        int[] out = new int[n];
        boolean wasTraining = model.isTraining(), recording = Tensor.isGradEnabled();
        model.eval();
        Tensor.setGradEnabled(false);
        try {
            for (int i = 0; i < n; i++) {
                if (text.size() - start > context) {
                    start = text.size() - Math.max(1, context / 2);
                    cached = 0;
                }
                float[] logits = useCache ? cachedLogits(text, start) : fullLogits(text, start);
                out[i] = next.pick(logits, 0, model.config.vocab());
                text.add(out[i]);
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

    private float[] fullLogits(List<Integer> text, int start) {
        int len = text.size() - start;
        int[] window = new int[len];
        for (int i = 0; i < len; i++) window[i] = text.get(start + i);
        positions += len;
        float[] all = model.logits(window, 1, len).toFloatArray();
        return Arrays.copyOfRange(all, (len - 1) * model.config.vocab(), len * model.config.vocab());
    }

    /** Feeds the window's tokens the cache has not seen, one position each; the logits of the last. */
    private float[] cachedLogits(List<Integer> text, int start) {
        float[] logits = null;
        while (start + cached < text.size()) logits = step(text.get(start + cached), cached++);
        return logits;
    }

    /** One position through every block, appending its key and value to the caches. */
    private float[] step(int token, int pos) {
        positions++;
        int c = width;
        float[] x = new float[c];
        float[] te = model.wte.weight.data(), pe = model.wpe.weight.data();
        for (int j = 0; j < c; j++) x[j] = te[token * c + j] + pe[pos * c + j];
        for (int l = 0; l < model.blocks.length; l++) {
            TransformerBlock b = model.blocks[l];
            MultiheadAttention a = b.attn;
            float[] qkv = linear(norm(x, b.ln1), a.inProjWeight.data(), a.inProjBias.data(), 3 * c);
            System.arraycopy(qkv, c, keys[l], pos * c, c);
            System.arraycopy(qkv, 2 * c, values[l], pos * c, c);
            float[] y = attend(qkv, keys[l], values[l], pos + 1, a.heads);
            add(x, linear(y, a.outProj.weight.data(), a.outProj.bias.data(), c));
            float[] hidden = Tensor.wrap(linear(norm(x, b.ln2), b.fc.weight.data(), b.fc.bias.data(), 4 * c), 4 * c).gelu().toFloatArray();
            add(x, linear(hidden, b.fc2.weight.data(), b.fc2.bias.data(), c));
        }
        return linear(norm(x, model.lnF), te, null, model.config.vocab());
    }

    /** The query (qkv's first width values) against {@code n} cached keys, head by head. */
    private float[] attend(float[] qkv, float[] k, float[] v, int n, int heads) {
        int c = width, d = c / heads;
        float scale = (float) (1 / Math.sqrt(d));
        float[] y = new float[c];
        float[] p = new float[n];
        for (int h = 0; h < heads; h++) {
            int ho = h * d;
            for (int j = 0; j < n; j++) {
                float s = 0;
                for (int e = 0; e < d; e++) s += qkv[ho + e] * k[j * c + ho + e];
                p[j] = s * scale;
            }
            Attention.softmaxRow(p, 0, n, n, null, 0);
            for (int j = 0; j < n; j++) {
                float pj = p[j];
                for (int e = 0; e < d; e++) y[ho + e] += pj * v[j * c + ho + e];
            }
        }
        return y;
    }

    private float[] norm(float[] x, LayerNorm ln) {
        return LayerNorm.layerNorm(Tensor.wrap(x.clone(), width), ln.normalizedShape(), ln.weight.value(), ln.bias.value(), ln.eps)
                .toFloatArray();
    }

    /** x·Wᵀ + b for one row; W is [out, x.length]. */
    private static float[] linear(float[] x, float[] w, float[] b, int out) {
        float[] y = b == null ? new float[out] : b.clone();
        Gemm.sgemm(false, true, 1, out, x.length, 1f, x, 0, x.length, w, 0, x.length, b == null ? 0f : 1f, y, 0, out);
        return y;
    }

    private static void add(float[] x, float[] y) {
        for (int i = 0; i < x.length; i++) x[i] += y[i];
    }

    /** A draw from softmax(logits / temperature), computed in double. */
    static int sample(float[] logits, double temperature, Random rng) {
        double max = Double.NEGATIVE_INFINITY;
        for (float l : logits) max = Math.max(max, l / temperature);
        double[] p = new double[logits.length];
        double sum = 0;
        for (int i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] / temperature - max);
        double u = rng.nextDouble() * sum;
        for (int i = 0; i < p.length; i++) {
            u -= p[i];
            if (u < 0) return i;
        }
        return p.length - 1;
    }
}

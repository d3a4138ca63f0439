package org.backprop.nn;

import org.backprop.kernel.Parallel;
import org.backprop.kernel.Simd;
import org.backprop.kernel.SmallProducts;
import org.backprop.kernel.Softmax;
import org.backprop.kernel.Transpose;
import org.backprop.tensor.Shape;
import org.backprop.tensor.StepArena;
import org.backprop.tensor.Tensor;

/**
 * Scaled dot-product attention as one fused operation, split into heads:
 * for each batch b and head h, with Q, K, V that head's columns,
 * <pre>
 *   S = Q·Kᵀ / √d          (d = E / heads, the head width)
 *   P = softmax(S) by rows  (masked keys get −∞, i.e. weight 0)
 *   Y = P·V
 * </pre>
 * Tensors are batch-first, [B, T, E], the heads side by side in the last axis, as the packed
 * projections produce them; each head's Q, K, V are read in place as strided matrices (row
 * stride = the tensor's row stride); only the head's K (forward) or V (backward), 32×64 floats,
 * is copied transposed, so every product streams rows. The products are unpacked register-blocked
 * loops ({@link SmallProducts}) in blocks of query rows, which under a causal mask skip most of
 * the masked upper triangle; the batch-head pairs are split over the kernel threads. The
 * backward is written by hand from the saved P:
 * <pre>
 *   dV = Pᵀ·dY,  dP = dY·Vᵀ,  dS = P ⊙ (dP − rowsum(dP ⊙ P)) / √d,  dQ = dS·K,  dK = dSᵀ·Q
 * </pre>
 *
 * <p>Masks: {@code causal} lets query i see keys 0..i only (queries and keys of the same length,
 * as PyTorch's {@code is_causal}); {@code keyPadding}, [B·Tk] (row-major, true = ignore that key,
 * PyTorch's {@code key_padding_mask}), hides keys per batch row. A query that sees no key at all
 * gets a zero output and zero gradients (PyTorch gives NaN there).
 */
public final class Attention {
    private Attention() {}

    /**
     * Attention over separate query, key and value tensors [B, Tq, E], [B, Tk, E], [B, Tk, Ev]
     * (E and Ev divisible by {@code heads}); result [B, Tq, Ev]. Each input may be a view with a
     * row stride (a slice of a wider tensor) as long as its last axis is dense.
     *
     * @param keyPadding null, or B·Tk flags, true = that key is masked out
     */
    public static Tensor scaledDotProduct(Tensor q, Tensor k, Tensor v, int heads, boolean causal, boolean[] keyPadding) {
        check(q, k, v, heads, causal, keyPadding);
        Operand oq = Operand.of(q), ok = Operand.of(k), ov = Operand.of(v);
        Geometry geo = new Geometry(q.size(0), q.size(1), k.size(1), heads, q.size(2) / heads, v.size(2) / heads, causal, keyPadding);
        return attend(geo, oq, ok, ov, (dq, dk, dv) -> new Tensor[] {
            q.requiresGrad() ? dq.get() : null, k.requiresGrad() ? dk.get() : null, v.requiresGrad() ? dv.get() : null},
            q, k, v);
    }

    /**
     * Self-attention over packed projections qkv [B, T, 3E] (query, key, value side by side, as
     * PyTorch's {@code in_proj_weight} produces them); result [B, T, E]. The gradient of qkv is
     * written into one [B, T, 3E] array, with no slicing and re-assembly.
     */
    public static Tensor selfAttention(Tensor qkv, int heads, boolean causal, boolean[] keyPadding) {
        if (qkv.dim() != 3 || qkv.size(2) % 3 != 0 || heads <= 0 || (qkv.size(2) / 3) % heads != 0) {
            throw new IllegalArgumentException("selfAttention: expected packed qkv [batch, time, 3·E] with E divisible by "
                    + heads + " heads, got " + Shape.str(qkv.shape()));
        }
        Tensor x = qkv.isContiguous() ? qkv : qkv.contiguous();
        int b = x.size(0), t = x.size(1), e = x.size(2) / 3, d = e / heads;
        checkPadding(keyPadding, b, t);
        float[] a = x.array();
        int ld = 3 * e, base = x.offset();
        Operand oq = new Operand(a, base, t * ld, ld), ok = new Operand(a, base + e, t * ld, ld), ov = new Operand(a, base + 2 * e, t * ld, ld);
        Geometry geo = new Geometry(b, t, t, heads, d, d, causal, keyPadding);
        return attend(geo, oq, ok, ov, null, x);
    }

    /** Sizes and masks of one call. */
    record Geometry(int batch, int tq, int tk, int heads, int d, int dv, boolean causal, boolean[] keyPadding) {
        int pairs() {
            return batch * heads;
        }

        /** Keys query i of batch b may see: [0, limit), minus padded ones. */
        int limit(int i) {
            return causal ? Math.min(i + 1, tk) : tk;
        }
    }

    /** A [B, T, E] operand read in place: element (b, t, c) is at off + b·batchStride + t·ld + c. */
    record Operand(float[] a, int off, int batchStride, int ld) {
        static Operand of(Tensor t) {
            Tensor x = t.strides()[2] == 1 ? t : t.contiguous();
            int[] s = x.strides();
            return new Operand(x.array(), x.offset(), s[0], x.size(1) == 1 ? x.size(2) : s[1]);
        }

        int at(int b, int col) {
            return off + b * batchStride + col;
        }
    }

    interface SeparateGrads {
        Tensor[] of(java.util.function.Supplier<Tensor> dq, java.util.function.Supplier<Tensor> dk,
                    java.util.function.Supplier<Tensor> dv);
    }

    private static Tensor attend(Geometry g, Operand q, Operand k, Operand v, SeparateGrads separate, Tensor... inputs) {
        int e = g.heads * g.d, ev = g.heads * g.dv;
        // Per-step buffers (StepArena): every element is written (products with accumulate off; softmax rows zero past their limit)
        float[] probs = StepArena.scratch(g.pairs() * g.tq * g.tk);
        float[] y = StepArena.scratch(g.batch * g.tq * ev);
        float[][] kt = new float[Parallel.THREADS][];
        forPairs(g, (part, b, h) -> forwardPair(g, b, h, q, k, v, probs, y,
                kt[part] == null ? kt[part] = new float[g.d * g.tk] : kt[part]));
        return Tensor.fromOperation(y, new int[] {g.batch, g.tq, ev}, "attention", grad -> {
            Tensor gy = grad.contiguous();
            if (separate == null) { // packed: one [B, T, 3E] gradient, laid out as qkv
                float[] dqkv = StepArena.scratch(g.batch * g.tq * 3 * e); // every element written: dQ, dK, dV of every head and row
                int ld = 3 * e, bs = g.tq * ld;
                Operand dq = new Operand(dqkv, 0, bs, ld), dk = new Operand(dqkv, e, bs, ld), dv = new Operand(dqkv, 2 * e, bs, ld);
                backward(g, gy, q, k, v, probs, dq, dk, dv);
                return new Tensor[] {Tensor.wrap(dqkv, g.batch, g.tq, 3 * e)};
            }
            float[] dqa = new float[g.batch * g.tq * e], dka = new float[g.batch * g.tk * e], dva = new float[g.batch * g.tk * ev];
            backward(g, gy, q, k, v, probs, new Operand(dqa, 0, g.tq * e, e), new Operand(dka, 0, g.tk * e, e),
                    new Operand(dva, 0, g.tk * ev, ev));
            return separate.of(() -> Tensor.wrap(dqa, g.batch, g.tq, e), () -> Tensor.wrap(dka, g.batch, g.tk, e),
                    () -> Tensor.wrap(dva, g.batch, g.tk, ev));
        }, inputs);
    }

    private interface PairBody {
        void run(int part, int b, int h);
    }

    /** The batch-head pairs in contiguous runs over the kernel threads (a pair's products stay on one thread). */
    private static void forPairs(Geometry g, PairBody body) {
        long perPair = Math.max(1L, (long) g.tq * g.tk * (g.d + g.dv));
        Parallel.forRange(g.pairs(), Math.max(1, (1 << 16) / perPair), (part, from, to) -> {
            for (int i = from; i < to; i++) body.run(part, i / g.heads, i % g.heads);
        });
    }

    /**
     * Rows per block of the products: under a causal mask a block of queries [i0, i0 + R) needs
     * only the keys before i0 + R (rounded up to the product's two vectors), so the masked upper
     * triangle is mostly not computed; the products over keys go further, by groups of four rows
     * ({@link #overKeys}). The products read Q, K, V where
     * they lie ({@link SmallProducts}): packing a 64×32 operand for a general product cost as much as
     * its product.
     */
    private static final int ROWS = Math.max(8, 2 * Simd.LANES);

    /** Keys a block of queries ending before {@code i1} must see: the block's last limit, rounded up to ROWS. */
    private static int keysFor(Geometry g, int i1) {
        return g.causal ? Math.min(g.tk, (i1 + ROWS - 1) / ROWS * ROWS) : g.tk;
    }

    /**
     * Under a causal mask the products summing over keys (P·V, dS·K) and over queries (Pᵀ·dY,
     * dSᵀ·Q) go by groups of four rows, each summing over only the keys (queries) its rows see:
     * the terms dropped are exact zeros at the end (start) of each entry's sum, so the bits are
     * those of the whole block. Only where the product's width is whole vector pairs: other
     * widths go through a padded copy a call, which would cost more than the skipped work.
     */
    static boolean fineCausal = true;

    private static boolean fine(Geometry g, int width) {
        return fineCausal && g.causal && width % (2 * Simd.LANES) == 0;
    }

    /** C rows [i0, i1) = A rows [i0, i1) · B, summing over the nk keys the block sees, or by groups over the keys each group sees. */
    private static void overKeys(Geometry g, int i0, int i1, int nk, int n, float[] a, int aOff, int lda, float[] b, int bOff,
                                 int ldb, float[] c, int cOff, int ldc) {
        if (fine(g, n)) {
            SmallProducts.nnBanded(false, i0, i1 - i0, n, nk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc);
        } else {
            SmallProducts.nn(false, i1 - i0, n, nk, a, aOff, lda, b, bOff, ldb, c, cOff, ldc, false);
        }
    }

    /** The head's columns [col, col + w) of x for batch b, transposed and scaled into t [w, tk]. */
    private static void transpose(Geometry g, Operand x, int b, int col, int w, float scale, float[] t) {
        Transpose.scaled(x.a, x.at(b, col), x.ld, g.tk, w, scale, t, 0, g.tk);
    }

    private static void forwardPair(Geometry g, int b, int h, Operand q, Operand k, Operand v, float[] probs, float[] y,
                                    float[] kt) {
        int pOff = (b * g.heads + h) * g.tq * g.tk;
        transpose(g, k, b, h * g.d, g.d, (float) (1 / Math.sqrt(g.d)), kt);
        int ev = g.heads * g.dv;
        for (int i0 = 0; i0 < g.tq; i0 += ROWS) {
            int i1 = Math.min(g.tq, i0 + ROWS), nk = keysFor(g, i1), r = pOff + i0 * g.tk;
            // S = Q·(Kᵀ/√d) on the keys the block sees; the softmax zeroes every entry past a row's limit
            SmallProducts.nn(false, i1 - i0, nk, g.d, q.a, q.at(b, h * g.d) + i0 * q.ld, q.ld, kt, 0, g.tk, probs, r, g.tk, false);
            for (int i = i0; i < i1; i++) softmaxRow(probs, pOff + i * g.tk, g.tk, nk, g.limit(i), g.keyPadding, b * g.tk);
            overKeys(g, i0, i1, nk, g.dv, probs, r, g.tk, v.a, v.at(b, h * g.dv), v.ld, y, (b * g.tq + i0) * ev + h * g.dv, ev);
        }
    }

    /**
     * Softmax of row[0, limit) in place, skipping padded keys; entries past the limit or padded
     * become 0. The maximum is subtracted first so no exponential overflows. Entries [limit, room)
     * hold the product's scores, which the vector loops may overwrite (room ≥ limit).
     */
    static void softmaxRow(float[] s, int off, int n, int room, int limit, boolean[] padding, int padOff) {
        if (padding == null && limit > 0) {
            Softmax.row(s, off, limit, Math.max(limit, room));
            java.util.Arrays.fill(s, off + limit, off + n, 0f);
            return;
        }
        float max = Float.NEGATIVE_INFINITY;
        for (int j = 0; j < limit; j++) {
            if (padding == null || !padding[padOff + j]) max = Math.max(max, s[off + j]);
        }
        if (max == Float.NEGATIVE_INFINITY) { // no visible key (or all −∞ scores)
            java.util.Arrays.fill(s, off, off + n, 0f);
            return;
        }
        double sum = 0;
        for (int j = 0; j < limit; j++) {
            float p = padding != null && padding[padOff + j] ? 0f : (float) Math.exp(s[off + j] - max);
            s[off + j] = p;
            sum += p;
        }
        float inv = (float) (1 / sum);
        for (int j = 0; j < limit; j++) s[off + j] *= inv;
        java.util.Arrays.fill(s, off + limit, off + n, 0f);
    }

    private static void backward(Geometry g, Tensor gy, Operand q, Operand k, Operand v, float[] probs,
                                 Operand dq, Operand dk, Operand dv) {
        float[] ga = gy.array();
        int go = gy.offset(), ev = g.heads * g.dv;
        float scale = (float) (1 / Math.sqrt(g.d));
        float[][] scratch = new float[Parallel.THREADS][];
        float[][] vts = new float[Parallel.THREADS][];
        forPairs(g, (part, b, h) -> {
            float[] ds = scratch[part] == null ? scratch[part] = new float[g.tq * g.tk] : scratch[part];
            float[] vt = vts[part] == null ? vts[part] = new float[g.dv * g.tk] : vts[part];
            int pOff = (b * g.heads + h) * g.tq * g.tk;
            int gOff = go + b * g.tq * ev + h * g.dv;
            int qc = h * g.d, vc = h * g.dv;
            transpose(g, v, b, vc, g.dv, 1f, vt);
            for (int i0 = 0; i0 < g.tq; i0 += ROWS) {
                int i1 = Math.min(g.tq, i0 + ROWS), nk = keysFor(g, i1);
                // dP = dY·Vᵀ, then dS = P ⊙ (dP − Σⱼ dP·P) · scale, in place
                SmallProducts.nn(false, i1 - i0, nk, g.dv, ga, gOff + i0 * ev, ev, vt, 0, g.tk, ds, i0 * g.tk, g.tk, false);
                for (int i = i0; i < i1; i++) {
                    int r = i * g.tk, limit = g.limit(i);
                    Softmax.backwardRow(probs, pOff + r, ds, r, limit, Math.max(limit, nk), scale); // past the limit: P = 0
                    java.util.Arrays.fill(ds, r + limit, r + g.tk, 0f);
                }
                // dQ = dS·K over the keys the block sees
                overKeys(g, i0, i1, nk, g.d, ds, i0 * g.tk, g.tk, k.a, k.at(b, qc), k.ld, dq.a, dq.at(b, qc) + i0 * dq.ld, dq.ld);
            }
            // dV = Pᵀ·dY and dK = dSᵀ·Q by blocks of keys: under the mask key j gets nothing from queries before j
            if (fine(g, g.dv) && fine(g, g.d)) { // key j gets nothing from queries before j
                SmallProducts.nnBanded(true, 0, g.tk, g.dv, g.tq, probs, pOff, g.tk, ga, gOff, ev, dv.a, dv.at(b, vc), dv.ld);
                SmallProducts.nnBanded(true, 0, g.tk, g.d, g.tq, ds, 0, g.tk, q.a, q.at(b, qc), q.ld, dk.a, dk.at(b, qc), dk.ld);
                return;
            }
            for (int j0 = 0; j0 < g.tk; j0 += ROWS) {
                int j1 = Math.min(g.tk, j0 + ROWS), from = g.causal ? j0 : 0, n = g.tq - from;
                SmallProducts.nn(true, j1 - j0, g.dv, n, probs, pOff + from * g.tk + j0, g.tk, ga, gOff + from * ev, ev,
                        dv.a, dv.at(b, vc) + j0 * dv.ld, dv.ld, false);
                SmallProducts.nn(true, j1 - j0, g.d, n, ds, from * g.tk + j0, g.tk, q.a, q.at(b, qc) + from * q.ld, q.ld,
                        dk.a, dk.at(b, qc) + j0 * dk.ld, dk.ld, false);
            }
        });
    }

    private static void check(Tensor q, Tensor k, Tensor v, int heads, boolean causal, boolean[] keyPadding) {
        String shapes = Shape.str(q.shape()) + ", " + Shape.str(k.shape()) + ", " + Shape.str(v.shape());
        if (q.dim() != 3 || k.dim() != 3 || v.dim() != 3 || q.size(0) != k.size(0) || k.size(0) != v.size(0)
                || k.size(1) != v.size(1) || q.size(2) != k.size(2)) {
            throw new IllegalArgumentException("attention: expected query [B, Tq, E], key [B, Tk, E], value [B, Tk, Ev], got "
                    + shapes);
        }
        if (heads <= 0 || q.size(2) % heads != 0 || v.size(2) % heads != 0) {
            throw new IllegalArgumentException("attention: " + heads + " heads do not divide the widths of " + shapes);
        }
        if (causal && q.size(1) != k.size(1)) {
            throw new IllegalArgumentException("attention: a causal mask needs as many queries as keys, got " + shapes);
        }
        checkPadding(keyPadding, q.size(0), k.size(1));
    }

    private static void checkPadding(boolean[] keyPadding, int batch, int keys) {
        if (keyPadding != null && keyPadding.length != batch * keys) {
            throw new IllegalArgumentException("attention: key padding mask has " + keyPadding.length + " flags, expected batch "
                    + batch + " × keys " + keys + " = " + batch * keys);
        }
    }
}

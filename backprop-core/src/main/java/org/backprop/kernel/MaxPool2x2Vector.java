package org.backprop.kernel;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/** {@link MaxPool2x2}'s vector form; loaded only when {@link Simd#VECTOR}. */
final class MaxPool2x2Vector {
    private MaxPool2x2Vector() {}

    private static final VectorSpecies<Float> S = SimdVector.SPECIES;
    private static final int V = Simd.LANES;
    /** Bytes with as many lanes as S, or null when there is no such shape (vectors under 8 floats). */
    private static final VectorSpecies<Byte> B = V < 8 ? null
            : VectorSpecies.of(byte.class, VectorShape.forBitSize(8 * V));
    private static final VectorShuffle<Float> EVEN = B == null ? null : VectorShuffle.fromOp(S, i -> 2 * i);
    private static final VectorShuffle<Float> ODD = B == null ? null : VectorShuffle.fromOp(S, i -> 2 * i + 1);
    // interleave even (first operand) and odd (second, indices ≥ V) lanes back: low and high halves
    private static final VectorShuffle<Float> LOW = B == null ? null : VectorShuffle.fromOp(S, i -> i / 2 + (i % 2) * V);
    private static final VectorShuffle<Float> HIGH = B == null ? null
            : VectorShuffle.fromOp(S, i -> (V + i) / 2 + (i % 2) * V);
    // The same four as index vectors for the two-table selectFrom: one permute (vpermt2ps), where
    // rearrange(shuffle, v) costs two permutes and a blend.
    private static final FloatVector EVEN_I = index(EVEN), ODD_I = index(ODD), LOW_I = index(LOW), HIGH_I = index(HIGH);

    private static FloatVector index(VectorShuffle<Float> shuffle) {
        if (shuffle == null) return null;
        float[] lanes = new float[V];
        for (int i = 0; i < V; i++) lanes[i] = shuffle.laneSource(i) < 0 ? shuffle.laneSource(i) + 2 * V : shuffle.laneSource(i);
        return FloatVector.fromArray(S, lanes, 0);
    }

    /** A thread's buffers for the partial steps of a row. */
    private static final class Buffers {
        final float[] rows = new float[4 * V], one = new float[V];
        final byte[] cells = new byte[V];
    }

    private static final ThreadLocal<Buffers> BUFFERS = ThreadLocal.withInitial(Buffers::new);

    /**
     * Pools plane x[xo ..] ([h, w], row-major) into out[oo ..] ([h/2, w/2]) and records each
     * window's winning cell in cell[oo ..] (0 top-left, 1 top-right, 2 bottom-left, 3 bottom-right).
     *
     * <p>No masked loads or stores: on the 14- and 7-wide rows of small CNNs every step of a row
     * would be a partial vector, and a masked access there ran HotSpot's range check in plain Java
     * (C2 gave up inlining it this deep: profiled at ~13% of a LeNet step). Rows are read with
     * whole vectors instead (the lanes past the row are ignored) and partial results go through
     * a small buffer; only reads that would run off the end of the array are copied first.
     */
    static void forward(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo) {
        forward(x, xo, h, w, out, cell, oo, false);
    }

    /**
     * {@link #forward}, with {@code relu}: ReLU applied to the pooled values (as {@link PlaneOps#relu})
     * and each window it zeroes marked by its cell's sign bit (the cell code minus 128), so the
     * backward pass needs no look at the output.
     */
    static void forward(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo, boolean relu) {
        forward(x, xo, h, w, out, cell, oo, relu, false, 0f, 0f, 0f);
    }

    /**
     * {@link #forward}; with {@code affine} the pooled values are (x − center)·scale + shift, each computed
     * as {@code PlaneOps.affine}'s vector loop does (the caller sees to it that the plane has no
     * scalar tail there), without a plane of them.
     */
    static void forward(float[] x, int xo, int h, int w, float[] out, byte[] cell, int oo, boolean relu,
                        boolean affine, float center, float scale, float shift) {
        int oh = h / 2, ow = w / 2;
        FloatVector av = FloatVector.broadcast(S, scale), bv = FloatVector.broadcast(S, shift);
        FloatVector zero = FloatVector.zero(S), killedBit = FloatVector.broadcast(S, -128f);
        FloatVector one = FloatVector.broadcast(S, 1f), two = FloatVector.broadcast(S, 2f), three = FloatVector.broadcast(S, 3f);
        Buffers buf = null; // taken only for the partial steps: allocated here per plane they were 15% of a CNN step's bytes
        for (int oy = 0; oy < oh; oy++) {
            int top = xo + 2 * oy * w, bottom = top + w, dst = oo + oy * ow;
            for (int ox = 0; ox < ow; ox += V) {
                int n = Math.min(V, ow - ox);              // windows in this step
                if (n < V && ow >= V) { // the row's last V windows as a whole step: some again, with the same results
                    ox = ow - V;
                    n = V;
                }
                int t = top + 2 * ox, b = bottom + 2 * ox;
                FloatVector t0, t1, b0, b1;
                if (b + 2 * V <= x.length) {
                    t0 = FloatVector.fromArray(S, x, t);
                    t1 = FloatVector.fromArray(S, x, t + V);
                    b0 = FloatVector.fromArray(S, x, b);
                    b1 = FloatVector.fromArray(S, x, b + V);
                } else { // the last rows of the array: the vectors would run past its end
                    if (buf == null) buf = BUFFERS.get();
                    float[] rows = buf.rows;
                    System.arraycopy(x, t, rows, 0, 2 * n);
                    System.arraycopy(x, b, rows, 2 * V, 2 * n);
                    t0 = FloatVector.fromArray(S, rows, 0);
                    t1 = FloatVector.fromArray(S, rows, V);
                    b0 = FloatVector.fromArray(S, rows, 2 * V);
                    b1 = FloatVector.fromArray(S, rows, 3 * V);
                }
                if (affine) {
                    t0 = t0.sub(center).fma(av, bv);
                    t1 = t1.sub(center).fma(av, bv);
                    b0 = b0.sub(center).fma(av, bv);
                    b1 = b1.sub(center).fma(av, bv);
                }
                // keep = v ≤ best, or best is NaN: the complement of "v beats best" (v > best, or v is
                // the first NaN), so each cell costs two compares, an or and two blends.
                FloatVector best = EVEN_I.selectFrom(t0, t1);
                FloatVector at = FloatVector.zero(S);
                FloatVector v = ODD_I.selectFrom(t0, t1);
                VectorMask<Float> keep = v.compare(VectorOperators.LE, best).or(best.compare(VectorOperators.NE, best));
                best = v.blend(best, keep);
                at = one.blend(at, keep);
                v = EVEN_I.selectFrom(b0, b1);
                keep = v.compare(VectorOperators.LE, best).or(best.compare(VectorOperators.NE, best));
                best = v.blend(best, keep);
                at = two.blend(at, keep);
                v = ODD_I.selectFrom(b0, b1);
                keep = v.compare(VectorOperators.LE, best).or(best.compare(VectorOperators.NE, best));
                best = v.blend(best, keep);
                at = three.blend(at, keep);
                if (relu) {
                    VectorMask<Float> positive = best.compare(VectorOperators.GT, 0f);
                    best = zero.blend(best, positive);
                    at = at.add(killedBit).blend(at, positive);
                }
                ByteVector cells = (ByteVector) at.convertShape(VectorOperators.F2B, B, 0);
                if (n == V) {
                    best.intoArray(out, dst + ox);
                    cells.intoArray(cell, dst + ox);
                } else {
                    if (buf == null) buf = BUFFERS.get();
                    best.intoArray(buf.one, 0);
                    cells.intoArray(buf.cells, 0);
                    System.arraycopy(buf.one, 0, out, dst + ox, n);
                    System.arraycopy(buf.cells, 0, cell, dst + ox, n);
                }
            }
        }
    }

    /**
     * The backward pass: writes g[go ..] ([h/2, w/2]) onto the winning cells of plane dx[dxo ..]
     * ([h, w]) and 0 onto the other cells of each window; cells outside every window are left
     * alone. Unmasked, as {@link #forward}.
     */
    static void backward(float[] g, int go, byte[] cell, int co, int h, int w, float[] dx, int dxo) {
        backward(g, go, cell, co, h, w, dx, dxo, false);
    }

    /**
     * {@link #backward}; with {@code relu} the cells are {@link #forward}'s with ReLU, and a marked
     * window's gradient is multiplied by 0 (as {@link PlaneOps#reluMask} does: the same bits).
     */
    static void backward(float[] g, int go, byte[] cell, int co, int h, int w, float[] dx, int dxo, boolean relu) {
        int oh = h / 2, ow = w / 2;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f), killedBit = FloatVector.broadcast(S, 128f);
        Buffers buf = null;
        for (int oy = 0; oy < oh; oy++) {
            int top = dxo + 2 * oy * w, bottom = top + w, src = oy * ow;
            for (int ox = 0; ox < ow; ox += V) {
                int n = Math.min(V, ow - ox);
                if (n < V && ow >= V) { // as in forward: the last V windows, the overlap written twice alike
                    ox = ow - V;
                    n = V;
                }
                int gi = go + src + ox, ci = co + src + ox;
                FloatVector gv;
                ByteVector cv;
                if (gi + V <= g.length && ci + V <= cell.length) { // lanes past n are read and then dropped
                    gv = FloatVector.fromArray(S, g, gi);
                    cv = ByteVector.fromArray(B, cell, ci);
                } else {
                    if (buf == null) buf = BUFFERS.get();
                    System.arraycopy(g, gi, buf.one, 0, n);
                    System.arraycopy(cell, ci, buf.cells, 0, n);
                    gv = FloatVector.fromArray(S, buf.one, 0);
                    cv = ByteVector.fromArray(B, buf.cells, 0);
                }
                FloatVector at = (FloatVector) cv.convertShape(VectorOperators.B2F, S, 0);
                if (relu) {
                    VectorMask<Float> killed = at.compare(VectorOperators.LT, 0f);
                    gv = gv.mul(one.blend(zero, killed));
                    at = at.blend(at.add(killedBit), killed);
                }
                FloatVector ga = zero.blend(gv, at.compare(VectorOperators.EQ, 0f));
                FloatVector gb = zero.blend(gv, at.compare(VectorOperators.EQ, 1f));
                FloatVector gc = zero.blend(gv, at.compare(VectorOperators.EQ, 2f));
                FloatVector gd = zero.blend(gv, at.compare(VectorOperators.EQ, 3f));
                int t = top + 2 * ox, b = bottom + 2 * ox;
                if (n == V) {
                    LOW_I.selectFrom(ga, gb).intoArray(dx, t);
                    HIGH_I.selectFrom(ga, gb).intoArray(dx, t + V);
                    LOW_I.selectFrom(gc, gd).intoArray(dx, b);
                    HIGH_I.selectFrom(gc, gd).intoArray(dx, b + V);
                } else { // 2n cells of each row: stored through the buffer so the row's neighbours stay untouched
                    if (buf == null) buf = BUFFERS.get();
                    float[] rows = buf.rows;
                    LOW_I.selectFrom(ga, gb).intoArray(rows, 0);
                    HIGH_I.selectFrom(ga, gb).intoArray(rows, V);
                    LOW_I.selectFrom(gc, gd).intoArray(rows, 2 * V);
                    HIGH_I.selectFrom(gc, gd).intoArray(rows, 3 * V);
                    System.arraycopy(rows, 0, dx, t, 2 * n);
                    System.arraycopy(rows, 2 * V, dx, b, 2 * n);
                }
            }
        }
    }

    /**
     * Batch normalisation's input gradient through a ReLU and this pool, one plane, without the
     * plane of the pool's gradient: dx = gy·a + ((x − center)·b + c) with gy the pooled gradient
     * g[go ..] spread onto the winning cells (times 0 on windows {@link #forward} marked with ReLU),
     * each element by the fused multiply-adds of {@code PlaneOps.affine2}'s vector loop. Only for
     * even h and w with at least V windows a row (the caller checks); the last len mod V cells of
     * the plane, which affine2 computes in its scalar tail, are the caller's to redo.
     */
    static void backwardAffine(float[] g, int go, byte[] cell, int co, int h, int w, float[] x, int xo, float[] dx, int dxo,
                               float center, float a, float b, float c) {
        int oh = h / 2, ow = w / 2;
        FloatVector zero = FloatVector.zero(S), one = FloatVector.broadcast(S, 1f), killedBit = FloatVector.broadcast(S, 128f);
        FloatVector av = FloatVector.broadcast(S, a), bv = FloatVector.broadcast(S, b), cv = FloatVector.broadcast(S, c);
        for (int oy = 0; oy < oh; oy++) {
            int top = 2 * oy * w, bottom = top + w, src = oy * ow;
            for (int ox = 0; ox < ow; ox += V) {
                if (ox + V > ow) ox = ow - V; // the row's last V windows: some again, with the same results
                FloatVector gv = FloatVector.fromArray(S, g, go + src + ox);
                FloatVector at = (FloatVector) ByteVector.fromArray(B, cell, co + src + ox).convertShape(VectorOperators.B2F, S, 0);
                VectorMask<Float> killed = at.compare(VectorOperators.LT, 0f);
                gv = gv.mul(one.blend(zero, killed));
                at = at.blend(at.add(killedBit), killed);
                FloatVector ga = zero.blend(gv, at.compare(VectorOperators.EQ, 0f));
                FloatVector gb = zero.blend(gv, at.compare(VectorOperators.EQ, 1f));
                FloatVector gc = zero.blend(gv, at.compare(VectorOperators.EQ, 2f));
                FloatVector gd = zero.blend(gv, at.compare(VectorOperators.EQ, 3f));
                int t = top + 2 * ox, u = bottom + 2 * ox;
                affine2(LOW_I.selectFrom(ga, gb), x, xo + t, dx, dxo + t, center, av, bv, cv);
                affine2(HIGH_I.selectFrom(ga, gb), x, xo + t + V, dx, dxo + t + V, center, av, bv, cv);
                affine2(LOW_I.selectFrom(gc, gd), x, xo + u, dx, dxo + u, center, av, bv, cv);
                affine2(HIGH_I.selectFrom(gc, gd), x, xo + u + V, dx, dxo + u + V, center, av, bv, cv);
            }
        }
    }

    /** One vector of {@code PlaneOpsVector.affine2}: the same operations in the same order. */
    private static void affine2(FloatVector gy, float[] x, int xi, float[] dx, int di, float center,
                                FloatVector av, FloatVector bv, FloatVector cv) {
        FloatVector xb = FloatVector.fromArray(S, x, xi).sub(center).fma(bv, cv);
        gy.fma(av, xb).intoArray(dx, di);
    }
}

package org.backprop.tensor;

import org.backprop.kernel.Vec;

/**
 * Reductions along one axis (sum, max, argmax) and the softmax family. A contiguous input is
 * read as [outer, n, inner] where n is the reduced axis, so one loop nest serves every axis.
 */
final class Reductions {
    private Reductions() {}

    static Tensor sumAll(Tensor a) {
        float[] x = a.toFloatArray();
        double s = 0;
        for (float v : x) s += v;
        Tensor out = Tensor.scalar((float) s);
        int[] inShape = a.shape();
        return Tensor.record(out, "sum", g -> new Tensor[] {Views.expand(g.reshape(ones(inShape.length)), inShape)}, a);
    }

    static Tensor sum(Tensor a, int axis, boolean keepDim) {
        int[] shape = a.shape();
        int ax = Shape.axis(axis, shape.length, "sum");
        Tensor c = a.contiguous();
        float[] x = c.array();
        int base = c.offset();
        int n = shape[ax], inner = inner(shape, ax), outer = outer(shape, ax);
        float[] y = new float[outer * inner];
        for (int o = 0; o < outer; o++) {
            // Σ over the n rows of an [n, inner] block, row after row (a bias gradient when o has one value).
            Vec.addColumnSums(x, base + o * n * inner, n, inner, y, o * inner);
        }
        Tensor out = Tensor.contiguousOver(y, reducedShape(shape, ax, keepDim));
        int[] keep = reducedShape(shape, ax, true);
        return Tensor.record(out, "sum", g -> new Tensor[] {Views.expand(g.reshape(keep), shape)}, a);
    }

    static Tensor max(Tensor a, int axis, boolean keepDim) {
        int[] shape = a.shape();
        int ax = Shape.axis(axis, shape.length, "max");
        if (shape[ax] == 0) {
            throw new IllegalArgumentException("max: axis " + axis + " of shape " + Shape.str(shape) + " is empty");
        }
        int[] idx = argmaxIndices(a, ax);
        Tensor c = a.contiguous();
        float[] x = c.array();
        int base = c.offset();
        int n = shape[ax], inner = inner(shape, ax);
        float[] y = new float[idx.length];
        for (int p = 0; p < idx.length; p++) {
            int o = p / Math.max(inner, 1), i = p % Math.max(inner, 1);
            y[p] = x[base + (o * n + idx[p]) * inner + i];
        }
        Tensor out = Tensor.contiguousOver(y, reducedShape(shape, ax, keepDim));
        return Tensor.record(out, "max", g -> {
            float[] gd = g.toFloatArray();
            float[] gi = new float[Shape.numel(shape)];
            for (int p = 0; p < idx.length; p++) {
                int o = p / Math.max(inner, 1), i = p % Math.max(inner, 1);
                gi[(o * n + idx[p]) * inner + i] = gd[p];
            }
            return new Tensor[] {Tensor.contiguousOver(gi, shape)};
        }, a);
    }

    static Tensor argmax(Tensor a, int axis, boolean keepDim) {
        int[] shape = a.shape();
        int ax = Shape.axis(axis, shape.length, "argmax");
        if (shape[ax] == 0) {
            throw new IllegalArgumentException("argmax: axis " + axis + " of shape " + Shape.str(shape) + " is empty");
        }
        int[] idx = argmaxIndices(a, ax);
        float[] y = new float[idx.length];
        for (int i = 0; i < idx.length; i++) y[i] = idx[i];
        return Tensor.contiguousOver(y, reducedShape(shape, ax, keepDim));
    }

    /** For each position of the reduced shape, the index along {@code ax} of the first maximum (NaN wins). */
    private static int[] argmaxIndices(Tensor a, int ax) {
        int[] shape = a.shape();
        Tensor c = a.contiguous();
        float[] x = c.array();
        int base = c.offset();
        int n = shape[ax], inner = inner(shape, ax), outer = outer(shape, ax);
        int[] idx = new int[outer * inner];
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) {
                int best = 0;
                float bv = x[base + o * n * inner + i];
                for (int k = 1; k < n && !Float.isNaN(bv); k++) {
                    float v = x[base + (o * n + k) * inner + i];
                    if (v > bv || Float.isNaN(v)) {
                        bv = v;
                        best = k;
                    }
                }
                idx[o * inner + i] = best;
            }
        }
        return idx;
    }

    static Tensor softmax(Tensor a, int axis) {
        int[] shape = a.shape();
        int ax = Shape.axis(axis, shape.length, "softmax");
        float[] y = a.toFloatArray();
        int n = shape[ax], inner = inner(shape, ax), outer = outer(shape, ax);
        forEachLine(outer, n, inner, (start, stride) -> softmaxLine(y, start, stride, n, false));
        Tensor out = Tensor.contiguousOver(y, shape);
        // dx = y ⊙ (g − Σ g⊙y)
        return Tensor.record(out, "softmax", g -> {
            float[] gd = g.toFloatArray();
            float[] gi = new float[gd.length];
            forEachLine(outer, n, inner, (start, stride) -> {
                double dot = 0;
                for (int k = 0; k < n; k++) dot += gd[start + k * stride] * y[start + k * stride];
                for (int k = 0; k < n; k++) {
                    int p = start + k * stride;
                    gi[p] = y[p] * (float) (gd[p] - dot);
                }
            });
            return new Tensor[] {Tensor.contiguousOver(gi, shape)};
        }, a);
    }

    static Tensor logSoftmax(Tensor a, int axis) {
        int[] shape = a.shape();
        int ax = Shape.axis(axis, shape.length, "logSoftmax");
        float[] y = a.toFloatArray();
        int n = shape[ax], inner = inner(shape, ax), outer = outer(shape, ax);
        forEachLine(outer, n, inner, (start, stride) -> softmaxLine(y, start, stride, n, true));
        Tensor out = Tensor.contiguousOver(y, shape);
        // dx = g − softmax(x)·Σ g, with softmax(x) = exp(y)
        return Tensor.record(out, "logSoftmax", g -> {
            float[] gd = g.toFloatArray();
            float[] gi = new float[gd.length];
            forEachLine(outer, n, inner, (start, stride) -> {
                double sum = 0;
                for (int k = 0; k < n; k++) sum += gd[start + k * stride];
                for (int k = 0; k < n; k++) {
                    int p = start + k * stride;
                    gi[p] = (float) (gd[p] - Math.exp(y[p]) * sum);
                }
            });
            return new Tensor[] {Tensor.contiguousOver(gi, shape)};
        }, a);
    }

    /**
     * Softmax (or log-softmax) of one line in place. The maximum is subtracted first so exp never
     * overflows; log-softmax is x − max − log Σ exp(x − max), finite even for logits of ±1e30.
     */
    static void softmaxLine(float[] v, int start, int stride, int n, boolean log) {
        if (n == 0) return;
        float max = Float.NEGATIVE_INFINITY;
        for (int k = 0; k < n; k++) max = Math.max(max, v[start + k * stride]);
        if (max == Float.NEGATIVE_INFINITY) max = 0; // all -inf: keep NaN out of x - max
        double sum = 0;
        for (int k = 0; k < n; k++) sum += Math.exp(v[start + k * stride] - max);
        if (log) {
            // (x − max) − log Σ, in that order: folding max into a float log-sum-exp first would
            // round it to the spacing of |max| (about 1e-3 at 1e4) and lose that much of every log p.
            double logSum = Math.log(sum);
            for (int k = 0; k < n; k++) {
                int p = start + k * stride;
                v[p] = (float) ((double) v[p] - max - logSum);
            }
        } else {
            for (int k = 0; k < n; k++) {
                int p = start + k * stride;
                v[p] = (float) (Math.exp(v[p] - max) / sum);
            }
        }
    }

    @FunctionalInterface
    interface LineVisitor {
        void visit(int start, int stride);
    }

    static void forEachLine(int outer, int n, int inner, LineVisitor visitor) {
        for (int o = 0; o < outer; o++) {
            for (int i = 0; i < inner; i++) visitor.visit(o * n * inner + i, inner);
        }
    }

    static int inner(int[] shape, int ax) {
        int s = 1;
        for (int i = ax + 1; i < shape.length; i++) s *= shape[i];
        return s;
    }

    static int outer(int[] shape, int ax) {
        int s = 1;
        for (int i = 0; i < ax; i++) s *= shape[i];
        return s;
    }

    static int[] reducedShape(int[] shape, int ax, boolean keepDim) {
        if (keepDim) {
            int[] r = shape.clone();
            r[ax] = 1;
            return r;
        }
        int[] r = new int[shape.length - 1];
        for (int i = 0, j = 0; i < shape.length; i++) if (i != ax) r[j++] = shape[i];
        return r;
    }

    static int[] ones(int rank) {
        int[] r = new int[rank];
        java.util.Arrays.fill(r, 1);
        return r;
    }
}

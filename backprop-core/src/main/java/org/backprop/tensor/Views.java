package org.backprop.tensor;

/**
 * Operations that change how a tensor's data is indexed, not the data: transpose, reshape,
 * slice, expand. Each returns a view over the same array where it can, and records a backward
 * that maps the gradient back to the source's layout.
 */
final class Views {
    private Views() {}

    static Tensor transpose(Tensor a, int axis0, int axis1) {
        int rank = a.dim();
        int d0 = Shape.axis(axis0, rank, "transpose"), d1 = Shape.axis(axis1, rank, "transpose");
        int[] shape = a.shape(), strides = a.strides();
        swap(shape, d0, d1);
        swap(strides, d0, d1);
        Tensor out = new Tensor(a.array(), a.offset(), shape, strides);
        return Tensor.record(out, "transpose", g -> new Tensor[] {g.transpose(d0, d1)}, a);
    }

    static Tensor reshape(Tensor a, int[] requested) {
        int[] inShape = a.shape();
        int[] shape = resolve(requested, a.numel(), inShape);
        Tensor src = a.isContiguous() ? a : copy(a);
        Tensor out = new Tensor(src.array(), src.offset(), shape, Shape.contiguousStrides(shape));
        return Tensor.record(out, "reshape", g -> new Tensor[] {g.reshape(inShape)}, src);
    }

    static Tensor slice(Tensor a, int axis, int from, int to) {
        int[] shape = a.shape(), strides = a.strides();
        int ax = Shape.axis(axis, shape.length, "slice");
        if (from < 0 || to > shape[ax] || from > to) {
            throw new IllegalArgumentException("slice: range [" + from + ", " + to + ") is outside axis " + axis
                    + " of shape " + Shape.str(shape));
        }
        int[] inShape = shape.clone();
        shape[ax] = to - from;
        Tensor out = new Tensor(a.array(), a.offset() + from * strides[ax], shape, strides);
        return Tensor.record(out, "slice", g -> {
            Tensor gi = Tensor.zeros(inShape);
            Tensor window = slice(gi, ax, from, to);
            scatter(g, window);
            return new Tensor[] {gi};
        }, a);
    }

    /** A read-only view of {@code a} repeated along its size-1 axes to {@code shape} (stride 0). */
    static Tensor expand(Tensor a, int[] shape) {
        int[] as = a.shape();
        if (as.length != shape.length) {
            throw new IllegalArgumentException("expand: shape " + Shape.str(as) + " and " + Shape.str(shape)
                    + " differ in rank");
        }
        int[] strides = a.strides();
        for (int i = 0; i < shape.length; i++) {
            if (as[i] == shape[i]) continue;
            if (as[i] != 1) {
                throw new IllegalArgumentException("expand: cannot expand shape " + Shape.str(as) + " to "
                        + Shape.str(shape));
            }
            strides[i] = 0;
        }
        Tensor out = new Tensor(a.array(), a.offset(), shape.clone(), strides);
        return Tensor.record(out, "expand", g -> new Tensor[] {g}, a);
    }

    /** A contiguous copy that gradients flow through unchanged. */
    static Tensor copy(Tensor a) {
        float[] out = new float[a.numel()];
        gather(a, out);
        Tensor t = Tensor.contiguousOver(out, a.shape());
        return Tensor.record(t, "contiguous", g -> new Tensor[] {g}, a);
    }

    /** Writes a's elements into {@code out} in row-major order, following any strides. */
    static void gather(Tensor a, float[] out) {
        int[] shape = a.shape(), strides = a.strides();
        int n = out.length;
        if (n == 0) return;
        float[] d = a.array();
        int r = shape.length;
        if (r == 0) {
            out[0] = d[a.offset()];
            return;
        }
        int inner = shape[r - 1], is = strides[r - 1];
        int[] idx = new int[r];
        int p = a.offset();
        for (int c = 0; c < n; c += inner) {
            for (int j = 0; j < inner; j++) out[c + j] = d[p + j * is];
            for (int k = r - 2; k >= 0; k--) {
                idx[k]++;
                p += strides[k];
                if (idx[k] < shape[k]) break;
                p -= strides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    /** Adds src's elements (row-major) into the possibly strided view {@code dst}. */
    static void scatter(Tensor src, Tensor dst) {
        float[] s = src.toFloatArray();
        int[] shape = dst.shape(), strides = dst.strides();
        float[] d = dst.array();
        int r = shape.length;
        if (s.length == 0) return;
        if (r == 0) {
            d[dst.offset()] += s[0];
            return;
        }
        int inner = shape[r - 1], is = strides[r - 1];
        int[] idx = new int[r];
        int p = dst.offset();
        for (int c = 0; c < s.length; c += inner) {
            for (int j = 0; j < inner; j++) d[p + j * is] += s[c + j];
            for (int k = r - 2; k >= 0; k--) {
                idx[k]++;
                p += strides[k];
                if (idx[k] < shape[k]) break;
                p -= strides[k] * shape[k];
                idx[k] = 0;
            }
        }
    }

    private static int[] resolve(int[] requested, int numel, int[] from) {
        int[] shape = requested.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < shape.length; i++) {
            if (shape[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Shape.str(requested));
                }
                infer = i;
            } else if (shape[i] < 0) {
                throw new IllegalArgumentException("reshape: negative size in " + Shape.str(requested));
            } else {
                known *= shape[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || numel % known != 0) {
                throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(from) + " (" + numel
                        + " elements) to " + Shape.str(requested));
            }
            shape[infer] = (int) (numel / known);
        } else if (known != numel) {
            throw new IllegalArgumentException("reshape: cannot reshape " + Shape.str(from) + " (" + numel
                    + " elements) to " + Shape.str(requested) + " (" + known + " elements)");
        }
        return shape;
    }

    private static void swap(int[] a, int i, int j) {
        int t = a[i];
        a[i] = a[j];
        a[j] = t;
    }
}

package org.backprop.data;

import java.util.Arrays;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Features kept as unsigned bytes, one per value, read as {@code (b & 0xff) / 255f}: grey images
 * such as Fashion-MNIST's take a quarter of the memory of floats (47 MB instead of 188 MB for the
 * training set), and rows are widened to floats only when a batch is gathered, to exactly the
 * floats a loader scaling every byte up front would have made.
 *
 * @param values the bytes, row-major, dense
 * @param shape  {@code [N, ...]}, the shape of the features as floats
 */
public record BytePixels(byte[] values, int[] shape) {

    public BytePixels {
        shape = shape.clone();
        if (shape.length < 1 || Shape.numel(shape) != values.length) {
            throw new IllegalArgumentException("BytePixels: " + values.length + " bytes for shape " + Shape.str(shape));
        }
    }

    /** The float a byte stands for. */
    public static float value(byte b) {
        return (b & 0xff) / 255f;
    }

    /** Every byte as the float it stands for, in a new array. */
    public static float[] floats(byte[] bytes) {
        float[] out = new float[bytes.length];
        for (int i = 0; i < out.length; i++) out[i] = value(bytes[i]);
        return out;
    }

    /** Values per row. */
    int rowWidth() {
        return Shape.numel(Arrays.copyOfRange(shape, 1, shape.length));
    }

    /** All values as a new dense float tensor of {@link #shape}. */
    public Tensor toTensor() {
        return Tensor.wrap(floats(values), shape.clone());
    }

    /** Rows {@code indices[from..to)} as a new dense float tensor. */
    Tensor gatherRows(int[] indices, int from, int to) {
        int width = rowWidth(), n = shape[0];
        float[] dst = new float[(to - from) * width];
        for (int i = from; i < to; i++) {
            int r = indices[i];
            if (r < 0 || r >= n) throw new IndexOutOfBoundsException("row index " + r + " is out of range for " + n + " samples");
            int src = r * width, at = (i - from) * width;
            for (int j = 0; j < width; j++) dst[at + j] = value(values[src + j]);
        }
        int[] s = shape.clone();
        s[0] = to - from;
        return Tensor.wrap(dst, s);
    }

    /** Rows {@code indices} (repeats allowed) as new byte pixels. */
    BytePixels subset(int[] indices) {
        int width = rowWidth(), n = shape[0];
        byte[] dst = new byte[indices.length * width];
        for (int i = 0; i < indices.length; i++) {
            int r = indices[i];
            if (r < 0 || r >= n) throw new IndexOutOfBoundsException("row index " + r + " is out of range for " + n + " samples");
            System.arraycopy(values, r * width, dst, i * width, width);
        }
        int[] s = shape.clone();
        s[0] = indices.length;
        return new BytePixels(dst, s);
    }

    /** The same bytes seen with another shape of the same row count and size. */
    public BytePixels reshape(int... newShape) {
        return new BytePixels(values, newShape);
    }
}

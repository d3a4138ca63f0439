package org.backprop.spark;

import java.io.Serializable;
import java.util.Iterator;
import org.backprop.tensor.Tensor;

/**
 * All samples of one RDD partition as two dense row-major float arrays: what the training RDD
 * caches, so that a step slices rows out of a plain array instead of walking objects.
 *
 * @param partition the partition's index in the RDD (fixes its shuffling seed)
 * @param rows      number of samples
 * @param xWidth    features per sample
 * @param yWidth    target values per sample
 * @param x         rows·xWidth feature values
 * @param y         rows·yWidth target values
 * @param classLabels whether targets are class indices (batched as {@code [n]}, else {@code [n, yWidth]})
 */
@com.esotericsoftware.kryo.DefaultSerializer(KryoWire.BlockSerializer.class)
public record Block(int partition, int rows, int xWidth, int yWidth, float[] x, float[] y, boolean classLabels)
        implements Serializable {
    public Block {
        if (x.length != (long) rows * xWidth || y.length != (long) rows * yWidth) {
            throw new IllegalArgumentException("Block: " + rows + " rows of widths " + xWidth + "/" + yWidth
                    + " do not match arrays of " + x.length + "/" + y.length + " values");
        }
    }

    /** Packs samples; every sample must have the same feature and target widths. */
    static Block pack(int partition, Iterator<Sample> samples) {
        var xs = new FloatList();
        var ys = new FloatList();
        int rows = 0, xw = -1, yw = -1;
        boolean labels = false;
        while (samples.hasNext()) {
            Sample s = samples.next();
            if (xw < 0) {
                xw = s.features().length;
                yw = s.target().length;
                labels = s.classLabel();
            } else if (s.features().length != xw || s.target().length != yw || s.classLabel() != labels) {
                throw new IllegalArgumentException("partition " + partition + ", sample " + rows + ": " + s
                        + " does not match the first sample of the partition (" + xw + " features, "
                        + (labels ? "a class label" : yw + " target values") + ")");
            }
            xs.add(s.features());
            ys.add(s.target());
            rows++;
        }
        return new Block(partition, rows, Math.max(xw, 0), Math.max(yw, 0), xs.toArray(), ys.toArray(), labels);
    }

    /** The features of the given rows, in that order, as a [n, xWidth] tensor. */
    Tensor features(int[] rowIndices, int from, int to) {
        return gather(x, xWidth, rowIndices, from, to);
    }

    /** The targets of the given rows: [n] class indices, or [n, yWidth] values. */
    Tensor targets(int[] rowIndices, int from, int to) {
        Tensor t = gather(y, yWidth, rowIndices, from, to);
        return classLabels ? t.reshape(to - from) : t;
    }

    private static Tensor gather(float[] src, int width, int[] rowIndices, int from, int to) {
        float[] out = new float[(to - from) * width];
        for (int i = from; i < to; i++) System.arraycopy(src, rowIndices[i] * width, out, (i - from) * width, width);
        return Tensor.wrap(out, to - from, width);
    }

    /** A growable float array (avoids boxing while packing a partition). */
    private static final class FloatList {
        private float[] data = new float[1024];
        private int size;

        void add(float[] values) {
            if (size + values.length > data.length) {
                data = java.util.Arrays.copyOf(data, Math.max(data.length * 2, size + values.length));
            }
            System.arraycopy(values, 0, data, size, values.length);
            size += values.length;
        }

        float[] toArray() {
            return java.util.Arrays.copyOf(data, size);
        }
    }
}

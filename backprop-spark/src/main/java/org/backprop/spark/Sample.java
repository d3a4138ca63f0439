package org.backprop.spark;

import java.io.Serializable;
import java.util.Arrays;

/**
 * One training example as an element of a Spark RDD: the input row and its target. Targets
 * follow the core's convention: a class index (batches of them form a {@code [N]} tensor, as
 * cross-entropy expects) or a row of values (batches form {@code [N, k]}, as regression losses
 * expect). {@link SparkTrainer} packs the samples of each partition into one dense {@link Block}
 * before training, so the per-sample object overhead is paid once.
 *
 * @param features   the input row, length = the model's input width
 * @param target     the target values ({@code {label}} for a class index)
 * @param classLabel whether {@code target} is one class index rather than a row of values
 */
@com.esotericsoftware.kryo.DefaultSerializer(KryoWire.SampleSerializer.class)
public record Sample(float[] features, float[] target, boolean classLabel) implements Serializable {
    public Sample {
        if (features == null || target == null) throw new IllegalArgumentException("Sample: features and target must not be null");
        if (classLabel && target.length != 1) {
            throw new IllegalArgumentException("Sample: a class label is one value, got " + target.length);
        }
    }

    /** A classification sample: features and a class index. */
    public static Sample labeled(float[] features, int label) {
        if (label < 0) throw new IllegalArgumentException("Sample: class index must be >= 0, got " + label);
        return new Sample(features, new float[] {label}, true);
    }

    /** A regression sample: features and a row of target values. */
    public static Sample of(float[] features, float[] target) {
        return new Sample(features, target, false);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Sample s && classLabel == s.classLabel && Arrays.equals(features, s.features)
                && Arrays.equals(target, s.target);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(features) + Arrays.hashCode(target) + (classLabel ? 1 : 0);
    }

    @Override
    public String toString() {
        return "Sample[features=" + features.length + " values, " + (classLabel ? "label=" + (int) target[0]
                : "target=" + Arrays.toString(target)) + "]";
    }
}

package org.backprop.io;

import org.backprop.guard.Untrusted;
import java.util.Map;
import java.util.Set;
import org.backprop.tensor.Tensor;

/**
 * Value checks of tensors read from a file: every value finite, and the ones that hold variances
 * or sums of squares (batch norm's {@code running_var}, Adam's {@code exp_avg_sq}, RMSprop's
 * {@code square_avg}, Adagrad's {@code sum}) not negative. A NaN weight would otherwise evaluate
 * quietly (ReLU maps NaN to 0), and a negative second moment turns the first update into NaN.
 */
public final class TensorChecks {
    /** Last name components whose values must be ≥ 0. */
    private static final Set<String> NON_NEGATIVE = Set.of("running_var", "exp_avg_sq", "max_exp_avg_sq", "square_avg",
            "sum");

    private TensorChecks() {}

    /** The first problem among {@code tensors} (named with {@code prefix}), or {@code null} when all are sound. */
    public static String problem(String prefix, Map<String, Tensor> tensors) {
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            String p = problem(prefix + e.getKey(), e.getValue());
            if (p != null) return p;
        }
        return null;
    }

    /** What is wrong with the values of tensor {@code name}, or {@code null}. */
    public static String problem(String name, Tensor t) {
        float[] v = t.toFloatArray();
        String last = name.substring(name.lastIndexOf('.') + 1);
        boolean nonNegative = NON_NEGATIVE.contains(last);
        for (int i = 0; i < v.length; i++) {
            if (!Float.isFinite(v[i])) {
                return "tensor " + Untrusted.quote(name) + " holds " + v[i] + " at element " + i + " of " + v.length
                        + " (saved from a diverged run, or damaged)";
            }
            if (nonNegative && v[i] < 0) {
                return "tensor " + Untrusted.quote(name) + " holds " + v[i] + " at element " + i + ", but as a "
                        + last + " it cannot be negative (damaged or edited)";
            }
        }
        return null;
    }
}

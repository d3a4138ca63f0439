package org.backprop.optim;

import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/** The step counts and keys of {@link Optimizer#stateDict()} checkpoints: written, parsed and checked. */
final class StepKeys {
    private StepKeys() {}

    static Tensor stepTensor(String key, long step) {
        if (step > Optimizer.MAX_EXACT_STEP) {
            throw new IllegalStateException("stateDict: " + key + " = " + step + " exceeds " + Optimizer.MAX_EXACT_STEP
                    + ", the largest count a float32 tensor holds exactly");
        }
        return Tensor.of(new float[] {step}, 1);
    }

    /** The parameter index of a key {@code state.<i>.<name>}, or -1 if the key has another form. */
    static int parseIndex(String key) {
        if (!key.startsWith("state.")) return -1;
        int dot = key.indexOf('.', 6);
        if (dot <= 6 || dot == key.length() - 1) return -1;
        String digits = key.substring(6, dot);
        if (!digits.chars().allMatch(Character::isDigit) || digits.length() > 9) return -1;
        return Integer.parseInt(digits);
    }

    static long readStep(String where, String key, Tensor t) {
        if (t.numel() != 1) {
            throw new IllegalArgumentException(where + "'" + key + "' must hold one value, found shape " + Shape.str(t.shape()));
        }
        float v = t.toFloatArray()[0];
        if (!(v >= 0) || v != Math.rint(v) || v > Optimizer.MAX_EXACT_STEP) {
            throw new IllegalArgumentException(where + "'" + key + "' must be a whole number in [0, " + Optimizer.MAX_EXACT_STEP
                    + "], found " + v);
        }
        return (long) v;
    }
}

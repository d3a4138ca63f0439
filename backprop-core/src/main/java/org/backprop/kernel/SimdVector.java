package org.backprop.kernel;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

/**
 * The Vector API side of {@link Simd}: the species of the width it chose, and the one lane sum
 * every kernel uses. Loaded only when {@link Simd#VECTOR} is true.
 */
public final class SimdVector {
    private SimdVector() {}

    /** The species the kernels use. */
    public static final VectorSpecies<Float> SPECIES = VectorSpecies.of(float.class, VectorShape.forBitSize(Simd.BITS));

    // Shuffles that bring lane i + k to lane i, for k = lanes/2, lanes/4, ..., 1.
    private static final VectorShuffle<Float>[] FOLDS = folds();

    @SuppressWarnings("unchecked")
    private static VectorShuffle<Float>[] folds() {
        int n = SPECIES.length();
        VectorShuffle<Float>[] out = new VectorShuffle[Integer.numberOfTrailingZeros(n)];
        int j = 0;
        for (int k = n / 2; k >= 1; k /= 2) {
            int shift = k;
            out[j++] = VectorShuffle.fromOp(SPECIES, i -> (i + shift) % n);
        }
        return out;
    }

    /**
     * The sum of {@code v}'s lanes in a fixed order (halves added pairwise, then quarters, ...).
     * {@code reduceLanes(ADD)} leaves the order to the implementation, and the interpreter, C1
     * and C2 pick different ones, so a result would depend on when the JIT compiled the kernel.
     */
    public static float sum(FloatVector v) {
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold));
        return v.lane(0);
    }
}

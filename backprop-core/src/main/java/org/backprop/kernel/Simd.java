package org.backprop.kernel;

import java.util.ArrayList;
import java.util.List;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.slf4j.LoggerFactory;

/**
 * The vector width the kernels use, chosen once at start-up. Defaults to the CPU's preferred
 * width (256 bits on AVX2, 512 on AVX-512 when HotSpot enables it); the system property
 * {@code backprop.vectorBits} overrides it, and 0 selects the scalar code paths.
 *
 * <p>Never hard-code a wider species than the CPU has: on an AVX2 machine SPECIES_512 does not
 * fail, it silently runs a Java fallback hundreds of times slower.
 */
public final class Simd {
    private Simd() {}

    /** The species the kernels use, or {@code null} when the scalar paths are selected. */
    public static final VectorSpecies<Float> SPECIES = choose();

    /** Floats per vector; 1 on the scalar path. */
    public static final int LANES = SPECIES == null ? 1 : SPECIES.length();

    private static VectorSpecies<Float> choose() {
        int preferred = FloatVector.SPECIES_PREFERRED.vectorBitSize();
        int bits = Integer.getInteger("backprop.vectorBits", preferred);
        if (bits == 0) return null;
        if (bits != 64 && bits != 128 && bits != 256 && bits != 512) {
            throw new IllegalArgumentException("backprop.vectorBits must be 0 (scalar), 64, 128, 256 or 512, not " + bits);
        }
        if (bits > preferred) {
            // Wider than the hardware: the Vector API would fall back to slow Java code.
            LoggerFactory.getLogger(Simd.class).warn("backprop.vectorBits={} exceeds this CPU's preferred {} bits; using {}",
                    bits, preferred, preferred);
            bits = preferred;
        }
        return VectorSpecies.of(float.class, VectorShape.forBitSize(bits));
    }

    /**
     * The sum of a vector's lanes, always added in the same order: halves folded onto halves
     * (lane i + lane i + n/2, then again), which are lanewise additions and so exactly specified.
     * {@code reduceLanes(ADD)} leaves the order open, and HotSpot's compiled code adds in another
     * order than the interpreter's fallback: the same product then gave different last bits
     * before and after the JIT compiled it (a model's first few hundred predictions differed
     * from later ones by 1 ulp). Use this instead of {@code reduceLanes(VectorOperators.ADD)}.
     */
    public static float sumLanes(FloatVector v) {
        if (v.species() != SPECIES) {
            for (int half = v.length() / 2; half >= 1; half /= 2) v = v.add(v.slice(half));
            return v.lane(0);
        }
        for (VectorShuffle<Float> fold : FOLDS) v = v.add(v.rearrange(fold)); // constant shuffles: one permute each
        return v.lane(0);
    }

    /** For each halving step of {@link #sumLanes}, the shuffle that moves lane i + n/2 to lane i. */
    private static final List<VectorShuffle<Float>> FOLDS = folds();

    private static List<VectorShuffle<Float>> folds() {
        List<VectorShuffle<Float>> folds = new ArrayList<>();
        if (SPECIES == null) return folds;
        for (int half = LANES / 2; half >= 1; half /= 2) {
            int h = half;
            folds.add(VectorShuffle.fromOp(SPECIES, i -> (i + h) % LANES));
        }
        return List.copyOf(folds);
    }

    /** A one-line description for logs and benchmark reports. */
    public static String describe() {
        return SPECIES == null ? "scalar" : SPECIES.vectorBitSize() + "-bit vectors (" + LANES + " floats)";
    }
}

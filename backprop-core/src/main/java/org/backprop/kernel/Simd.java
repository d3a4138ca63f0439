package org.backprop.kernel;

import java.util.Optional;
import org.slf4j.LoggerFactory;

/**
 * The vector width the kernels use, chosen once at start-up. Defaults to the CPU's preferred
 * width (256 bits on AVX2, 512 on AVX-512 when HotSpot enables it); the system property
 * {@code backprop.vectorBits} overrides it, and 0 selects the scalar code paths.
 *
 * <p>The Vector API is an incubator module, {@code jdk.incubator.vector}, that a JVM resolves only
 * when asked ({@code --add-modules}). This class names no Vector API type: the vector loops live
 * in classes of their own ({@link SimdVector}, {@code GemmVector}, {@code VecVector}, ...) that a
 * kernel calls only when {@link #VECTOR} is true, so without the module those classes are never
 * loaded, the scalar paths run, and one log line says so.
 *
 * <p>Never hard-code a wider species than the CPU has: on an AVX2 machine SPECIES_512 does not
 * fail, it silently runs a Java fallback hundreds of times slower.
 */
public final class Simd {
    private Simd() {}

    /** The module holding the Vector API. */
    static final String MODULE = "jdk.incubator.vector";

    /** Bits per vector the kernels use; 0 when the scalar paths are selected. */
    public static final int BITS = choose();

    /** Whether the kernels run their Vector API forms. */
    public static final boolean VECTOR = BITS > 0;

    /** Floats per vector; 1 on the scalar path. */
    public static final int LANES = VECTOR ? BITS / Float.SIZE : 1;

    private static int choose() {
        Integer asked = Integer.getInteger("backprop.vectorBits");
        if (asked != null && asked != 0 && asked != 64 && asked != 128 && asked != 256 && asked != 512) {
            throw new IllegalArgumentException("backprop.vectorBits must be 0 (scalar), 64, 128, 256 or 512, not " + asked);
        }
        if (asked != null && asked == 0) return 0;
        if (!vectorModuleReadable()) {
            LoggerFactory.getLogger(Simd.class).warn("{} is not present (java --add-modules {} adds it): "
                    + "the kernels run their scalar code", MODULE, MODULE);
            return 0;
        }
        int preferred = Probe.preferredBits();
        int bits = asked == null ? preferred : asked;
        if (bits > preferred) {
            // Wider than the hardware: the Vector API would fall back to slow Java code.
            LoggerFactory.getLogger(Simd.class).warn("backprop.vectorBits={} exceeds this CPU's preferred {} bits; using {}",
                    bits, preferred, preferred);
            bits = preferred;
        }
        return bits;
    }

    /**
     * Whether the Vector API is in the boot layer and this module reads it: on the class path the
     * unnamed module reads every module; on the module path {@code requires static} gives the
     * read edge when the module was resolved.
     */
    static boolean vectorModuleReadable() {
        Optional<Module> vector = ModuleLayer.boot().findModule(MODULE);
        return vector.isPresent() && Simd.class.getModule().canRead(vector.get());
    }

    /** A class of its own, so that only this call, made once the module is known to be there, loads the Vector API. */
    private static final class Probe {
        static int preferredBits() {
            return jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.vectorBitSize();
        }
    }

    /** A one-line description for logs and benchmark reports. */
    public static String describe() {
        return VECTOR ? BITS + "-bit vectors (" + LANES + " floats)" : "scalar";
    }
}

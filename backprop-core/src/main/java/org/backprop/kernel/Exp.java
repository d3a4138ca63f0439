package org.backprop.kernel;

/**
 * e^x in single precision, computed the same way on every path: the scalar loops here and every
 * lane of {@link ExpVector#exp}, in the interpreter and in compiled code alike. The Vector API's
 * {@code lanewise(EXP)} is not: C2 calls a vendor math library where the interpreter calls
 * {@code Math.exp} lane by lane, so a kernel's bits would depend on when the JIT compiled it, and
 * a run resumed in a warm JVM would drift from an uninterrupted one.
 *
 * <p>Cody–Waite reduction x = n·ln 2 + r with |r| ≤ ln 2 / 2, Cephes' degree-6 polynomial for
 * e^r (relative error below 2e-7), then a scale by 2^n built from its bits. Only add, multiply,
 * fused multiply-add and integer operations, all exactly specified. Results below the smallest
 * normal float (x &lt; {@value #MIN_X}) flush to 0: a subnormal costs Intel CPUs ~30× in every
 * later operation that touches it, and a value under 1.2e-38 changes no softmax, sigmoid or GELU.
 * Above {@value #MAX_X}: +∞; NaN stays NaN.
 */
public final class Exp {
    private Exp() {}

    /** ln of the smallest normal float: below it the result flushes to 0. */
    static final float MIN_X = -87.33654f;
    /** ln of the largest float: above it the result is +∞. */
    static final float MAX_X = 88.72283f;
    static final float LOG2E = 1.44269504088896341f;
    /** 1.5·2²³: adding it rounds a float below 2²² to an integer held in the low mantissa bits. */
    static final float ROUND = 12582912f;
    static final int ROUND_BITS = 0x4B400000;
    /** ln 2 split so that n·LN2_HI is exact for |n| ≤ 128. */
    static final float LN2_HI = 0.693359375f, LN2_LO = -2.12194440e-4f;
    static final float P0 = 1.9875691500e-4f, P1 = 1.3981999507e-3f, P2 = 8.3334519073e-3f,
            P3 = 4.1665795894e-2f, P4 = 1.6666665459e-1f, P5 = 5.0000001201e-1f;

    /** e^x; bit for bit what every lane of {@link ExpVector#exp} gives. */
    public static float exp(float x) {
        if (x < MIN_X) return 0f;
        if (x > MAX_X) return Float.POSITIVE_INFINITY;
        float t = Math.fma(x, LOG2E, ROUND);
        float n = t - ROUND;
        float r = Math.fma(n, -LN2_HI, x);
        r = Math.fma(n, -LN2_LO, r);
        float p = Math.fma(P0, r, P1);
        p = Math.fma(p, r, P2);
        p = Math.fma(p, r, P3);
        p = Math.fma(p, r, P4);
        p = Math.fma(p, r, P5);
        float y = Math.fma(p, r * r, r) + 1f;
        // 2^n in two halves, so n = 128 (x just below MAX_X) and n = -126 both stay normal
        int ni = Float.floatToRawIntBits(t) - ROUND_BITS, half = ni >> 1;
        return y * Float.intBitsToFloat((half + 127) << 23) * Float.intBitsToFloat((ni - half + 127) << 23);
    }
}

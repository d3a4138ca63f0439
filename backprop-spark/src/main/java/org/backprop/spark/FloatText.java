package org.backprop.spark;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Base64;

/**
 * Float arrays as the text that {@code BarrierTaskContext.allGather} carries: Base64 of their
 * little-endian bytes, exact to the bit (4/3 the size of the raw floats; a Java string of ASCII
 * is one byte a character in memory and on the wire).
 */
final class FloatText {
    private FloatText() {}

    static String encode(float[] values) {
        ByteBuffer bytes = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        bytes.asFloatBuffer().put(values);
        return Base64.getEncoder().encodeToString(bytes.array());
    }

    static float[] decode(String text) {
        byte[] bytes = Base64.getDecoder().decode(text);
        float[] out = new float[bytes.length / 4];
        ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
    }

    /** Characters of the text of {@code floats} values. */
    static long length(long floats) {
        return 4 * ((4 * floats + 2) / 3);
    }
}

package org.backprop.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * The protocol-buffers wire format, as much as ONNX needs: varints, 32-bit floats and
 * length-delimited fields (strings, bytes, nested messages, packed arrays). Fields are written in
 * the order they are added. A writer of ~60 lines instead of protobuf-java (~1.9 MB) and code
 * generated from onnx.proto: ONNX files are only written here, never read.
 */
final class Protobuf {
    private static final int VARINT = 0, LENGTH = 2, FIXED32 = 5;

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    Protobuf varint(int field, long value) {
        tag(field, VARINT);
        raw(value);
        return this;
    }

    Protobuf float32(int field, float value) {
        tag(field, FIXED32);
        int bits = Float.floatToRawIntBits(value);
        for (int i = 0; i < 4; i++) out.write(bits >>> (8 * i));
        return this;
    }

    Protobuf string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    Protobuf message(int field, Protobuf nested) {
        return bytes(field, nested.toByteArray());
    }

    Protobuf bytes(int field, byte[] value) {
        tag(field, LENGTH);
        raw(value.length);
        out.writeBytes(value);
        return this;
    }

    /** A packed repeated int64 field. */
    Protobuf packedVarints(int field, long[] values) {
        Protobuf body = new Protobuf();
        for (long v : values) body.raw(v);
        return bytes(field, body.toByteArray());
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    private void tag(int field, int wireType) {
        raw(((long) field << 3) | wireType);
    }

    /** A base-128 varint; negative numbers take ten bytes, as protobuf's int64 does. */
    private void raw(long value) {
        while ((value & ~0x7FL) != 0) {
            out.write((int) ((value & 0x7F) | 0x80));
            value >>>= 7;
        }
        out.write((int) value);
    }
}

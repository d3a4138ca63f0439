package org.backprop.cli;

import java.util.List;
import org.backprop.data.BytePixels;
import org.backprop.data.Dataset;
import org.backprop.tensor.Tensor;

/** The data's identity in a checkpoint's run settings, so a resume on other data is refused. */
final class DataFingerprint {
    private DataFingerprint() {}

    /** SHA-256 (first 16 hex digits) of the data's shapes and values: another file of the same width differs. */
    static String of(Dataset data, Dataset test) {
        try {
            java.security.MessageDigest md = java.security.MessageDigest.getInstance("SHA-256");
            java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(1 << 16);
            for (Dataset d : test == null ? List.of(data) : List.of(data, test)) {
                if (d.pixels() != null) { // byte features hashed as the floats they stand for, without widening them all
                    byte[] v = d.pixels().values();
                    update(md, b, d.featureShape(), v.length, i -> BytePixels.value(v[i]));
                }
                for (Tensor t : d.pixels() != null ? List.of(d.targets()) : List.of(d.features(), d.targets())) {
                    float[] v = t.toFloatArray();
                    update(md, b, t.shape(), v.length, i -> v[i]);
                }
            }
            return java.util.HexFormat.of().formatHex(md.digest()).substring(0, 16);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }

    /** A value as a float, by index. */
    private interface FloatAt {
        float at(int i);
    }

    /** Hashes the shape, then n floats' bits, through the buffer b. */
    private static void update(java.security.MessageDigest md, java.nio.ByteBuffer b, int[] shape, int n, FloatAt value) {
        for (int s : shape) md.update(java.nio.ByteBuffer.allocate(4).putInt(s).array());
        for (int i = 0; i < n; ) {
            b.clear();
            while (i < n && b.remaining() >= 4) b.putInt(Float.floatToRawIntBits(value.at(i++)));
            md.update(b.flip());
        }
    }
}

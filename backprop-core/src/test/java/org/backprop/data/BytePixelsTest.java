package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

/** Byte features must give exactly the floats of the float path: batches, subsets, splits and shapes. */
class BytePixelsTest {

    /** 7 samples of 2×3 pixels covering 0, 255 and bytes above 127 (negative as Java bytes). */
    static byte[] bytes() {
        byte[] b = new byte[7 * 6];
        for (int i = 0; i < b.length; i++) b[i] = (byte) (i * 37);
        b[0] = 0;
        b[1] = (byte) 255;
        return b;
    }

    static Tensor labels() {
        return Tensor.wrap(new float[] {0, 1, 2, 0, 1, 2, 0}, 7);
    }

    /** The float dataset the loaders made before: every byte scaled up front. */
    static Dataset asFloats(byte[] b) {
        float[] x = new float[b.length];
        for (int i = 0; i < b.length; i++) x[i] = (b[i] & 0xff) / 255f;
        return new Dataset(Tensor.wrap(x, 7, 1, 2, 3), labels());
    }

    static void assertSameBits(Tensor expected, Tensor actual) {
        assertArrayEquals(expected.shape(), actual.shape());
        float[] e = expected.toFloatArray(), a = actual.toFloatArray();
        for (int i = 0; i < e.length; i++) assertEquals(Float.floatToRawIntBits(e[i]), Float.floatToRawIntBits(a[i]), "value " + i);
    }

    @Test
    void batchesOfByteFeaturesAreTheFloatPathsBitForBit() {
        byte[] b = bytes();
        Dataset bytes = new Dataset(new BytePixels(b, new int[] {7, 1, 2, 3}), labels());
        Dataset floats = asFloats(b);
        assertSameBits(floats.features(), bytes.features());
        DataLoader lb = new DataLoader(bytes, 3, true, 11, false), lf = new DataLoader(floats, 3, true, 11, false);
        for (int epoch = 0; epoch < 2; epoch++) {
            List<Batch> fb = new ArrayList<>();
            lf.epoch(epoch).forEach(fb::add);
            int i = 0;
            for (Batch batch : lb.epoch(epoch)) {
                assertSameBits(fb.get(i).features(), batch.features());
                assertSameBits(fb.get(i).targets(), batch.targets());
                i++;
            }
            assertEquals(fb.size(), i);
        }
    }

    @Test
    void subsetsAndSplitsKeepTheBytes() {
        byte[] b = bytes();
        Dataset bytes = new Dataset(new BytePixels(b, new int[] {7, 6}), labels());
        Dataset floats = asFloats(b).withFeatures(asFloats(b).features().reshape(7, 6));
        Dataset.Split sb = bytes.stratifiedSplit(0.3, 5), sf = floats.stratifiedSplit(0.3, 5);
        assertNotNull(sb.train().pixels());
        assertSameBits(sf.train().features(), sb.train().features());
        assertSameBits(sf.test().features(), sb.test().features());
        assertSameBits(sf.test().targets(), sb.test().targets());
        Dataset sub = bytes.subset(new int[] {6, 6, 1});
        assertArrayEquals(new int[] {3, 6}, sub.featureShape());
        assertSameBits(floats.subset(new int[] {6, 6, 1}).features(), sub.features());
        assertEquals(7, bytes.size());
        assertEquals(6, bytes.featureWidth());
        assertTrue(bytes.toString().contains("features [7, 6] (bytes)"), bytes.toString());
    }

    @Test
    void badShapesAndMissingFeaturesAreRefused() {
        var e = assertThrows(IllegalArgumentException.class, () -> new BytePixels(new byte[5], new int[] {2, 3}));
        assertEquals("BytePixels: 5 bytes for shape [2, 3]", e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Dataset(new BytePixels(new byte[6], new int[] {2, 3}), labels()));
        assertTrue(e.getMessage().startsWith("Dataset: 2 feature rows but 7 target rows"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Dataset(null, labels(), List.of(), List.of(), null));
        assertThrows(IndexOutOfBoundsException.class,
                () -> new Dataset(new BytePixels(bytes(), new int[] {7, 6}), labels()).subset(new int[] {7}));
    }
}

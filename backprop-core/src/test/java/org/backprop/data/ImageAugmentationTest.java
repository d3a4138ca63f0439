package org.backprop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import java.util.SplittableRandom;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ImageAugmentationTest {
    private static final int N = 200, C = 2, H = 7, W = 9;

    /** Every pixel of the batch holds a distinct positive code of (image, channel, y, x), so its source can be read back. */
    private static Tensor codedImages() {
        float[] v = new float[N * C * H * W];
        for (int i = 0; i < v.length; i++) v[i] = i + 1;
        return Tensor.wrap(v, N, C, H, W);
    }

    /** What one image went through: the shift and the mirroring, recovered from the codes. */
    private record Move(int dy, int dx, boolean flip) { }

    /**
     * Reads back the move of image i and checks that every pixel of every channel agrees with it:
     * the source of (y, x) is (y − dy, m(x − dx)) and pixels without a source are 0.
     */
    private static Move moveOf(float[] out, int i) {
        Move found = null;
        for (int ch = 0; ch < C && found == null; ch++) {
            for (int y = 0; y < H && found == null; y++) {
                for (int x = 0; x < W; x++) {
                    float code = out[((i * C + ch) * H + y) * W + x];
                    if (code == 0) continue;
                    int src = (int) code - 1, sx = src % W, sy = (src / W) % H;
                    assertEquals(i * C + ch, src / (H * W), "pixel from another image or channel");
                    // two candidates: unflipped (dx = x − sx) or flipped (x − dx = W − 1 − sx)
                    int dy = y - sy;
                    int dxPlain = x - sx, dxFlip = x - (W - 1 - sx);
                    found = Math.abs(dxPlain) <= 2 && matches(out, i, dy, dxPlain, false) ? new Move(dy, dxPlain, false)
                            : new Move(dy, dxFlip, true);
                    break;
                }
            }
        }
        assertTrue(found != null, "image " + i + " lost every pixel");
        assertTrue(matches(out, i, found.dy, found.dx, found.flip), "image " + i + " is not one shifted/mirrored copy: " + found);
        return found;
    }

    private static boolean matches(float[] out, int i, int dy, int dx, boolean flip) {
        for (int ch = 0; ch < C; ch++) {
            for (int y = 0; y < H; y++) {
                for (int x = 0; x < W; x++) {
                    int sy = y - dy, ux = x - dx, sx = flip ? W - 1 - ux : ux;
                    float expected = sy < 0 || sy >= H || ux < 0 || ux >= W ? 0f : (((i * C + ch) * H + sy) * W + sx) + 1;
                    if (out[((i * C + ch) * H + y) * W + x] != expected) return false;
                }
            }
        }
        return true;
    }

    @Test
    void eachImageIsOneShiftedAndMaybeMirroredCopyWithEveryMoveDrawn() {
        Tensor x = codedImages();
        float[] before = x.toFloatArray();
        float[] out = new ImageAugmentation(2, true).apply(x, new SplittableRandom(7)).toFloatArray();
        assertArrayEquals(before, x.toFloatArray(), "the input batch must stay as it was");
        Set<Integer> dys = new HashSet<>(), dxs = new HashSet<>();
        int flipped = 0;
        for (int i = 0; i < N; i++) {
            Move m = moveOf(out, i);
            assertTrue(Math.abs(m.dy) <= 2 && Math.abs(m.dx) <= 2, "shift beyond 2 px: " + m);
            dys.add(m.dy);
            dxs.add(m.dx);
            if (m.flip) flipped++;
        }
        assertEquals(Set.of(-2, -1, 0, 1, 2), dys);
        assertEquals(Set.of(-2, -1, 0, 1, 2), dxs);
        assertTrue(flipped > N / 4 && flipped < 3 * N / 4, "about half the images mirrored, got " + flipped + " of " + N);
    }

    @Test
    void withoutFlipNothingIsMirroredAndWithoutShiftNothingMoves() {
        float[] shifted = new ImageAugmentation(1, false).apply(codedImages(), new SplittableRandom(1)).toFloatArray();
        for (int i = 0; i < N; i++) {
            Move m = moveOf(shifted, i);
            assertTrue(Math.abs(m.dy) <= 1 && Math.abs(m.dx) <= 1, "shift beyond 1 px: " + m);
            assertFalse(m.flip, "mirrored without flip: " + m);
        }
        float[] mirrored = new ImageAugmentation(0, true).apply(codedImages(), new SplittableRandom(1)).toFloatArray();
        for (int i = 0; i < N; i++) {
            Move m = moveOf(mirrored, i);
            assertEquals(0, m.dy);
            assertEquals(0, m.dx);
        }
        Tensor x = codedImages();
        assertArrayEquals(x.toFloatArray(), new ImageAugmentation(0, false).apply(x, new SplittableRandom(1)).toFloatArray());
        assertTrue(new ImageAugmentation(0, false).isIdentity());
        assertFalse(ImageAugmentation.standard().isIdentity());
    }

    @Test
    void theSameGeneratorGivesTheSameBatchAndAnotherGivesAnother() {
        ImageAugmentation a = ImageAugmentation.standard();
        float[] one = a.apply(codedImages(), new SplittableRandom(5)).toFloatArray();
        assertArrayEquals(one, a.apply(codedImages(), new SplittableRandom(5)).toFloatArray());
        assertFalse(java.util.Arrays.equals(one, a.apply(codedImages(), new SplittableRandom(6)).toFloatArray()));
    }

    @Test
    void refusesFlatRowsAndShiftsThatHideTheImage() {
        Tensor flat = Tensor.zeros(4, 784);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> ImageAugmentation.standard().apply(flat, new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("[4, 784]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new ImageAugmentation(5, false).apply(Tensor.zeros(1, 1, 5, 5), new SplittableRandom(0)));
        assertTrue(e.getMessage().contains("5×5"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new ImageAugmentation(-1, false));
    }

    @Test
    void anEmptyBatchStaysEmpty() {
        Tensor empty = Tensor.zeros(0, 1, 28, 28);
        assertArrayEquals(new int[] {0, 1, 28, 28}, ImageAugmentation.standard().apply(empty, new SplittableRandom(0)).shape());
    }
}

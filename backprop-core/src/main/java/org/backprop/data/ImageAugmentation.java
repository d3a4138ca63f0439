package org.backprop.data;

import java.util.SplittableRandom;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * Random translations and horizontal mirroring of a batch of images [N, C, H, W], drawn per
 * image: each image moves by dy, dx ∈ [−maxShift, maxShift] pixels (what falls off one side is
 * lost, the uncovered side is filled with 0, the background of pixels scaled to [0, 1]) and, when
 * {@code horizontalFlip} is on, is mirrored left–right with probability ½. All channels of an
 * image move together.
 *
 * <p>Why: a small CNN fits Fashion-MNIST's 60,000 training images almost perfectly within a few
 * epochs (train accuracy 0.97+ while test accuracy stalls near 0.917); shifted and mirrored
 * copies are still the same garment, so the network has to learn features that do not depend on
 * the exact position, which is what the test images need.
 *
 * @param maxShift       largest translation in pixels along each axis; 0 for none
 * @param horizontalFlip whether to mirror half of the images left–right
 */
public record ImageAugmentation(int maxShift, boolean horizontalFlip) implements BatchTransform {

    public ImageAugmentation {
        if (maxShift < 0) throw new IllegalArgumentException("ImageAugmentation: maxShift must be >= 0, got " + maxShift);
    }

    /** Shifts of up to 2 pixels and mirroring: the usual recipe for 28×28 images. */
    public static ImageAugmentation standard() {
        return new ImageAugmentation(2, true);
    }

    /** Whether the transform changes anything at all. */
    public boolean isIdentity() {
        return maxShift == 0 && !horizontalFlip;
    }

    @Override
    public Tensor apply(Tensor features, SplittableRandom rng) {
        int[] s = features.shape();
        if (s.length != 4) {
            throw new IllegalArgumentException("ImageAugmentation takes images [N, C, H, W], got features of shape "
                    + Shape.str(s) + " (flat rows have no image layout to shift or mirror)");
        }
        int n = s[0], c = s[1], h = s[2], w = s[3];
        if (maxShift >= h || maxShift >= w) {
            throw new IllegalArgumentException("ImageAugmentation: a shift of up to " + maxShift + " pixels would move "
                    + h + "×" + w + " images entirely out of view");
        }
        float[] x = features.toFloatArray();
        float[] out = new float[x.length];
        int plane = h * w;
        for (int i = 0; i < n; i++) {
            int dy = maxShift == 0 ? 0 : rng.nextInt(-maxShift, maxShift + 1);
            int dx = maxShift == 0 ? 0 : rng.nextInt(-maxShift, maxShift + 1);
            boolean flip = horizontalFlip && rng.nextBoolean();
            for (int ch = 0; ch < c; ch++) {
                int base = (i * c + ch) * plane;
                shiftPlane(x, out, base, h, w, dy, dx, flip);
            }
        }
        return Tensor.wrap(out, s.clone());
    }

    /** out[y][x] = in[y − dy][m(x − dx)] where m mirrors when {@code flip}; 0 where that falls outside. */
    private static void shiftPlane(float[] in, float[] out, int base, int h, int w, int dy, int dx, boolean flip) {
        int x0 = Math.max(0, dx), x1 = Math.min(w, w + dx); // output columns whose source column exists
        for (int y = 0; y < h; y++) {
            int sy = y - dy, row = base + y * w;
            if (sy < 0 || sy >= h) continue; // the row stays 0 (out is fresh)
            int src = base + sy * w;
            if (!flip) {
                System.arraycopy(in, src + x0 - dx, out, row + x0, x1 - x0);
            } else {
                for (int xo = x0; xo < x1; xo++) out[row + xo] = in[src + (w - 1 - (xo - dx))];
            }
        }
    }

    @Override
    public String toString() {
        if (isIdentity()) return "none";
        String shift = maxShift > 0 ? "shift ±" + maxShift + " px" : "";
        String flip = horizontalFlip ? "horizontal flip" : "";
        return shift.isEmpty() ? flip : flip.isEmpty() ? shift : shift + ", " + flip;
    }
}

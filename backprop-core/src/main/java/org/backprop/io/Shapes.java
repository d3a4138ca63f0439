package org.backprop.io;

import java.util.Arrays;
import org.backprop.kernel.Window2d;

/** Output shapes of windowed layers, for {@link LayerSpec#outputShape}. */
final class Shapes {
    private Shapes() {}

    /** [channels, OH, OW] for an image [C, H, W] under {@code window}, or an error naming the layer. */
    static int[] window(String layer, int[] input, Window2d window, int channels) {
        if (input.length != 3) {
            throw new IllegalArgumentException(layer + " takes [C, H, W] images, got " + Arrays.toString(input));
        }
        int oh = window.outHeight(input[1]), ow = window.outWidth(input[2]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(layer + ": the window does not fit the padded " + input[1] + "×"
                    + input[2] + " input");
        }
        return new int[] {channels, oh, ow};
    }
}

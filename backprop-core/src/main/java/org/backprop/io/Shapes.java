package org.backprop.io;

import java.util.Arrays;
import org.backprop.shape.Window2d;

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

    /** ONNX's attributes of a 2-D window: kernel_shape, strides, pads (begin and end) and, if asked, dilations. */
    static java.util.Map<String, Object> onnxWindow(Window2d w, boolean dilations) {
        java.util.Map<String, Object> a = new java.util.LinkedHashMap<>();
        a.put("kernel_shape", new int[] {w.kh(), w.kw()});
        a.put("strides", new int[] {w.sh(), w.sw()});
        a.put("pads", new int[] {w.ph(), w.pw(), w.ph(), w.pw()});
        if (dilations) a.put("dilations", new int[] {w.dh(), w.dw()});
        return a;
    }

    /** ONNX's pooling operators take [N, C, H, W]. */
    static void requireImages(String layer, int[] input) {
        if (input.length != 3) {
            throw new UnsupportedOperationException("ONNX export: " + layer + " takes " + java.util.Arrays.toString(input)
                    + " per sample; ONNX pools [C, H, W] images only");
        }
    }
}

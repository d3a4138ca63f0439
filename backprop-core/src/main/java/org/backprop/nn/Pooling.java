package org.backprop.nn;

import java.util.function.IntConsumer;
import org.backprop.kernel.Parallel;
import org.backprop.shape.Window2d;
import org.backprop.tensor.Shape;

/** Checks and loops shared by the pooling layers. */
final class Pooling {
    private Pooling() {}


    /** PyTorch's rule: padding at most half the kernel, so no window lies wholly in the padding. */
    static void checkPadding(String op, Window2d win) {
        if (win.ph() > win.kh() / 2 || win.pw() > win.kw() / 2) {
            throw new IllegalArgumentException(op + ": padding should be at most half the kernel size, got " + win);
        }
    }

    /** [N, C, OH, OW] for an input [N, C, H, W], or a clear error. */
    static int[] outputShape(String op, int[] xs, Window2d win) {
        if (xs.length != 4) {
            throw new IllegalArgumentException(op + ": expected input [N, C, H, W], got " + Shape.str(xs));
        }
        int oh = win.outHeight(xs[2]), ow = win.outWidth(xs[3]);
        if (oh < 1 || ow < 1) {
            throw new IllegalArgumentException(op + ": window span " + win.spanHeight() + "×" + win.spanWidth()
                    + " is larger than the padded input " + (xs[2] + 2 * win.ph()) + "×" + (xs[3] + 2 * win.pw())
                    + " (input " + Shape.str(xs) + ", " + win + ")");
        }
        return new int[] {xs[0], xs[1], oh, ow};
    }

    /** The fewest planes worth a thread when {@code planes} planes take {@code work} element operations. */
    static long minPlanes(int planes, long work) {
        long perPlane = Math.max(1, work / Math.max(1, planes));
        return (Parallel.MIN_ELEMENTS_PER_THREAD + perPlane - 1) / perPlane;
    }

    /** Runs {@code body} for each of {@code planes} image planes, over the kernel threads when the work is large. */
    static void forPlanes(int planes, long work, IntConsumer body) {
        Parallel.forRange(planes, minPlanes(planes, work), (part, from, to) -> {
            for (int p = from; p < to; p++) body.accept(p);
        });
    }
}

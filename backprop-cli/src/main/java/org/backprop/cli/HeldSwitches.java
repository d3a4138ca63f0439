package org.backprop.cli;

import java.util.ArrayList;
import java.util.List;
import org.backprop.autograd.GradMode;
import org.backprop.shape.Window2d;
import org.backprop.nn.Activation;
import org.backprop.nn.MaxPool2d;
import org.backprop.nn.Module;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * A network's switches at one input batch, and the network run with them held. The switches are
 * the places where it is not smooth: which side of 0 each input of a ReLU, leaky ReLU or ELU lies
 * on, and which cell each max-pool window takes. Between switches the network is smooth (affine,
 * for conv/linear/ReLU/max-pool), so holding them gives a function with the network's value and
 * derivative at that batch that stays on the batch's piece for any step: the function whose finite
 * differences {@link org.backprop.autograd.GradCheck#compareHeld} takes.
 *
 * <p>Why: a parameter of the first convolution moves thousands of units (every position of every
 * image), so even a step of 1e-4 crosses some kinks, and a smaller one drowns in float32 rounding.
 * Skipping such elements skips every first-layer weight; holding the switches checks them all.
 *
 * <p>A ReLU-family input exactly at 0 has no side: it is left free (and counted), so the check
 * sees the kink there as it is. A max-pool tie keeps its first cell, as the layer does; a weight
 * step moves tied cells of equal patches (a flat background) alike, so they stay tied.
 */
final class HeldSwitches {
    private final Sequential network;
    /** Per switching layer, in the order {@link #forward} meets them: {@code byte[]} sides or {@code int[]} cells. */
    private final List<Object> states = new ArrayList<>();
    private final int exactKinks;
    private long crossings;

    private static final byte NEGATIVE = 0, POSITIVE = 1, AT_KINK = 2;

    private HeldSwitches(Sequential network, Tensor x) {
        this.network = network;
        int[] kinks = {0};
        try (var _ = GradMode.noGrad()) {
            record(network, x, kinks);
        }
        this.exactKinks = kinks[0];
    }

    /** The switches of {@code network} (in its current mode) at the batch {@code x}. */
    static HeldSwitches at(Sequential network, Tensor x) {
        return new HeldSwitches(network, x);
    }

    /** ReLU-family inputs exactly at their kink, where the network has no derivative. */
    int exactKinks() {
        return exactKinks;
    }

    /** Units and windows that {@link #forward} has held on the recorded side against their input, so far. */
    long crossings() {
        return crossings;
    }

    /** The network's output for {@code x} with the recorded switches held (under no-grad). */
    Tensor forward(Tensor x) {
        try (var _ = GradMode.noGrad()) {
            int[] next = {0};
            return held(network, x, next);
        }
    }

    private Tensor record(Module m, Tensor h, int[] kinks) {
        switch (m) {
            case Sequential s -> {
                for (Module layer : s.layers()) h = record(layer, h, kinks);
                return h;
            }
            case Activation.ReLU _, Activation.LeakyReLU _, Activation.ELU _ -> {
                float[] v = h.toFloatArray();
                byte[] sides = new byte[v.length];
                for (int i = 0; i < v.length; i++) {
                    sides[i] = v[i] > 0 ? POSITIVE : v[i] < 0 ? NEGATIVE : AT_KINK;
                    // ELU with α = 1 has a continuous slope at 0, so 0 is no kink there
                    if (sides[i] == AT_KINK && !(m instanceof Activation.ELU e && e.alpha == 1f)) kinks[0]++;
                }
                states.add(sides);
            }
            case MaxPool2d p -> states.add(argmax(h, p.window));
            default -> { }
        }
        return m.forward(h);
    }

    private Tensor held(Module m, Tensor h, int[] next) {
        switch (m) {
            case Sequential s -> {
                for (Module layer : s.layers()) h = held(layer, h, next);
                return h;
            }
            case Activation.ReLU _, Activation.LeakyReLU _, Activation.ELU _ -> {
                byte[] sides = (byte[]) states.get(next[0]++);
                float[] in = h.toFloatArray();
                float[] out = m.forward(h).toFloatArray();
                for (int i = 0; i < in.length; i++) {
                    float v = in[i];
                    if (sides[i] == POSITIVE && !(v > 0)) {
                        out[i] = v; // the positive side is the identity for all three
                        crossings++;
                    } else if (sides[i] == NEGATIVE && v > 0) {
                        out[i] = switch (m) {
                            case Activation.LeakyReLU r -> r.negativeSlope * v;
                            case Activation.ELU e -> e.alpha * (float) Math.expm1(v);
                            default -> 0f;
                        };
                        crossings++;
                    }
                }
                return Tensor.wrap(out, h.shape());
            }
            case MaxPool2d p -> {
                int[] cells = (int[]) states.get(next[0]++);
                int[] now = argmax(h, p.window);
                int[] s = h.shape();
                int oh = p.window.outHeight(s[2]), ow = p.window.outWidth(s[3]);
                float[] in = h.toFloatArray();
                float[] out = new float[now.length];
                for (int q = 0; q < out.length; q++) {
                    if (now[q] != cells[q]) crossings++;
                    out[q] = in[q / (oh * ow) * s[2] * s[3] + cells[q]];
                }
                return Tensor.wrap(out, s[0], s[1], oh, ow);
            }
            default -> {
                return m.forward(h);
            }
        }
    }

    /**
     * For each output of a max-pool over x [N, C, H, W]: the index within its input plane of the
     * window's first maximum, as {@link MaxPool2d} picks it.
     */
    static int[] argmax(Tensor x, Window2d win) {
        int[] s = x.shape();
        if (s.length != 4) throw new IllegalArgumentException("max-pool input must be [N, C, H, W], got " + s.length + " axes");
        int h = s[2], w = s[3], oh = win.outHeight(h), ow = win.outWidth(w), planes = s[0] * s[1];
        float[] v = x.toFloatArray();
        int[] cells = new int[planes * oh * ow];
        for (int p = 0, q = 0; p < planes; p++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++, q++) {
                    cells[q] = MaxPool2d.windowArgmax(v, p * h * w, h, w, win, oy, ox);
                }
            }
        }
        return cells;
    }
}

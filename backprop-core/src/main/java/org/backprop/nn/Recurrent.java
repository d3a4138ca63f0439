package org.backprop.nn;

import java.util.List;
import java.util.Random;
import org.backprop.tensor.Shape;
import org.backprop.tensor.Tensor;

/**
 * A stack of recurrent layers ({@link RNN}, {@link LSTM}, {@link GRU}) with PyTorch's semantics,
 * parameter names and layouts: {@code weight_ih_l{k}} [gates·H, in], {@code weight_hh_l{k}}
 * [gates·H, H], {@code bias_ih_l{k}}, {@code bias_hh_l{k}} [gates·H], with {@code _reverse} for
 * the backward direction of a bidirectional layer, registered in PyTorch's order, so state dicts
 * move both ways. Every value starts in U(−1/√H, 1/√H), PyTorch's default.
 *
 * <p>Input [T, B, in] ({@code batchFirst}: [B, T, in]); output [T, B, D·H] (or [B, T, D·H]), the
 * top layer's states at every step, D = 2 when bidirectional (forward then backward direction's
 * features); final states h_n (and for an LSTM c_n) [layers·D, B, H], as PyTorch. Each layer runs
 * as one fused operation with backpropagation through time written by hand
 * ({@link RecurrentLayer}). Dropout with probability {@code dropout} is applied to the outputs
 * of every layer but the last, in training mode.
 *
 * <p>Sequences of different lengths share a batch through {@code lengths} (or a mask, see
 * {@link #lengthsFromMask}): an entry stops at its length, its outputs after it are 0 and its
 * final state is the one at its last step, so padding changes nothing.
 */
public abstract sealed class Recurrent extends Module permits RNN, LSTM, GRU {

    /** The cell type: how many gate blocks of H rows the weights hold, and the op's name. */
    public enum Cell {
        RNN_TANH(1), RNN_RELU(1), LSTM(4), GRU(3);

        public final int gates;

        Cell(int gates) {
            this.gates = gates;
        }

        String opName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** What a forward pass returns: the output sequence and the final states ({@code c} only for an LSTM). */
    public record Output(Tensor output, Tensor h, Tensor c) { }

    /**
     * Receives, after each backward pass through one layer and direction, the gradient reaching
     * every time step: {@code norms[t]} = ‖∂L/∂h_t‖ over the whole batch, in time order, where
     * ∂L/∂h_t is the total gradient of the hidden state (the output's own plus what was carried
     * back from the later steps). Called on the thread that runs the backward pass.
     */
    @FunctionalInterface
    public interface StepGradients {
        void onBackward(int layer, int direction, double[] norms);
    }

    public final Cell cell;
    public final int inputSize;
    public final int hiddenSize;
    public final int numLayers;
    public final boolean bidirectional;
    public final boolean batchFirst;
    public final float dropout;
    private final Parameter[][][] weights; // [layer][direction][w_ih, w_hh, b_ih, b_hh]
    private final Random dropoutRng;
    private StepGradients stepGradients;

    Recurrent(Cell cell, int inputSize, int hiddenSize, int numLayers, boolean bidirectional, boolean batchFirst,
              float dropout, Random rng) {
        String name = getClass().getSimpleName();
        if (inputSize <= 0 || hiddenSize <= 0 || numLayers <= 0) {
            throw new IllegalArgumentException(name + ": sizes must be positive, got input " + inputSize + ", hidden "
                    + hiddenSize + ", layers " + numLayers);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException(name + ": dropout must be in [0, 1), got " + dropout);
        }
        this.cell = cell;
        this.inputSize = inputSize;
        this.hiddenSize = hiddenSize;
        this.numLayers = numLayers;
        this.bidirectional = bidirectional;
        this.batchFirst = batchFirst;
        this.dropout = dropout;
        this.dropoutRng = rng;
        int dirs = directions(), width = cell.gates * hiddenSize;
        double bound = 1.0 / Math.sqrt(hiddenSize);
        weights = new Parameter[numLayers][dirs][];
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : dirs * hiddenSize;
            for (int d = 0; d < dirs; d++) {
                String suffix = "_l" + l + (d == 1 ? "_reverse" : "");
                weights[l][d] = new Parameter[] {
                    uniform("weight_ih" + suffix, bound, rng, width, in),
                    uniform("weight_hh" + suffix, bound, rng, width, hiddenSize),
                    uniform("bias_ih" + suffix, bound, rng, width),
                    uniform("bias_hh" + suffix, bound, rng, width)};
            }
        }
    }

    private Parameter uniform(String name, double bound, Random rng, int... shape) {
        Parameter p = registerParameter(name, new Parameter(Tensor.zeros(shape)));
        Init.uniform(bound).fill(p.value(), rng);
        return p;
    }

    /**
     * Reports the per-time-step gradient norms of every later backward pass to {@code listener}
     * ({@code null} stops it). Off by default: the norms are then not computed at all.
     */
    public final void stepGradients(StepGradients listener) {
        this.stepGradients = listener;
    }

    public final int directions() {
        return bidirectional ? 2 : 1;
    }

    /** The output sequence, from zero initial states. */
    @Override
    public Tensor forward(Tensor input) {
        return forward(input, null, null, null).output();
    }

    /**
     * The full forward pass.
     *
     * @param h0      initial hidden states [layers·D, B, H], or null for zeros
     * @param c0      initial cell states (LSTM only), or null for zeros
     * @param lengths each batch entry's length in [1, T], or null when all run T steps
     */
    public Output forward(Tensor input, Tensor h0, Tensor c0, int[] lengths) {
        String name = getClass().getSimpleName();
        if (input.dim() != 3 || input.size(2) != inputSize) {
            throw new IllegalArgumentException(name + ": input must be " + (batchFirst ? "[batch, steps, " : "[steps, batch, ")
                    + inputSize + "], got " + Shape.str(input.shape()));
        }
        int steps = input.size(batchFirst ? 1 : 0), batch = input.size(batchFirst ? 0 : 1), dirs = directions();
        int[] stateShape = {numLayers * dirs, batch, hiddenSize};
        checkState(h0, "h0", stateShape);
        if (c0 != null && cell != Cell.LSTM) throw new IllegalArgumentException(name + ": only an LSTM takes a cell state c0");
        checkState(c0, "c0", stateShape);
        checkLengths(lengths, batch, steps);
        Tensor x = (batchFirst ? input.transpose(0, 1) : input).contiguous();
        int perLayer = dirs * batch * hiddenSize, outSize = steps * batch * dirs * hiddenSize;
        Tensor[] hn = new Tensor[numLayers], cn = new Tensor[numLayers];
        for (int l = 0; l < numLayers; l++) {
            int in = l == 0 ? inputSize : dirs * hiddenSize;
            RecurrentLayer.Dims d = new RecurrentLayer.Dims(steps, batch, in, hiddenSize, dirs);
            Tensor lh = layerState(h0, l, batch);
            Tensor lc = cell == Cell.LSTM ? layerState(c0, l, batch) : null;
            Tensor packed = RecurrentLayer.apply(cell, d, x.reshape(steps * batch, in), lh, lc, weights[l], lengths,
                    stepGradients == null ? null : new RecurrentLayer.Watch(stepGradients, l));
            Tensor out = packed.slice(0, 0, outSize).reshape(steps, batch, dirs * hiddenSize);
            hn[l] = packed.slice(0, outSize, outSize + perLayer).reshape(dirs, batch, hiddenSize);
            if (lc != null) cn[l] = packed.slice(0, outSize + perLayer, outSize + 2 * perLayer).reshape(dirs, batch, hiddenSize);
            if (l < numLayers - 1 && dropout > 0 && isTraining()) out = dropOut(out);
            x = out;
        }
        Tensor output = batchFirst ? x.transpose(0, 1).contiguous() : x;
        return new Output(output, Concat.rows(hn), cell == Cell.LSTM ? Concat.rows(cn) : null);
    }

    /** Layer l's initial states [D, B, H]: a slice of the given ones, or zeros. */
    private Tensor layerState(Tensor all, int l, int batch) {
        int dirs = directions();
        if (all == null) return Tensor.zeros(dirs, batch, hiddenSize);
        return all.slice(0, l * dirs, (l + 1) * dirs).contiguous();
    }

    private Tensor dropOut(Tensor x) {
        float[] mask = new float[x.numel()];
        float keep = 1f / (1 - dropout);
        for (int i = 0; i < mask.length; i++) mask[i] = dropoutRng.nextFloat() < dropout ? 0f : keep;
        return x.mul(Tensor.wrap(mask, x.shape()));
    }

    private void checkState(Tensor s, String what, int[] shape) {
        if (s != null && !Shape.same(s.shape(), shape)) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + what + " must be " + Shape.str(shape)
                    + " [layers·directions, batch, hidden], got " + Shape.str(s.shape()));
        }
    }

    private void checkLengths(int[] lengths, int batch, int steps) {
        if (lengths == null) return;
        if (lengths.length != batch) {
            throw new IllegalArgumentException(getClass().getSimpleName() + ": " + lengths.length + " lengths for a batch of " + batch);
        }
        for (int b = 0; b < batch; b++) {
            if (lengths[b] < 1 || lengths[b] > steps) {
                throw new IllegalArgumentException(getClass().getSimpleName() + ": length " + lengths[b] + " of batch entry " + b
                        + " is outside [1, " + steps + "]");
            }
        }
    }

    /**
     * The lengths a mask [B, T] describes: each row must be ones (valid steps) followed by zeros
     * (padding), with at least one valid step.
     */
    public static int[] lengthsFromMask(Tensor mask) {
        if (mask.dim() != 2) throw new IllegalArgumentException("mask must be [batch, steps], got " + Shape.str(mask.shape()));
        int batch = mask.size(0), steps = mask.size(1);
        float[] m = mask.toFloatArray();
        int[] lengths = new int[batch];
        for (int b = 0; b < batch; b++) {
            int n = 0;
            while (n < steps && m[b * steps + n] == 1f) n++;
            for (int t = n; t < steps; t++) {
                if (m[b * steps + t] != 0f) {
                    throw new IllegalArgumentException("mask row " + b + " has " + m[b * steps + t] + " at step " + t
                            + " after padding began at step " + n + ": rows must be 1s then 0s");
                }
            }
            if (n == 0) throw new IllegalArgumentException("mask row " + b + " has no valid step");
            lengths[b] = n;
        }
        return lengths;
    }

    /** The parameters of one layer and direction: weight_ih, weight_hh, bias_ih, bias_hh. */
    public final List<Parameter> layerParameters(int layer, int direction) {
        return List.of(weights[layer][direction]);
    }

    @Override
    protected String extraRepr() {
        return inputSize + ", " + hiddenSize + ", layers=" + numLayers + (bidirectional ? ", bidirectional" : "")
                + (batchFirst ? ", batchFirst" : "") + (dropout > 0 ? ", dropout=" + dropout : "");
    }
}

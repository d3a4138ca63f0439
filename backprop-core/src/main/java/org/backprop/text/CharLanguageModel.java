package org.backprop.text;

import java.util.Random;
import java.util.function.Consumer;
import org.backprop.autograd.GradMode;
import org.backprop.loss.CrossEntropyLoss;
import org.backprop.nn.Embedding;
import org.backprop.nn.GRU;
import org.backprop.nn.LSTM;
import org.backprop.nn.Linear;
import org.backprop.nn.Module;
import org.backprop.nn.RNN;
import org.backprop.nn.Recurrent;
import org.backprop.nn.Sequential;
import org.backprop.tensor.Tensor;

/**
 * A character-level language model as a plain {@link Sequential}: Embedding(V, E) → a
 * recurrent stack (batch first) → Linear(H, V), char-rnn's design, so model files, {@code info}
 * and the PyTorch round trip handle it like any network. This class adds what a plain forward
 * cannot: running with a state carried in and out (truncated backpropagation through time,
 * generation one character at a time), the loss on windows, and sampling text.
 */
public final class CharLanguageModel {
    private CharLanguageModel() {}

    /** The recurrent cell of a model: {@code lstm}, {@code gru} or {@code rnn} (tanh) on the command line. */
    public enum Kind { LSTM, GRU, RNN }

    /** A recurrent state: h [layers, B, H] and (LSTM) c, or null fields for zeros. */
    public record State(Tensor h, Tensor c) {
        public static final State ZERO = new State(null, null);

        /** The same values cut from the graph: the next window's backward stops here. */
        public State detach() {
            return new State(h == null ? null : h.detach(), c == null ? null : c.detach());
        }
    }

    /** Logits [B·T, V] (row b·T + t predicts the character after input t of window b) and the state after the last step. */
    public record Output(Tensor logits, State state) { }

    public static Sequential build(Kind kind, int vocab, int embed, int hidden, int layers, float dropout, Random rng) {
        Recurrent rnn = switch (kind) {
            case LSTM -> new LSTM(embed, hidden, layers, false, true, dropout, rng);
            case GRU -> new GRU(embed, hidden, layers, false, true, dropout, rng);
            case RNN -> new RNN(embed, hidden, layers, false, false, true, dropout, rng);
        };
        return new Sequential(new Embedding(vocab, embed, rng), rnn, new Linear(hidden, vocab, rng));
    }

    /** Whether {@code model} has this shape: Embedding → unidirectional batch-first recurrent stack → Linear back to the vocabulary. */
    public static boolean fits(Sequential model) {
        if (model.size() != 3) return false;
        return model.get(0) instanceof Embedding e && model.get(1) instanceof Recurrent r && model.get(2) instanceof Linear l
                && r.batchFirst && !r.bidirectional && r.inputSize == e.dim && l.in == r.hiddenSize && l.out == e.num;
    }

    private static Sequential check(Sequential model) {
        if (!fits(model)) {
            throw new IllegalArgumentException("not a character language model (Embedding → LSTM/GRU/RNN, batch first → Linear): "
                    + model);
        }
        return model;
    }

    /** The forward pass on inputs [B, T] of ids, from {@code state}. */
    public static Output forward(Sequential model, Tensor inputs, State state) {
        check(model);
        Recurrent rnn = (Recurrent) model.get(1);
        Module head = model.get(2);
        Tensor x = model.get(0).forward(inputs);
        Recurrent.Output r = rnn.forward(x, state.h(), state.c(), null);
        int rows = inputs.size(0) * inputs.size(1);
        Tensor logits = head.forward(r.output().reshape(rows, rnn.hiddenSize));
        return new Output(logits, new State(r.h(), r.c()));
    }

    /**
     * Mean cross-entropy over every character of {@code ids} after the first: consecutive
     * windows of {@code steps} characters, each from a zero state, {@code batch} at a time, in
     * evaluation mode without gradients. The same number whatever the batch.
     */
    public static double evaluate(Sequential model, int[] ids, int steps, int batch) {
        check(model);
        boolean training = model.isTraining();
        model.eval();
        double total = 0;
        long count = 0;
        try (var ignored = GradMode.noGrad()) {
            int full = (ids.length - 1) / steps, rest = ids.length - 1 - full * steps;
            TextWindows windows = new TextWindows(ids, steps, batch);
            for (int w0 = 0; w0 < full; w0 += batch) {
                int[] starts = new int[Math.min(batch, full - w0)];
                for (int i = 0; i < starts.length; i++) starts[i] = (w0 + i) * steps;
                TextWindows.Batch b = windows.at(starts);
                total += new CrossEntropyLoss().apply(forward(model, b.inputs(), State.ZERO).logits(), b.targets()).item()
                        * b.targets().numel();
                count += b.targets().numel();
            }
            if (rest > 0) { // the last, shorter window
                TextWindows.Batch b = TextWindows.of(ids, rest, 1, "the text").at(new int[] {full * steps});
                total += new CrossEntropyLoss().apply(forward(model, b.inputs(), State.ZERO).logits(), b.targets()).item() * rest;
                count += rest;
            }
        } finally {
            model.train(training);
        }
        return total / count;
    }

    /**
     * Generates {@code length} characters after {@code prompt}, handing each to {@code sink} as it
     * is drawn. An empty prompt starts from a newline when the vocabulary has one (as the peer
     * benchmark does), else from its first character; a prompt character outside the vocabulary is
     * an error naming it.
     */
    public static void generate(Sequential model, Vocabulary vocab, String prompt, int length, Sampler sampler,
                                Consumer<String> sink) {
        check(model);
        if (length < 0) throw new IllegalArgumentException("length must be ≥ 0, got " + length);
        int[] ids = prompt.isEmpty() ? new int[] {Math.max(0, vocab.id('\n'))} : vocab.encode(prompt, "the prompt");
        boolean training = model.isTraining();
        model.eval();
        try (var ignored = GradMode.noGrad()) {
            Output o = forward(model, Embedding.indices(ids, 1, ids.length), State.ZERO);
            int v = vocab.size();
            for (int i = 0; i < length; i++) {
                float[] logits = o.logits().toFloatArray();
                int next = sampler.next(logits, logits.length - v, v);
                sink.accept(vocab.character(next));
                o = forward(model, Embedding.indices(new int[] {next}, 1, 1), o.state());
            }
        } finally {
            model.train(training);
        }
    }
}

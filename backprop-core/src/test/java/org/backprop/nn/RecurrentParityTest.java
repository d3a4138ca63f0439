package org.backprop.nn;

import java.util.Map;
import java.util.Random;
import org.backprop.tensor.Tensor;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * RNN, LSTM and GRU against values recorded from PyTorch (scripts/torch_rnn_fixtures.py): two
 * layers (three for the ReLU RNN), bidirectional, given initial states, and batches of different
 * lengths through packed sequences. Forward within 1e-5, every gradient within 1e-4.
 */
class RecurrentParityTest {

    static Recurrent build(TorchFixture f) {
        int in = f.integer("input_size"), hid = f.integer("hidden_size"), layers = f.integer("num_layers");
        boolean bi = f.flag("bidirectional"), bf = f.flag("batch_first");
        Random rng = new Random(0);
        return switch (f.string("kind")) {
            case "lstm" -> new LSTM(in, hid, layers, bi, bf, 0f, rng);
            case "gru" -> new GRU(in, hid, layers, bi, bf, 0f, rng);
            default -> new RNN(in, hid, layers, f.string("nonlinearity").equals("relu"), bi, bf, 0f, rng);
        };
    }

    @ParameterizedTest
    @ValueSource(strings = {"lstm", "gru", "rnn_tanh", "rnn_relu", "lstm_lengths", "gru_lengths", "rnn_lengths", "lstm_wide", "gru_wide", "rnn_wide", "rnn_relu_wide"})
    void matchesPyTorch(String name) {
        TorchFixture f = TorchFixture.load(name);
        Recurrent m = build(f);
        m.loadStateDict(f.tensors("params"));
        boolean given = f.flag("given_state");
        Tensor x = f.tensor("input").requiresGrad(true);
        Tensor h0 = given ? f.tensor("h0").requiresGrad(true) : null;
        Tensor c0 = given && f.has("c0") ? f.tensor("c0").requiresGrad(true) : null;
        Recurrent.Output out = m.forward(x, h0, c0, f.ints("lengths"));

        TorchFixture.assertClose(f.tensor("output"), out.output(), 1e-5, name + " output");
        TorchFixture.assertClose(f.tensor("h_n"), out.h(), 1e-5, name + " h_n");
        Tensor loss = out.output().mul(f.tensor("w_out")).sum().add(out.h().mul(f.tensor("w_h")).sum());
        if (f.has("c_n")) {
            TorchFixture.assertClose(f.tensor("c_n"), out.c(), 1e-5, name + " c_n");
            loss = loss.add(out.c().mul(f.tensor("w_c")).sum());
        }
        loss.backward();
        Map<String, Parameter> params = m.namedParameters();
        f.tensors("grads").forEach((k, g) -> TorchFixture.assertClose(g, params.get(k).grad(), 1e-4, name + " d" + k));
        TorchFixture.assertClose(f.tensor("grad_input"), x.grad(), 1e-4, name + " d input");
        if (given) TorchFixture.assertClose(f.tensor("grad_h0"), h0.grad(), 1e-4, name + " d h0");
        if (c0 != null) TorchFixture.assertClose(f.tensor("grad_c0"), c0.grad(), 1e-4, name + " d c0");
    }
}

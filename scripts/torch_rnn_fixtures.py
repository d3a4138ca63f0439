#!/usr/bin/python3
"""Records PyTorch's values for Backprop's parity tests of Conv1d, Conv2d, Embedding, RNN, LSTM and GRU.

Usage: /usr/bin/python3 scripts/torch_rnn_fixtures.py [OUT_DIR]
(default: backprop-core/src/test/resources/org/backprop/nn/torch, relative to the repository)

Each case writes OUT_DIR/<case>.json: the layer's settings, its parameters under PyTorch's
state-dict names, the inputs (sequence, initial states, lengths), the forward results (output
sequence, final states) and the gradients of L = sum(out*w_out) + sum(h_n*w_h) [+ sum(c_n*w_c)]
for fixed random w with respect to every parameter, the input and the initial states. Tensors
are {"shape": [...], "data": [flat row-major float32 values]}. Seeded, so a rerun writes the
same files. Dropout is 0: the layers are deterministic.
"""

import json
import os
import sys

import torch
import torch.nn as nn

HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_OUT = os.path.join(HERE, "..", "backprop-core", "src", "test", "resources", "org", "backprop", "nn", "torch")


def enc(t):
    t = t.detach().to(torch.float32).contiguous()
    return {"shape": list(t.shape), "data": [float(v) for v in t.reshape(-1).tolist()]}


def embedding_case():
    torch.manual_seed(1)
    emb = nn.Embedding(10, 4, padding_idx=2)
    idx = torch.tensor([[3, 5, 2, 3], [9, 0, 3, 2]])
    w = torch.randn(2, 4, 4)
    out = emb(idx)
    (out * w).sum().backward()
    return {"num": 10, "dim": 4, "padding_idx": 2, "indices": enc(idx.float()),
            "params": {k: enc(v) for k, v in emb.state_dict().items()}, "w_out": enc(w),
            "output": enc(out), "grads": {"weight": enc(emb.weight.grad)}}


def recurrent_case(kind, seed, input_size=3, hidden=4, layers=2, bidirectional=True, batch_first=False,
                   lengths=None, nonlinearity="tanh", given_state=True, T=5, B=3):
    torch.manual_seed(seed)
    cls = {"lstm": nn.LSTM, "gru": nn.GRU, "rnn": nn.RNN}[kind]
    extra = {"nonlinearity": nonlinearity} if kind == "rnn" else {}
    m = cls(input_size, hidden, layers, bidirectional=bidirectional, batch_first=batch_first, **extra)
    D = 2 if bidirectional else 1
    x = torch.randn((B, T, input_size) if batch_first else (T, B, input_size), requires_grad=True)
    h0 = torch.randn(layers * D, B, hidden, requires_grad=True)
    c0 = torch.randn(layers * D, B, hidden, requires_grad=True)
    state = None
    if given_state:
        state = (h0, c0) if kind == "lstm" else h0
    inp = x
    if lengths is not None:
        inp = nn.utils.rnn.pack_padded_sequence(x, torch.tensor(lengths), batch_first=batch_first, enforce_sorted=False)
    out, st = m(inp, state)
    if lengths is not None:
        out, _ = nn.utils.rnn.pad_packed_sequence(out, batch_first=batch_first, total_length=T)
    hn, cn = st if kind == "lstm" else (st, None)
    w_out, w_h = torch.randn(out.shape), torch.randn(hn.shape)
    loss = (out * w_out).sum() + (hn * w_h).sum()
    case = {"kind": kind, "input_size": input_size, "hidden_size": hidden, "num_layers": layers,
            "bidirectional": bidirectional, "batch_first": batch_first, "nonlinearity": nonlinearity,
            "lengths": lengths, "given_state": given_state,
            "params": {k: enc(v) for k, v in m.state_dict().items()},
            "input": enc(x), "h0": enc(h0), "w_out": enc(w_out), "w_h": enc(w_h)}
    if kind == "lstm":
        w_c = torch.randn(cn.shape)
        loss = loss + (cn * w_c).sum()
        case["c0"] = enc(c0)
        case["w_c"] = enc(w_c)
        case["c_n"] = enc(cn)
    loss.backward()
    case["output"] = enc(out)
    case["h_n"] = enc(hn)
    case["grads"] = {k: enc(p.grad) for k, p in m.named_parameters()}
    case["grad_input"] = enc(x.grad)
    if given_state:
        case["grad_h0"] = enc(h0.grad)
        if kind == "lstm":
            case["grad_c0"] = enc(c0.grad)
    return case


def conv1d_case():
    """Conv1d (stride 2, padding 2, dilation 2) -> MaxPool1d(3, 1, 1) -> Softplus(beta 2, threshold 1) -> AvgPool1d(2, 2, 1, exclude pad)."""
    torch.manual_seed(2)
    conv = nn.Conv1d(3, 4, 3, stride=2, padding=2, dilation=2)
    x = torch.randn(2, 3, 11, requires_grad=True)
    a = conv(x)
    b = nn.MaxPool1d(3, stride=1, padding=1)(a)
    c = nn.Softplus(beta=2.0, threshold=1.0)(b)
    y = nn.AvgPool1d(2, stride=2, padding=1, count_include_pad=False)(c)
    w = torch.randn(y.shape)
    (y * w).sum().backward()
    return {"params": {k: enc(v) for k, v in conv.state_dict().items()}, "input": enc(x), "w_out": enc(w),
            "conv": enc(a), "maxpool": enc(b), "softplus": enc(c), "output": enc(y),
            "grads": {k: enc(p.grad) for k, p in conv.named_parameters()}, "grad_input": enc(x.grad)}


def conv2d_case():
    """Conv2d(16, 32, 3, padding 1): 4,608 weights, so the weight gradient takes the packed GEMM path."""
    torch.manual_seed(3)
    conv = nn.Conv2d(16, 32, 3, padding=1)
    x = torch.randn(2, 16, 3, 3, requires_grad=True)
    y = conv(x)
    w = torch.randn(y.shape)
    (y * w).sum().backward()
    return {"params": {k: enc(v) for k, v in conv.state_dict().items()}, "input": enc(x), "w_out": enc(w),
            "output": enc(y), "grads": {k: enc(p.grad) for k, p in conv.named_parameters()}, "grad_input": enc(x.grad)}


def conv2d_shape_case(seed, c_in, c_out, k, pad, shape):
    """A Conv2d on images of an odd size: which of the direct kernels runs depends on the channels
    (one input channel or fewer output channels than vector lanes: positions in the lanes; 8+
    output channels: the 8-row register blocks)."""
    torch.manual_seed(seed)
    conv = nn.Conv2d(c_in, c_out, k, padding=pad)
    x = torch.randn(*shape, requires_grad=True)
    y = conv(x)
    w = torch.randn(y.shape)
    (y * w).sum().backward()
    return {"params": {k: enc(v) for k, v in conv.state_dict().items()}, "input": enc(x), "w_out": enc(w),
            "output": enc(y), "grads": {k: enc(p.grad) for k, p in conv.named_parameters()}, "grad_input": enc(x.grad)}


CASES = {
    "conv1d": conv1d_case,
    "conv2d_wide": conv2d_case,
    # LeNet-5's first layer (1 -> 6, 5x5, pad 2) on 13x17 images
    "conv2d_first": lambda: conv2d_shape_case(4, 1, 6, 5, 2, (2, 1, 13, 17)),
    # 8 -> 16 channels, 3x3, pad 1, on 9x21 images: grids of several vectors and a tail
    "conv2d_grid": lambda: conv2d_shape_case(5, 8, 16, 3, 1, (1, 8, 9, 21)),
    "embedding": embedding_case,
    "lstm": lambda: recurrent_case("lstm", 11),
    "gru": lambda: recurrent_case("gru", 12),
    "rnn_tanh": lambda: recurrent_case("rnn", 13),
    "rnn_relu": lambda: recurrent_case("rnn", 14, nonlinearity="relu", bidirectional=False, layers=3),
    "lstm_lengths": lambda: recurrent_case("lstm", 15, batch_first=True, lengths=[5, 2, 4]),
    "gru_lengths": lambda: recurrent_case("gru", 16, batch_first=True, lengths=[3, 5, 1], given_state=False),
    "rnn_lengths": lambda: recurrent_case("rnn", 17, lengths=[4, 5, 2]),
    # hidden 17: whole vectors plus a tail in the gate loops on 256- and 512-bit machines
    "lstm_wide": lambda: recurrent_case("lstm", 18, input_size=2, hidden=17, layers=1, bidirectional=False,
                                        lengths=[4, 2], T=4, B=2),
    "gru_wide": lambda: recurrent_case("gru", 19, input_size=2, hidden=17, layers=1, bidirectional=False,
                                       lengths=[4, 2], T=4, B=2),
    "rnn_wide": lambda: recurrent_case("rnn", 20, input_size=2, hidden=17, layers=1, bidirectional=False, T=4, B=2),
    "rnn_relu_wide": lambda: recurrent_case("rnn", 21, input_size=2, hidden=17, layers=1, bidirectional=False, T=4, B=2,
                                            nonlinearity="relu"),
}

if __name__ == "__main__":
    out_dir = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out_dir, exist_ok=True)
    for name, make in CASES.items():
        with open(os.path.join(out_dir, name + ".json"), "w") as f:
            json.dump(make(), f, separators=(",", ":"))
            f.write("\n")
        print("wrote", os.path.join(out_dir, name + ".json"))

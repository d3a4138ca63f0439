#!/usr/bin/python3
"""PyTorch round trip for Backprop model files.

Usage: /usr/bin/python3 scripts/torch_roundtrip.py DIR

The models are an MLP with every activation, LeNet-5, the small batch-normalised CNN, and a CNN
with every other layer kind and option of a Backprop model file (names in NAMES).

Backprop -> PyTorch: for each model, reads DIR/backprop_<name>.safetensors (written by
Backprop's ModelFile) with the small safetensors reader below, builds the equivalent
torch.nn.Sequential from the "backprop.architecture" metadata, loads the state dict strictly,
runs the inputs stored in DIR/backprop_<name>_io.safetensors in eval mode and compares with
Backprop's predictions there.

PyTorch -> Backprop: defines the same networks in torch, moves their batch-norm statistics and
norm parameters off their initial values, and writes DIR/torch_<name>.safetensors (with the
architecture in the metadata, so Backprop can rebuild it) and DIR/torch_<name>_io.safetensors
(inputs and torch's predictions), plus DIR/torch_dtypes.safetensors (one vector stored as F32,
F16, BF16 and F64 to check Backprop's conversions). TorchRoundTripTest#verifyTorchFiles then
checks them from Java.

Needs torch and numpy only (Debian: apt-get install python3-torch python3-numpy); the
safetensors package is not used. Exits with status 1 if predictions differ by 1e-5 or more.
"""

import json
import os
import struct
import sys

import numpy as np
import torch

TOLERANCE = 1e-5
MAX_HEADER = 100 * 1024 * 1024
DTYPES = {"F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "F64": np.dtype("<f8"), "BF16": np.dtype("<u2")}


def read_safetensors(path):
    """Returns ({name: float32 torch tensor} in header order, metadata dict), checking the layout."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if n > MAX_HEADER or 8 + n > len(data):
        raise ValueError(f"{path}: bad header length {n}")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    metadata = header.pop("__metadata__", {})
    buffer = memoryview(data)[8 + n:]
    tensors, covered = {}, 0
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        if begin != covered:
            raise ValueError(f"{path}: tensor {name} starts at {begin}, expected {covered}")
        dtype = DTYPES[info["dtype"]]
        count = int(np.prod(info["shape"], dtype=np.int64))
        if end - begin != count * dtype.itemsize or end > len(buffer):
            raise ValueError(f"{path}: tensor {name} offsets {begin}..{end} do not fit its shape or the file")
        array = np.frombuffer(buffer[begin:end], dtype=dtype)
        if info["dtype"] == "BF16":  # the upper half of a float32
            array = (array.astype(np.uint32) << 16).view(np.float32)
        tensors[name] = torch.from_numpy(array.astype(np.float32).reshape(info["shape"]))
        covered = end
    if covered != len(buffer):
        raise ValueError(f"{path}: tensors cover {covered} of {len(buffer)} data bytes")
    return {name: tensors[name] for name in header}, metadata


def write_safetensors(path, tensors, metadata):
    """Writes torch tensors as-is (F32, F16, BF16 or F64), header padded with spaces to 8 bytes."""
    names = {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16", torch.float64: "F64"}
    header, chunks, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        raw = (t.view(torch.int16) if t.dtype == torch.bfloat16 else t).numpy().tobytes()  # little-endian host
        header[name] = {"dtype": names[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        chunks.append(raw)
        offset += len(raw)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for raw in chunks:
            f.write(raw)


NAMES = ["mlp", "lenet5", "small_cnn", "every_layer", "char_lstm", "seq_gru", "speech_gru", "gpt"]  # as TorchRoundTrip.NAMES


class Embedding(torch.nn.Embedding):
    """nn.Embedding that takes its ids as floats, as Backprop's tensors hold them."""

    def forward(self, x):
        return super().forward(x.long())


def sequence_output(cls):
    """A subclass of nn.LSTM/GRU/RNN returning only the output sequence (same state-dict names)."""
    return type(cls.__name__, (cls,), {"forward": lambda self, x: cls.forward(self, x)[0]})


LSTM, GRU, RNN = (sequence_output(c) for c in (torch.nn.LSTM, torch.nn.GRU, torch.nn.RNN))
RECURRENT = {LSTM: "lstm", GRU: "gru", RNN: "rnn"}


class LastStep(torch.nn.Module):
    """Backprop's last_step: [N, T, F] -> [N, F], the last time step (a GRU's final top-layer state)."""

    def forward(self, x):
        return x[:, -1]


class GPT(torch.nn.Module):
    """Backprop's GPT (io.GptSpec) as torch modules with the same state-dict names: token and
    position embeddings, pre-LN blocks (ln1, causal nn.MultiheadAttention with packed in_proj,
    ln2, fc, exact GELU, fc2), ln_f, and the head tied to wte. Takes token ids [N, T] (any dtype)."""

    class Block(torch.nn.Module):
        def __init__(self, width, heads, dropout):
            super().__init__()
            nn = torch.nn
            self.ln1 = nn.LayerNorm(width)
            self.attn = nn.MultiheadAttention(width, heads, dropout=0.0, batch_first=True)
            self.ln2 = nn.LayerNorm(width)
            self.fc = nn.Linear(width, 4 * width)
            self.fc2 = nn.Linear(4 * width, width)
            self.drop = nn.Dropout(dropout)

        def forward(self, x):
            t = x.shape[1]
            mask = torch.triu(torch.ones(t, t, dtype=torch.bool), 1)
            h = self.ln1(x)
            x = x + self.drop(self.attn(h, h, h, attn_mask=mask, need_weights=False)[0])
            return x + self.drop(self.fc2(torch.nn.functional.gelu(self.fc(self.ln2(x)))))

    def __init__(self, vocab, context, layers, heads, width, dropout=0.0):
        super().__init__()
        nn = torch.nn
        self.config = dict(vocab=vocab, context=context, layers=layers, heads=heads, width=width, dropout=dropout)
        self.wte = nn.Embedding(vocab, width)
        self.wpe = nn.Embedding(context, width)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList(GPT.Block(width, heads, dropout) for _ in range(layers))
        self.ln_f = nn.LayerNorm(width)

    def forward(self, ids):
        ids = ids.long()
        x = self.drop(self.wte(ids) + self.wpe(torch.arange(ids.shape[1])))
        for b in self.blocks:
            x = b(x)
        return self.ln_f(x) @ self.wte.weight.t()                      # the tied head


def pair(v):
    return list(v) if isinstance(v, (tuple, list)) else [v, v]


def build(architecture):
    """torch.nn.Sequential from Backprop's architecture JSON (format backprop.sequential, version 1)."""
    if architecture.get("format") != "backprop.sequential" or architecture.get("version") != 1:
        raise ValueError(f"unsupported architecture {architecture.get('format')} v{architecture.get('version')}")
    return build_layers(architecture["layers"])


def build_layers(specs):
    layers = []
    for spec in specs:
        kind = spec["type"]
        if kind == "linear":
            layers.append(torch.nn.Linear(spec["in"], spec["out"], bias=spec["bias"]))
        elif kind == "relu":
            layers.append(torch.nn.ReLU())
        elif kind == "leaky_relu":
            layers.append(torch.nn.LeakyReLU(spec["negative_slope"]))
        elif kind == "elu":
            layers.append(torch.nn.ELU(spec["alpha"]))
        elif kind == "sigmoid":
            layers.append(torch.nn.Sigmoid())
        elif kind == "tanh":
            layers.append(torch.nn.Tanh())
        elif kind == "gelu":
            layers.append(torch.nn.GELU())  # exact erf form, as Backprop's
        elif kind == "softmax":
            layers.append(torch.nn.Softmax(dim=spec["axis"]))
        elif kind == "conv2d":
            layers.append(torch.nn.Conv2d(spec["in"], spec["out"], spec["kernel"], stride=spec["stride"],
                                          padding=spec["padding"], dilation=spec["dilation"], bias=spec["bias"]))
        elif kind == "max_pool2d":
            layers.append(torch.nn.MaxPool2d(spec["kernel"], stride=spec["stride"], padding=spec["padding"],
                                             dilation=spec["dilation"]))
        elif kind == "avg_pool2d":
            layers.append(torch.nn.AvgPool2d(spec["kernel"], stride=spec["stride"], padding=spec["padding"],
                                             count_include_pad=spec["count_include_pad"]))
        elif kind == "flatten":
            layers.append(torch.nn.Flatten(spec["start"], spec["end"]))
        elif kind in ("batch_norm1d", "batch_norm2d"):
            norm = torch.nn.BatchNorm1d if kind == "batch_norm1d" else torch.nn.BatchNorm2d
            layers.append(norm(spec["channels"], eps=spec["eps"], momentum=spec["momentum"]))
        elif kind == "dropout":
            layers.append(torch.nn.Dropout(spec["p"]))
        elif kind == "layer_norm":
            layers.append(torch.nn.LayerNorm(spec["shape"], eps=spec["eps"], elementwise_affine=spec["affine"]))
        elif kind == "sequential":
            layers.append(build_layers(spec["layers"]))
        elif kind == "embedding":
            layers.append(Embedding(spec["num"], spec["dim"], padding_idx=None if spec["padding_idx"] < 0 else spec["padding_idx"]))
        elif kind in ("lstm", "gru", "rnn"):
            cls = {"lstm": LSTM, "gru": GRU, "rnn": RNN}[kind]
            extra = {"nonlinearity": "relu" if spec["relu"] else "tanh"} if kind == "rnn" else {}
            layers.append(cls(spec["input"], spec["hidden"], spec["layers"], bidirectional=spec["bidirectional"],
                              batch_first=spec["batch_first"], dropout=spec["dropout"], **extra))
        elif kind == "last_step":
            layers.append(LastStep())
        elif kind == "gpt":
            if not spec["tied_head"]:
                raise ValueError("a GPT without a tied head is not a Backprop model")
            layers.append(GPT(spec["vocab"], spec["context"], spec["layers"], spec["heads"], spec["width"], spec["dropout"]))
        else:
            raise ValueError(f"unknown layer type {kind}")
    return torch.nn.Sequential(*layers)


def describe(model, input_shape=None):
    """Backprop's architecture JSON for a torch.nn.Sequential of supported modules."""
    architecture = {"format": "backprop.sequential", "version": 1}
    if input_shape is not None:
        architecture["input_shape"] = list(input_shape)
    architecture["layers"] = describe_layers(model, "")
    return architecture


def describe_layers(model, prefix):
    layers = []
    for i, m in enumerate(model):
        where = f"layer {prefix}{i} ({type(m).__name__})"
        t = type(m)
        if t is torch.nn.Linear:
            layers.append({"type": "linear", "in": m.in_features, "out": m.out_features, "bias": m.bias is not None})
        elif t is torch.nn.LeakyReLU:
            layers.append({"type": "leaky_relu", "negative_slope": m.negative_slope})
        elif t is torch.nn.ELU:
            layers.append({"type": "elu", "alpha": m.alpha})
        elif t is torch.nn.GELU and getattr(m, "approximate", "none") == "none":
            layers.append({"type": "gelu"})
        elif t is torch.nn.Softmax:
            layers.append({"type": "softmax", "axis": m.dim})
        elif t in (torch.nn.ReLU, torch.nn.Sigmoid, torch.nn.Tanh):
            layers.append({"type": t.__name__.lower()})
        elif t is torch.nn.Conv2d:
            if m.groups != 1 or m.padding_mode != "zeros" or isinstance(m.padding, str):
                raise ValueError(f"{where}: Backprop has no groups, padding modes or string padding")
            layers.append({"type": "conv2d", "in": m.in_channels, "out": m.out_channels, "kernel": pair(m.kernel_size),
                           "stride": pair(m.stride), "padding": pair(m.padding), "dilation": pair(m.dilation),
                           "bias": m.bias is not None})
        elif t is torch.nn.MaxPool2d:
            if m.ceil_mode or m.return_indices:
                raise ValueError(f"{where}: Backprop pools in floor mode and returns no indices")
            layers.append({"type": "max_pool2d", "kernel": pair(m.kernel_size), "stride": pair(m.stride),
                           "padding": pair(m.padding), "dilation": pair(m.dilation)})
        elif t is torch.nn.AvgPool2d:
            if m.ceil_mode or m.divisor_override is not None:
                raise ValueError(f"{where}: Backprop pools in floor mode without a divisor override")
            layers.append({"type": "avg_pool2d", "kernel": pair(m.kernel_size), "stride": pair(m.stride),
                           "padding": pair(m.padding), "count_include_pad": m.count_include_pad})
        elif t is torch.nn.Flatten:
            layers.append({"type": "flatten", "start": m.start_dim, "end": m.end_dim})
        elif t in (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d):
            if not m.affine or not m.track_running_stats or m.momentum is None:
                raise ValueError(f"{where}: Backprop's batch norm is affine with running statistics and a momentum")
            layers.append({"type": "batch_norm1d" if t is torch.nn.BatchNorm1d else "batch_norm2d",
                           "channels": m.num_features, "eps": m.eps, "momentum": m.momentum})
        elif t is torch.nn.Dropout:
            layers.append({"type": "dropout", "p": m.p})
        elif t is torch.nn.LayerNorm:
            layers.append({"type": "layer_norm", "shape": list(m.normalized_shape), "eps": m.eps,
                           "affine": m.elementwise_affine})
        elif t is torch.nn.Sequential:
            layers.append({"type": "sequential", "layers": describe_layers(m, f"{prefix}{i}.")})
        elif t is Embedding:
            layers.append({"type": "embedding", "num": m.num_embeddings, "dim": m.embedding_dim,
                           "padding_idx": -1 if m.padding_idx is None else m.padding_idx})
        elif t in RECURRENT:
            if not m.bias or getattr(m, "proj_size", 0):
                raise ValueError(f"{where}: Backprop's recurrent layers have biases and no projection")
            spec = {"type": RECURRENT[t], "input": m.input_size, "hidden": m.hidden_size, "layers": m.num_layers,
                    "bidirectional": m.bidirectional, "batch_first": m.batch_first, "dropout": float(m.dropout)}
            if t is RNN:
                spec["relu"] = m.nonlinearity == "relu"
            layers.append(spec)
        elif t is LastStep:
            layers.append({"type": "last_step"})
        elif t is GPT:
            layers.append({"type": "gpt", **m.config, "tied_head": True})
        else:
            raise ValueError(f"{where} has no Backprop equivalent")
    return layers


def backprop_to_torch(d, name):
    path = os.path.join(d, f"backprop_{name}.safetensors")
    if not os.path.exists(path):
        raise FileNotFoundError(f"{path} is missing: run step 1 (TorchRoundTripTest#exportForTorch) first")
    tensors, metadata = read_safetensors(path)
    architecture = json.loads(metadata["backprop.architecture"])
    model = build(architecture)
    model.load_state_dict(tensors, strict=True)  # num_batches_tracked: F32 in the file, copied into torch's int64
    model.eval()
    io, _ = read_safetensors(os.path.join(d, f"backprop_{name}_io.safetensors"))
    inputs = io["inputs"]
    shape = architecture.get("input_shape")
    if shape is not None and list(inputs.shape[1:]) != shape:
        raise ValueError(f"{name}: input_shape {shape} but the inputs are {list(inputs.shape)}")
    with torch.no_grad():
        predictions = model(inputs)
    diff = (predictions - io["predictions"]).abs().max().item()
    print(f"Backprop -> torch {name:<11} {len(model):2d} layers, {sum(p.numel() for p in model.parameters()):6,d} "
          f"parameters, {len(tensors):2d} tensors, input {shape or [inputs.shape[1]]}: "
          f"{predictions.numel():3d} predictions, max |diff| = {diff:.3g}")
    if "backprop.preprocessing" in metadata:
        print(f"  preprocessing: {metadata['backprop.preprocessing']}")
    return diff


def torch_models():
    """The same networks as TorchRoundTrip, defined independently in torch: (name, model, sample shape)."""
    nn = torch.nn
    mlp = nn.Sequential(
        nn.Linear(4, 16), nn.LeakyReLU(0.2),
        nn.Linear(16, 16, bias=False), nn.ELU(0.5),
        nn.Linear(16, 12), nn.GELU(),
        nn.Linear(12, 12), nn.Tanh(),
        nn.Linear(12, 10), nn.Sigmoid(),
        nn.Linear(10, 10), nn.ReLU(),
        nn.Linear(10, 8), nn.Softmax(dim=-1),
        nn.Linear(8, 3))
    lenet5 = nn.Sequential(
        nn.Conv2d(1, 6, 5, padding=2), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(400, 120), nn.ReLU(), nn.Linear(120, 84), nn.ReLU(), nn.Linear(84, 10))

    def block(c_in, c_out):
        return nn.Sequential(nn.Conv2d(c_in, c_out, 3, padding=1, bias=False), nn.BatchNorm2d(c_out), nn.ReLU(),
                             nn.MaxPool2d(2))

    small_cnn = nn.Sequential(block(1, 16), block(16, 32), block(32, 64), nn.Flatten(),
                              nn.Linear(576, 128), nn.ReLU(), nn.Dropout(0.25), nn.Linear(128, 10))
    every_layer = nn.Sequential(
        nn.Sequential(
            nn.Conv2d(3, 8, 3, padding=1), nn.BatchNorm2d(8, eps=1e-3, momentum=0.2), nn.ReLU(),
            nn.Sequential(nn.Conv2d(8, 6, (3, 2), stride=(2, 1), padding=(2, 1), dilation=(2, 1), bias=False),
                          nn.LeakyReLU(0.1))),
        nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 1), dilation=(1, 2)),
        nn.AvgPool2d(3, stride=(1, 2), padding=1, count_include_pad=False),
        nn.Dropout(0.3),
        nn.Flatten(2, -1),
        nn.BatchNorm1d(6),
        nn.LayerNorm([6, 28]),
        nn.Flatten(),
        nn.Linear(168, 32), nn.GELU(),
        nn.BatchNorm1d(32), nn.LayerNorm(32, eps=1e-4, elementwise_affine=False), nn.Tanh(),
        nn.Linear(32, 10))
    char_lstm = nn.Sequential(Embedding(20, 8), LSTM(8, 12, 2, batch_first=True, dropout=0.1), nn.Linear(12, 20))
    seq_gru = nn.Sequential(Embedding(16, 6, padding_idx=0), GRU(6, 5, 1, bidirectional=True, batch_first=True),
                            RNN(10, 7, 2, nonlinearity="relu", batch_first=True, dropout=0.2),
                            RNN(7, 4, 1, bidirectional=True, batch_first=True), nn.Linear(8, 3))
    speech_gru = nn.Sequential(GRU(5, 6, 2, batch_first=True), LastStep(), nn.Linear(6, 3))
    gpt = nn.Sequential(GPT(11, 8, 2, 2, 16))
    return [("mlp", mlp, [4]), ("lenet5", lenet5, [1, 28, 28]), ("small_cnn", small_cnn, [1, 28, 28]),
            ("every_layer", every_layer, [3, 16, 12]), ("char_lstm", char_lstm, [10]), ("seq_gru", seq_gru, [10]),
            ("speech_gru", speech_gru, [10, 5]), ("gpt", gpt, [8])]


TOKEN_MODELS = {"char_lstm": 20, "seq_gru": 16}


def trained(model, sample):
    """Batch-norm running statistics from a few training-mode passes, and γ, β moved off 1 and 0."""
    model.train()
    with torch.no_grad():
        if isinstance(model[0], GPT):                  # token ids in; every parameter moved off its init
            for p in model.parameters():
                p.add_(torch.randn_like(p) * 0.2)
            return model.eval()
        for _ in range(3):
            model(torch.randn(16, *sample) * 1.5 + 0.3)
        for m in model.modules():
            if isinstance(m, (torch.nn.BatchNorm1d, torch.nn.BatchNorm2d, torch.nn.LayerNorm)) and \
                    getattr(m, "weight", None) is not None:
                m.weight.add_(torch.randn_like(m.weight) * 0.2)
                m.bias.add_(torch.randn_like(m.bias) * 0.2)
    return model.eval()


def torch_to_backprop(d):
    torch.manual_seed(123)
    for name, model, sample in torch_models():
        if name in TOKEN_MODELS:  # token ids (as floats) for the embedding models, which have no norms to train
            model = model.eval()
            inputs = torch.randint(0, TOKEN_MODELS[name], (8, *sample)).float()
        elif name == "gpt":
            model = trained(model, sample)
            inputs = torch.randint(0, 11, (4, *sample)).float()
        else:
            model = trained(model, sample)
            inputs = torch.randn(50 if name == "mlp" else 8, *sample) * (2 if name == "mlp" else 1)
        with torch.no_grad():
            predictions = model(inputs)
        metadata = {"format": "pt", "torch_version": torch.__version__,
                    "backprop.architecture": json.dumps(describe(model, None if name == "mlp" else sample))}
        # Backprop reads float tensors only: num_batches_tracked (int64) goes as F32, exact below 2^24
        state = {k: (v.float() if not v.is_floating_point() else v) for k, v in model.state_dict().items()}
        write_safetensors(os.path.join(d, f"torch_{name}.safetensors"), state, metadata)
        write_safetensors(os.path.join(d, f"torch_{name}_io.safetensors"),
                          {"inputs": inputs, "predictions": predictions}, {})
        print(f"wrote torch_{name}.safetensors ({len(state)} tensors) and torch_{name}_io.safetensors "
              f"({inputs.shape[0]} samples of {sample})")
    # exact in every format: powers of two down to F16's smallest subnormal, <= 8 significant bits
    check = torch.tensor([0.0, 1.0, -2.0, 0.5, 1024.0, -0.09375, -3.5, 2.0 ** -14, 2.0 ** -24, 65280.0])
    write_safetensors(os.path.join(d, "torch_dtypes.safetensors"), {
        "check_f32": check, "check_f16": check.half(), "check_bf16": check.bfloat16(), "check_f64": check.double()}, {})
    print("wrote torch_dtypes.safetensors (one vector as F32, F16, BF16, F64) for TorchRoundTripTest#verifyTorchFiles")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    d = sys.argv[1]
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    worst = max(backprop_to_torch(d, name) for name in NAMES)
    print(f"Backprop -> torch: max |diff| over all models = {worst:.3g} (tolerance {TOLERANCE:.0e})")
    torch_to_backprop(d)
    ok = worst < TOLERANCE
    print("OK" if ok else "FAILED: predictions differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

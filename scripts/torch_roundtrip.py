#!/usr/bin/python3
"""PyTorch round trip for Backprop model files.

Usage: /usr/bin/python3 scripts/torch_roundtrip.py DIR

Backprop -> PyTorch: reads DIR/backprop_model.safetensors (written by Backprop's ModelFile)
with the small safetensors reader below, builds the equivalent torch.nn.Sequential from the
"backprop.architecture" metadata, loads the state dict strictly, runs the inputs stored in
DIR/backprop_io.safetensors and compares with Backprop's predictions there.

PyTorch -> Backprop: writes DIR/torch_model.safetensors (a freshly initialised torch model with
its architecture in the metadata, so Backprop can rebuild it) and DIR/torch_io.safetensors
(inputs, torch's predictions, and one vector stored as F32, F16, BF16 and F64 to check
Backprop's conversions). TorchRoundTripTest#verifyTorchFiles then checks them from Java.

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


def build(architecture):
    """torch.nn.Sequential from Backprop's architecture JSON (format backprop.sequential, version 1)."""
    if architecture.get("format") != "backprop.sequential" or architecture.get("version") != 1:
        raise ValueError(f"unsupported architecture {architecture.get('format')} v{architecture.get('version')}")
    layers = []
    for spec in architecture["layers"]:
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
        else:
            raise ValueError(f"unknown layer type {kind}")
    return torch.nn.Sequential(*layers)


def describe(model):
    """Backprop's architecture JSON for a torch.nn.Sequential of supported modules."""
    layers = []
    for i, m in enumerate(model):
        if isinstance(m, torch.nn.Linear):
            layers.append({"type": "linear", "in": m.in_features, "out": m.out_features, "bias": m.bias is not None})
        elif isinstance(m, torch.nn.LeakyReLU):
            layers.append({"type": "leaky_relu", "negative_slope": m.negative_slope})
        elif isinstance(m, torch.nn.ELU):
            layers.append({"type": "elu", "alpha": m.alpha})
        elif isinstance(m, torch.nn.GELU) and getattr(m, "approximate", "none") == "none":
            layers.append({"type": "gelu"})
        elif isinstance(m, torch.nn.Softmax):
            layers.append({"type": "softmax", "axis": m.dim})
        elif type(m) in (torch.nn.ReLU, torch.nn.Sigmoid, torch.nn.Tanh):
            layers.append({"type": type(m).__name__.lower()})
        else:
            raise ValueError(f"layer {i} ({type(m).__name__}) has no Backprop equivalent")
    return {"format": "backprop.sequential", "version": 1, "layers": layers}


def backprop_to_torch(d):
    tensors, metadata = read_safetensors(os.path.join(d, "backprop_model.safetensors"))
    architecture = json.loads(metadata["backprop.architecture"])
    model = build(architecture)
    model.load_state_dict(tensors, strict=True)
    model.eval()
    io, _ = read_safetensors(os.path.join(d, "backprop_io.safetensors"))
    with torch.no_grad():
        predictions = model(io["inputs"])
    diff = (predictions - io["predictions"]).abs().max().item()
    print(f"read backprop_model.safetensors: {len(tensors)} tensors, metadata keys {sorted(metadata)}")
    print(f"built {model}".replace("\n", "\n  "))
    print(f"preprocessing: {metadata.get('backprop.preprocessing', '(none)')}")
    print(f"Backprop -> torch: {predictions.numel()} predictions, max |diff| = {diff:.3g} (tolerance {TOLERANCE:.0e})")
    return diff < TOLERANCE


def torch_to_backprop(d):
    torch.manual_seed(123)
    model = torch.nn.Sequential(
        torch.nn.Linear(4, 16), torch.nn.LeakyReLU(0.2),
        torch.nn.Linear(16, 16, bias=False), torch.nn.ELU(0.5),
        torch.nn.Linear(16, 12), torch.nn.GELU(),
        torch.nn.Linear(12, 12), torch.nn.Tanh(),
        torch.nn.Linear(12, 10), torch.nn.Sigmoid(),
        torch.nn.Linear(10, 10), torch.nn.ReLU(),
        torch.nn.Linear(10, 8), torch.nn.Softmax(dim=-1),
        torch.nn.Linear(8, 3)).eval()
    inputs = torch.randn(50, 4) * 2
    with torch.no_grad():
        predictions = model(inputs)
    metadata = {"format": "pt", "backprop.architecture": json.dumps(describe(model)),
                "torch_version": torch.__version__}
    write_safetensors(os.path.join(d, "torch_model.safetensors"), model.state_dict(), metadata)
    # exact in every format: powers of two down to F16's smallest subnormal, <= 8 significant bits
    check = torch.tensor([0.0, 1.0, -2.0, 0.5, 1024.0, -0.09375, -3.5, 2.0 ** -14, 2.0 ** -24, 65280.0])
    write_safetensors(os.path.join(d, "torch_io.safetensors"), {
        "inputs": inputs, "predictions": predictions, "check_f32": check, "check_f16": check.half(),
        "check_bf16": check.bfloat16(), "check_f64": check.double()}, {})
    print(f"wrote torch_model.safetensors ({len(model.state_dict())} tensors) and torch_io.safetensors "
          f"({inputs.shape[0]} rows) for TorchRoundTripTest#verifyTorchFiles")


def main():
    if len(sys.argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    d = sys.argv[1]
    print(f"torch {torch.__version__}, numpy {np.__version__}")
    ok = backprop_to_torch(d)
    torch_to_backprop(d)
    print("OK" if ok else "FAILED: predictions differ")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())

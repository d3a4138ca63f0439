#!/usr/bin/python3
"""Writes the PyTorch checkpoint fixtures of Backprop's importer (TorchCheckpointTest).

Usage: /usr/bin/python3 scripts/torch_checkpoints.py [OUT_DIR]
(default OUT_DIR: backprop-core/src/test/resources/org/backprop/io/torch)

Each <name>.pt is written by torch.save (the zip format) and comes with <name>.json: the
architecture in Backprop's JSON form (from torch_roundtrip.describe), a few inputs and PyTorch's
outputs for them in eval mode. The files:

  mlp.pt              Linear-ReLU-Linear state dict, float32
  mlp_f64.pt          the same weights stored as float64, float16 and bfloat16 (expected outputs
  mlp_f16.pt          are PyTorch's for the weights rounded to that type and back to float32,
  mlp_bf16.pt         which is what Backprop holds after the import)
  cnn.pt              Conv2d-BatchNorm2d-ReLU-MaxPool2d-Flatten-Linear, running statistics moved
                      off their start values, num_batches_tracked as int64
  strided_shared.pt   an MLP state dict whose first weight is a transposed (non-contiguous) view
                      and whose second weight and bias are views into one shared storage
  parameters.pt       dict(model.named_parameters()): nn.Parameter objects, rebuilt by
                      torch._utils._rebuild_parameter
  hostile_system.pt   a state dict holding an object whose __reduce__ calls os.system
  hostile_eval.pt     ... and one whose __reduce__ calls builtins.eval

Nothing here loads the hostile files; Backprop must refuse them without running anything.
"""

import collections
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from torch_roundtrip import describe  # noqa: E402  (same folder)

DEFAULT_OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                           "backprop-core", "src", "test", "resources", "org", "backprop", "io", "torch")


def mlp():
    return torch.nn.Sequential(torch.nn.Linear(4, 8), torch.nn.ReLU(), torch.nn.Linear(8, 3))


def cnn():
    return torch.nn.Sequential(
        torch.nn.Conv2d(1, 4, 3, padding=1), torch.nn.BatchNorm2d(4), torch.nn.ReLU(), torch.nn.MaxPool2d(2),
        torch.nn.Flatten(), torch.nn.Linear(4 * 4 * 4, 3))


def write(out, name, state, model, input_shape, inputs):
    """Saves state (an OrderedDict or dict) to name.pt and model's eval outputs on inputs to name.json."""
    torch.save(state, os.path.join(out, name + ".pt"))
    model.eval()
    with torch.no_grad():
        outputs = model(inputs)
    fixture = {"architecture": describe(model, input_shape), "inputs": inputs.flatten().tolist(),
               "outputs": outputs.flatten().tolist(), "count": inputs.shape[0]}
    with open(os.path.join(out, name + ".json"), "w") as f:
        json.dump(fixture, f)
    print(f"wrote {name}.pt ({len(state)} entries) and {name}.json")


def rounded(model, dtype):
    """A float32 copy of model whose tensors went through dtype and back."""
    copy = mlp()
    copy.load_state_dict({k: v.to(dtype).float() for k, v in model.state_dict().items()})
    return copy


class System:
    def __reduce__(self):
        return (os.system, ("echo imported > PWNED",))


class Eval:
    def __reduce__(self):
        return (eval, ("__import__('os').system('echo imported > PWNED')",))


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else DEFAULT_OUT
    os.makedirs(out, exist_ok=True)
    torch.manual_seed(14)
    x = torch.randn(5, 4)

    m = mlp()
    write(out, "mlp", m.state_dict(), m, [4], x)
    for name, dtype in (("mlp_f64", torch.float64), ("mlp_f16", torch.float16), ("mlp_bf16", torch.bfloat16)):
        state = collections.OrderedDict((k, v.to(dtype)) for k, v in m.state_dict().items())
        write(out, name, state, rounded(m, dtype), [4], x)

    c = cnn()
    c.train()
    with torch.no_grad():
        for _ in range(3):
            c(torch.randn(6, 1, 8, 8) * 2 + 0.5)  # move the running statistics
        c[1].weight.uniform_(0.5, 1.5)
        c[1].bias.uniform_(-0.5, 0.5)
    write(out, "cnn", c.state_dict(), c, [1, 8, 8], torch.randn(3, 1, 8, 8))

    # Strided and shared storages: 0.weight is the transpose of a [4, 8] tensor; 2.weight and
    # 2.bias are views at offsets 0 and 24 of one 27-float storage.
    s = mlp()
    with torch.no_grad():
        transposed = torch.randn(4, 8).t()           # shape [8, 4], strides (1, 8)
        shared = torch.randn(27)
        state = collections.OrderedDict([
            ("0.weight", transposed), ("0.bias", torch.randn(8)),
            ("2.weight", shared[:24].view(3, 8)), ("2.bias", shared[24:])])
        assert not state["0.weight"].is_contiguous() and state["2.bias"].storage_offset() == 24
        s.load_state_dict(state)
    write(out, "strided_shared", state, s, [4], x)

    p = mlp()
    write(out, "parameters", dict(p.named_parameters()), p, [4], x)

    for name, evil in (("hostile_system", System()), ("hostile_eval", Eval())):
        state = m.state_dict()
        state["0.weight_hook"] = evil
        torch.save(state, os.path.join(out, name + ".pt"))
        print(f"wrote {name}.pt")


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""Checks ONNX files written by Backprop with the ONNX project's own checker.

Usage: /usr/bin/python3 scripts/onnx_check.py FILE.onnx|DIR ...

For each file (or each *.onnx in a directory): onnx.checker.check_model(model, full_check=True),
which also runs ONNX's shape inference, then prints the opset, IR version, inputs and outputs
with their shapes (the batch dimension should be the symbol 'batch'). Exits with status 1 if
any file fails. Needs python3-onnx (Debian: apt-get install python3-onnx).
"""

import glob
import os
import sys

import onnx


def shape(value_info):
    dims = value_info.type.tensor_type.shape.dim
    return "[" + ", ".join(d.dim_param or str(d.dim_value) for d in dims) + "]"


def check(path):
    model = onnx.load(path)
    onnx.checker.check_model(model, full_check=True)
    opsets = ", ".join(f"{o.domain or 'ai.onnx'} {o.version}" for o in model.opset_import)
    ops = sorted({n.op_type for n in model.graph.node})
    ins = ", ".join(f"{i.name} {shape(i)}" for i in model.graph.input)
    outs = ", ".join(f"{o.name} {shape(o)}" for o in model.graph.output)
    print(f"OK {os.path.basename(path)}: IR {model.ir_version}, opset {opsets}; {ins} -> {outs}; "
          f"{len(model.graph.node)} nodes: {' '.join(ops)}")


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    files = []
    for arg in sys.argv[1:]:
        files += sorted(glob.glob(os.path.join(arg, "*.onnx"))) if os.path.isdir(arg) else [arg]
    failed = 0
    for f in files:
        try:
            check(f)
        except Exception as e:  # noqa: BLE001 - report every file, then fail
            failed += 1
            print(f"FAILED {f}: {e}")
    print(f"onnx {onnx.__version__}: {len(files) - failed} passed, {failed} failed")
    sys.exit(1 if failed or not files else 0)


if __name__ == "__main__":
    main()

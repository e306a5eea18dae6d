#!/usr/bin/env python3
"""Runs an exported TorchScript model from Python, for the export tests.

  python3 tests/trainer/export/load_export.py MODEL_PT INPUTS_JSON

MODEL_PT is a file saved by the trainer's export (torch.jit.load reads it). INPUTS_JSON
holds the three inputs of forward(candles, indicators, context), each as a shape and its
values in row-major order:

  {"candles":    {"shape": [B, T, Fc], "data": [...B*T*Fc floats]},
   "indicators": {"shape": [B, T, Fi], "data": [...]},
   "context":    {"shape": [B, Fx],    "data": [...]}}

Prints one JSON line {"profitable": [B floats], "max_profit": [...], "rug": [...]}: the
model's forward in eval mode under torch.no_grad(). The float32 outputs are widened to
Python floats exactly and printed with the shortest repr that reads back the same double,
so a C++ reader recovers every float32 bit for bit. On any error prints one line naming
the file and what went wrong to stderr and exits with status 1 (2 for a usage error).
"""

import json
import math
import sys

INPUT_NAMES = ("candles", "indicators", "context")
INPUT_RANKS = {"candles": 3, "indicators": 3, "context": 2}
OUTPUT_NAMES = ("profitable", "max_profit", "rug")


class ExportError(Exception):
    """A problem with the model or the inputs, already worded for the user."""


def read_tensor(torch, inputs, name, path):
    """inputs[name] as a float32 tensor of its declared shape."""
    entry = inputs.get(name)
    if not isinstance(entry, dict) or "shape" not in entry or "data" not in entry:
        raise ExportError(f"{path}: '{name}' must be an object with 'shape' and 'data'")
    shape, data = entry["shape"], entry["data"]
    if (not isinstance(shape, list) or len(shape) != INPUT_RANKS[name]
            or not all(type(n) is int and n >= 0 for n in shape)):
        raise ExportError(f"{path}: '{name}.shape' must be {INPUT_RANKS[name]} "
                          f"non-negative integers, got {shape!r}")
    if not isinstance(data, list) or len(data) != math.prod(shape):
        count = len(data) if isinstance(data, list) else type(data).__name__
        raise ExportError(f"{path}: '{name}.data' must hold {math.prod(shape)} numbers "
                          f"(shape {shape}), got {count}")
    try:
        return torch.tensor(data, dtype=torch.float32).reshape(shape)
    except (TypeError, ValueError, RuntimeError) as error:
        raise ExportError(f"{path}: '{name}.data' is not a list of numbers: {error}") from error


def read_inputs(torch, path):
    try:
        with open(path, encoding="utf-8") as file:
            inputs = json.load(file)
    except OSError as error:
        raise ExportError(f"{path}: cannot read the inputs: {error.strerror}") from error
    except json.JSONDecodeError as error:
        raise ExportError(f"{path}: not valid JSON: {error}") from error
    if not isinstance(inputs, dict):
        raise ExportError(f"{path}: the inputs must be a JSON object with {INPUT_NAMES}")
    return [read_tensor(torch, inputs, name, path) for name in INPUT_NAMES]


def run_model(torch, model_path, tensors):
    """The three outputs of the model's forward, as lists of Python floats."""
    try:
        model = torch.jit.load(model_path, map_location="cpu")
    except (OSError, RuntimeError, ValueError) as error:
        raise ExportError(f"{model_path}: torch.jit.load failed: {error}") from error
    model.eval()
    try:
        with torch.no_grad():
            outputs = model(*tensors)
    except RuntimeError as error:
        raise ExportError(f"{model_path}: forward failed on the inputs: {error}") from error
    if not isinstance(outputs, tuple) or len(outputs) != len(OUTPUT_NAMES):
        raise ExportError(f"{model_path}: forward must return a tuple of "
                          f"{len(OUTPUT_NAMES)} tensors {OUTPUT_NAMES}")
    batch = tensors[0].shape[0]
    result = {}
    for name, tensor in zip(OUTPUT_NAMES, outputs):
        if not isinstance(tensor, torch.Tensor) or tuple(tensor.shape) != (batch,):
            shape = tuple(tensor.shape) if isinstance(tensor, torch.Tensor) else type(tensor)
            raise ExportError(f"{model_path}: output '{name}' must have shape ({batch},), "
                              f"got {shape}")
        result[name] = tensor.to(torch.float32).tolist()  # float32 -> double is exact
    return result


def main(argv):
    if len(argv) != 2:
        print("usage: load_export.py MODEL_PT INPUTS_JSON", file=sys.stderr)
        return 2
    try:
        import torch  # pylint: disable=import-outside-toplevel
    except ImportError as error:
        print(f"load_export.py: cannot import torch ({error}); run it with /usr/bin/python3 "
              "after scripts/setup has installed python3-torch", file=sys.stderr)
        return 1
    try:
        tensors = read_inputs(torch, argv[1])
        result = run_model(torch, argv[0], tensors)
    except ExportError as error:
        print(f"load_export.py: {error}", file=sys.stderr)
        return 1
    # allow_nan=False: a NaN or infinite output is an error, not a non-standard JSON token.
    try:
        print(json.dumps(result, allow_nan=False))
    except ValueError:
        print(f"load_export.py: {argv[0]}: the model produced a NaN or infinite output",
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

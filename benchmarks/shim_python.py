#!/usr/bin/env python3
"""Python baseline for the inference shim: the exported model.pt, forward only.

Loads the TorchScript export as a Python bot would (torch.jit.load, eval, no autograd),
runs it on the exact scaled inputs the shim built for one token (written by
build/benchmarks/bench_shim), and times the forward call alone. Prints one JSON line:
  {"p50_ms": .., "p99_ms": .., "outputs": [profitable, max_profit, rug], ...}
where p50/p99/outputs are under torch.no_grad(); the inference_mode_* fields time the same
call under torch.inference_mode().

  /usr/bin/python3 benchmarks/shim_python.py MODEL_PT INPUTS_FILE --iters 300 --threads 1

With --serve (how bench_shim runs it, so that its calls can be timed in rounds between the
shim's), it loads and warms up, prints {"ready": true, "outputs": [...], ...}, then answers
each stdin line "N no_grad" or "N inference_mode" with {"times_ms": [N values],
"outputs": [...]}, until end of input.

INPUTS_FILE: b"SNIPEIN1", uint32 tensor count (3: candles [1, T, 5], indicators
[1, T, 19], context [1, 12]), then per tensor uint32 rank, int64 dims, float32 data, all
little-endian. Needs Debian's python3-torch (scripts/setup installs it).
"""

import argparse
import contextlib
import json
import math
import struct
import sys
import time

try:
    import torch
except ImportError as import_error:
    sys.exit(f"shim_python.py: cannot import torch ({import_error}); run it with "
             "/usr/bin/python3 after scripts/setup has installed python3-torch")

MAGIC = b"SNIPEIN1"


def read_inputs(path):
    """The tensors of an inputs file, in order."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: not a bench_shim inputs file (magic {data[:8]!r})")
    at = 8
    (count,) = struct.unpack_from("<I", data, at)
    at += 4
    tensors = []
    for _ in range(count):
        (rank,) = struct.unpack_from("<I", data, at)
        at += 4
        shape = struct.unpack_from(f"<{rank}q", data, at)
        at += 8 * rank
        n = math.prod(shape)
        values = torch.frombuffer(bytearray(data[at:at + 4 * n]), dtype=torch.float32)
        at += 4 * n
        tensors.append(values.reshape(shape).clone())
    if at != len(data):
        raise ValueError(f"{path}: {len(data) - at} trailing bytes")
    return tensors


def percentile(values, q):
    """Nearest-rank percentile, as bench_shim computes it."""
    ordered = sorted(values)
    rank = min(max(math.ceil(q * len(ordered)), 1), len(ordered))
    return ordered[rank - 1]


def time_forward(model, inputs, warmup, iters, mode):
    """Milliseconds of each of `iters` forward calls after `warmup` untimed ones."""
    outputs = None
    with mode():
        for _ in range(warmup):
            outputs = model(*inputs)
        times = []
        for _ in range(iters):
            start = time.perf_counter()
            outputs = model(*inputs)
            times.append((time.perf_counter() - start) * 1e3)
        if outputs is None:
            outputs = model(*inputs)
    return times, [float(o.reshape(-1)[0]) for o in outputs]


MODES = {"no_grad": torch.no_grad, "inference_mode": torch.inference_mode}


def serve(model, inputs, warmup):
    """Times forward calls on request (stdin) and answers with one JSON line each."""
    outputs = None
    for mode in MODES.values():
        _, outputs = time_forward(model, inputs, warmup, 0, mode)
    print(json.dumps({"ready": True, "outputs": outputs, "torch": torch.__version__,
                      "threads": torch.get_num_threads()}), flush=True)
    for line in sys.stdin:
        fields = line.split()
        if not fields:
            continue
        if len(fields) != 2 or fields[1] not in MODES or not fields[0].isdigit():
            raise ValueError(f"shim_python.py --serve: bad request {line.strip()!r}; "
                             f"send 'N MODE', MODE one of {', '.join(MODES)}")
        times, outputs = time_forward(model, inputs, 0, int(fields[0]), MODES[fields[1]])
        print(json.dumps({"times_ms": times, "outputs": outputs}), flush=True)
    return 0


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be >= 1")
    return value


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("model", help="model.pt of an export")
    p.add_argument("inputs", help="inputs file written by bench_shim")
    p.add_argument("--iters", type=positive, default=300, help="timed forward calls")
    p.add_argument("--warmup", type=int, default=20, help="untimed calls first")
    p.add_argument("--threads", type=positive, default=1, help="torch.set_num_threads")
    p.add_argument("--no-optimize", action="store_true",
                   help="run under torch.jit.optimized_execution(False)")
    p.add_argument("--serve", action="store_true",
                   help="answer timing requests on stdin (bench_shim's mode)")
    a = p.parse_args(argv)
    if a.warmup < 0:
        p.error("--warmup must be >= 0")
    torch.set_num_threads(a.threads)
    model = torch.jit.load(a.model)
    model.eval()
    inputs = read_inputs(a.inputs)
    optimized = contextlib.nullcontext() if not a.no_optimize else torch.jit.optimized_execution(False)
    with optimized:
        for _ in range(3):  # as the shim's load warms up
            with torch.no_grad():
                model(*inputs)
        if a.serve:
            return serve(model, inputs, a.warmup)
        no_grad, outputs = time_forward(model, inputs, a.warmup, a.iters, torch.no_grad)
        inference, inference_outputs = time_forward(model, inputs, a.warmup, a.iters, torch.inference_mode)
    if not all(math.isfinite(v) for v in outputs):  # a benchmark checks its result
        raise RuntimeError(f"outputs {outputs} are not finite")
    if max(abs(x - y) for x, y in zip(outputs, inference_outputs)) > 1e-6:
        raise RuntimeError(f"no_grad gave {outputs} but inference_mode {inference_outputs}")
    print(json.dumps({
        "p50_ms": percentile(no_grad, 0.5), "p90_ms": percentile(no_grad, 0.9),
        "p99_ms": percentile(no_grad, 0.99), "max_ms": max(no_grad),
        "inference_mode_p50_ms": percentile(inference, 0.5),
        "inference_mode_p99_ms": percentile(inference, 0.99),
        "outputs": outputs, "torch": torch.__version__, "threads": torch.get_num_threads(),
        "iters": a.iters, "warmup": a.warmup, "optimize": not a.no_optimize,
    }))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

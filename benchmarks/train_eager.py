#!/usr/bin/env python3
"""PyTorch eager baseline for the trainer's training step.

The same network as trainer/model/attention_lstm.cpp, written as an ordinary eager
nn.Module, trained with the same step (AdamW, class-weighted BCE + Huber, gradient
clipping) on random tensors made once. It times whole steps and prints one JSON line, so
the C++ trainer's step time can be compared with what idiomatic PyTorch does on the same
machine and thread count.

  /usr/bin/python3 benchmarks/train_eager.py --batch 256 --threads 1
  /usr/bin/python3 benchmarks/train_eager.py --sgemm --threads 1   # machine rate check

Needs Debian's python3-torch (scripts/setup installs it). Initialisation follows eager
PyTorch's defaults, which differ slightly from the C++ model's; that does not change the
work done per step, which is all this measures.
"""

import argparse
import json
import math
import statistics
import sys
import time

try:
    import torch
    from torch import nn
    from torch.nn import functional as F
except ImportError as import_error:
    sys.exit(f"train_eager.py: cannot import torch ({import_error}); run it with "
             "/usr/bin/python3 after scripts/setup has installed python3-torch")

# Loss settings: the defaults of trainer/train/train_options.h. The trainer derives the
# class weights from the training split ('balanced'); fixed values do the same work.
POSITIVE_WEIGHT = 2.0   # BCE weight of an example whose label is 1
NEGATIVE_WEIGHT = 0.67  # BCE weight of an example whose label is 0
HUBER_DELTA = 1.0
PROFITABLE_LOSS_WEIGHT = 1.0
MAX_PROFIT_LOSS_WEIGHT = 0.5
RUG_LOSS_WEIGHT = 0.5


class SelfAttention(nn.Module):
    """Multi-head scaled dot-product self-attention with Q, K, V, O projections."""

    def __init__(self, width, heads, dropout):
        super().__init__()
        if width % heads != 0:
            raise ValueError(f"--heads {heads} must divide the attention width {width}")
        self.heads = heads
        self.head_dim = width // heads
        self.query = nn.Linear(width, width)
        self.key = nn.Linear(width, width, bias=False)  # as the C++ model: softmax cancels a key bias
        self.value = nn.Linear(width, width)
        self.out = nn.Linear(width, width)
        self.dropout = nn.Dropout(dropout)

    def split(self, x):  # [B, T, D] -> [B, heads, T, D / heads]
        b, t, _ = x.shape
        return x.view(b, t, self.heads, self.head_dim).transpose(1, 2)

    def forward(self, x):  # x [B, T, D] -> [B, T, D]
        b, t, d = x.shape
        q, k, v = self.split(self.query(x)), self.split(self.key(x)), self.split(self.value(x))
        scores = torch.matmul(q, k.transpose(2, 3)) / math.sqrt(self.head_dim)  # [B, h, T, T]
        weights = self.dropout(torch.softmax(scores, dim=-1))
        attended = torch.matmul(weights, v).transpose(1, 2).reshape(b, t, d)
        return self.dropout(self.out(attended))


class AttentionLstm(nn.Module):
    """The attention-LSTM of trainer/model/attention_lstm.h, eager edition."""

    def __init__(self, a):
        super().__init__()
        width = 2 * a.lstm2_hidden  # D
        self.lstm1 = nn.LSTM(a.candle_features + a.indicator_features, a.lstm1_hidden,
                             batch_first=True, bidirectional=True)
        self.ln1 = nn.LayerNorm(2 * a.lstm1_hidden)
        self.lstm2 = nn.LSTM(2 * a.lstm1_hidden, a.lstm2_hidden, batch_first=True,
                             bidirectional=True)
        self.residual = nn.Linear(2 * a.lstm1_hidden, width)
        self.ln2 = nn.LayerNorm(width)
        self.attention = SelfAttention(width, a.heads, a.attention_dropout)
        self.ln3 = nn.LayerNorm(width)
        bound = 1.0 / math.sqrt(width)
        self.pool_query = nn.Parameter(torch.empty(width).uniform_(-bound, bound))  # [D]
        self.context = nn.Linear(a.context_features, a.context_hidden)
        self.trunk = nn.Linear(width + a.context_hidden, a.head_hidden)
        self.ln4 = nn.LayerNorm(a.head_hidden)
        self.head_dropout = nn.Dropout(a.head_dropout)
        self.profitable = nn.Linear(a.head_hidden, 1)
        self.max_profit = nn.Linear(a.head_hidden, 1)
        self.rug = nn.Linear(a.head_hidden, 1)

    def forward(self, candles, indicators, context):
        """candles [B, T, Fc], indicators [B, T, Fi], context [B, Fx] -> 3 x [B] (logits)."""
        x = torch.cat([candles, indicators], dim=2)
        x1 = self.ln1(self.lstm1(x)[0])                              # [B, T, 2 h1]
        x2 = self.ln2(self.lstm2(x1)[0] + self.residual(x1))         # [B, T, D]
        x3 = self.ln3(x2 + self.attention(x2))                       # [B, T, D]
        pool = torch.softmax(torch.matmul(x3, self.pool_query), dim=1)  # [B, T]
        pooled = torch.sum(x3 * pool.unsqueeze(2), dim=1)            # [B, D]
        c = torch.relu(self.context(context))                        # [B, Ch]
        h = self.trunk(torch.cat([pooled, c], dim=1))
        h = self.head_dropout(torch.relu(self.ln4(h)))               # [B, Hh]
        return (self.profitable(h).squeeze(1), self.max_profit(h).squeeze(1),
                self.rug(h).squeeze(1))


def weighted_bce(logits, labels):
    """Mean over the batch of BCE-with-logits, weighted per example by its class."""
    weights = torch.where(labels > 0.5, torch.full_like(labels, POSITIVE_WEIGHT),
                          torch.full_like(labels, NEGATIVE_WEIGHT))
    return F.binary_cross_entropy_with_logits(logits, labels, weight=weights)


def random_batch(a, generator):
    """Inputs and labels, made once: the timed steps measure the model, not data."""
    b, t = a.batch, a.window
    def normal(*shape):
        return torch.randn(*shape, generator=generator)
    def coin():
        return torch.randint(0, 2, (b,), generator=generator).float()
    return {
        "candles": normal(b, t, a.candle_features),
        "indicators": normal(b, t, a.indicator_features),
        "context": normal(b, a.context_features),
        "profitable": coin(),
        "max_profit": 2.0 * torch.rand(b, generator=generator),  # in [0, 2)
        "rug": coin(),
    }


def train_step(model, optimizer, batch):
    """One step as the C++ trainer takes it; returns the loss (a Python float)."""
    profitable, max_profit, rug = model(batch["candles"], batch["indicators"], batch["context"])
    loss = (PROFITABLE_LOSS_WEIGHT * weighted_bce(profitable, batch["profitable"])
            + MAX_PROFIT_LOSS_WEIGHT * F.huber_loss(max_profit, batch["max_profit"],
                                                    delta=HUBER_DELTA)
            + RUG_LOSS_WEIGHT * weighted_bce(rug, batch["rug"]))
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    optimizer.zero_grad(set_to_none=True)
    return loss.item()


def measure_training(a):
    torch.manual_seed(a.seed)
    model = AttentionLstm(a)
    model.train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-3, weight_decay=1e-2)
    generator = torch.Generator().manual_seed(a.seed)
    batch = random_batch(a, generator)
    for _ in range(a.warmup):
        train_step(model, optimizer, batch)
    times = []
    for _ in range(a.steps):
        start = time.perf_counter()
        loss = train_step(model, optimizer, batch)
        times.append(time.perf_counter() - start)
        if not math.isfinite(loss):  # a benchmark checks its result
            raise RuntimeError(f"training loss became {loss}")
    median = statistics.median(times)
    return {"framework": "pytorch-eager", "torch": torch.__version__, "batch": a.batch,
            "window": a.window, "threads": torch.get_num_threads(), "steps": a.steps,
            "median_step_s": median, "examples_per_s": a.batch / median,
            "step_times_s": times}


def measure_sgemm(a):
    """Median rate of a 1024 x 1024 float32 matrix product, in GFLOP/s (2 n^3 FLOPs)."""
    n = 1024
    generator = torch.Generator().manual_seed(a.seed)
    x = torch.randn(n, n, generator=generator)
    y = torch.randn(n, n, generator=generator)
    for _ in range(max(a.warmup, 1)):
        z = torch.mm(x, y)
    times = []
    for _ in range(10):
        start = time.perf_counter()
        z = torch.mm(x, y)
        times.append(time.perf_counter() - start)
    # Check one entry against a float64 dot product so a broken BLAS cannot look fast.
    expected = float(torch.dot(x[0].double(), y[:, 0].double()))
    if abs(float(z[0, 0]) - expected) > 1e-3 * (1.0 + abs(expected)):
        raise RuntimeError(f"sgemm result {float(z[0, 0])} != {expected}")
    return {"sgemm_gflops": 2.0 * n ** 3 / statistics.median(times) / 1e9,
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def positive(text):
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text} must be >= 1")
    return value


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--batch", type=positive, default=256, help="examples per step (B)")
    p.add_argument("--window", type=positive, default=100, help="time steps per example (T)")
    p.add_argument("--threads", type=positive, default=1, help="torch.set_num_threads")
    p.add_argument("--steps", type=positive, default=10, help="timed steps")
    p.add_argument("--warmup", type=int, default=2, help="untimed steps first")
    p.add_argument("--seed", type=int, default=1, help="seeds weights and inputs")
    p.add_argument("--sgemm", action="store_true",
                   help="measure a 1024x1024 float32 torch.mm instead of training")
    # Sizes: the defaults of trainer/model/model_options.h.
    p.add_argument("--candle-features", type=positive, default=5, help="Fc")
    p.add_argument("--indicator-features", type=positive, default=19, help="Fi")
    p.add_argument("--context-features", type=positive, default=12, help="Fx")
    p.add_argument("--lstm1-hidden", type=positive, default=128, help="h1 per direction")
    p.add_argument("--lstm2-hidden", type=positive, default=64, help="h2 per direction")
    p.add_argument("--heads", type=positive, default=4, help="attention heads")
    p.add_argument("--attention-dropout", type=float, default=0.1)
    p.add_argument("--context-hidden", type=positive, default=32, help="Ch")
    p.add_argument("--head-hidden", type=positive, default=64, help="Hh")
    p.add_argument("--head-dropout", type=float, default=0.2)
    a = p.parse_args(argv)
    if a.warmup < 0:
        p.error("--warmup must be >= 0")
    if (2 * a.lstm2_hidden) % a.heads != 0:
        p.error(f"--heads {a.heads} must divide 2 * --lstm2-hidden = {2 * a.lstm2_hidden}")
    return a


def main(argv):
    a = parse_args(argv)
    torch.set_num_threads(a.threads)
    result = measure_sgemm(a) if a.sgemm else measure_training(a)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

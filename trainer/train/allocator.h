#pragma once
// The C allocator's settings for a training process.
//
// A training step allocates the same large buffers every step (activations saved for the
// backward pass: the LSTM's gates alone are T x B x 4H floats, 52 MB per direction at
// B = 256). glibc serves blocks above its mmap threshold (at most 32 MB, adaptive) with
// fresh mmap()s and returns them with munmap(), so every step page-faults its buffers in
// again: measured at ~8% of a B = 256 step (perf, benchmarks/bench_train.cpp). Raising the
// thresholds keeps freed blocks in the heap for the next step.

namespace snipe::trainer {

// Process-wide; call once before training. Costs the peak step's memory staying mapped.
void keep_freed_memory_for_reuse();

}  // namespace snipe::trainer

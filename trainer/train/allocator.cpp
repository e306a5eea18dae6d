#include "trainer/train/allocator.h"

#include <malloc.h>

#include <spdlog/spdlog.h>

namespace snipe::trainer {

void keep_freed_memory_for_reuse() {
  constexpr int kMmapThreshold = 1 << 30;  // 1 GiB: no training buffer is that large
  // An older glibc caps the mmap threshold at 32 MiB and refuses more: then change nothing
  // (setting the trim threshold alone would pin the mmap threshold at its 128 KiB start).
  if (mallopt(M_MMAP_THRESHOLD, kMmapThreshold) != 1) {
    spdlog::warn("this C library refuses a 1 GiB mmap threshold; large training buffers are mapped afresh each step");
    return;
  }
  mallopt(M_TRIM_THRESHOLD, kMmapThreshold);  // freed top-of-heap memory up to that stays mapped
}

}  // namespace snipe::trainer

#include "trainer/train/allocator.h"

#include <malloc.h>

namespace snipe::trainer {

void keep_freed_memory_for_reuse() {
  constexpr int kMmapThreshold = 1 << 30;  // 1 GiB: no training buffer is that large
  mallopt(M_MMAP_THRESHOLD, kMmapThreshold);
  mallopt(M_TRIM_THRESHOLD, kMmapThreshold);  // freed top-of-heap memory up to that stays mapped
}

}  // namespace snipe::trainer

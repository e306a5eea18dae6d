// Collectives derived from the small interface: the gathers are all-reduces (sums) over
// buffers where each rank fills its own slots and leaves the rest zero, so they need
// nothing beyond what every backend offers. The slots are integers, for which x + 0 == x
// always; doubles travel as their bit patterns, since -0.0 + 0.0 is +0.0.

#include <algorithm>
#include <bit>
#include <numeric>

#include "shared/comm/communicator.h"

namespace snipe {

void broadcast_string(Communicator& comm, std::string& value, int root) {
  std::int64_t length = static_cast<std::int64_t>(value.size());
  comm.broadcast(buffer_of(std::span(&length, 1)), root);
  value.resize(static_cast<std::size_t>(length));
  comm.broadcast({.data = value.data(), .count = value.size(), .type = DataType::kUint8}, root);
}

std::vector<std::int64_t> allgather(Communicator& comm, std::int64_t value) {
  std::vector<std::int64_t> slots(static_cast<std::size_t>(comm.size()), 0);  // [rank]
  slots[static_cast<std::size_t>(comm.rank())] = value;
  comm.allreduce(buffer_of(std::span(slots)), ReduceOp::kSum);
  return slots;
}

std::vector<double> allgather(Communicator& comm, std::span<const double> values) {
  const std::vector<std::int64_t> counts = allgather(comm, static_cast<std::int64_t>(values.size()));  // [rank]
  const auto before = std::accumulate(counts.begin(), counts.begin() + comm.rank(), std::int64_t{0});
  const auto total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  std::vector<std::int64_t> bits(static_cast<std::size_t>(total), 0);  // the doubles' bit patterns
  std::transform(values.begin(), values.end(), bits.begin() + before,
                 [](double v) { return std::bit_cast<std::int64_t>(v); });
  comm.allreduce(buffer_of(std::span(bits)), ReduceOp::kSum);
  std::vector<double> all(bits.size());
  std::transform(bits.begin(), bits.end(), all.begin(), [](std::int64_t b) { return std::bit_cast<double>(b); });
  return all;
}

}  // namespace snipe

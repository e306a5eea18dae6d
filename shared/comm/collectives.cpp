// Collectives derived from the small interface: the gathers are all-reduces (sums) over
// buffers where each rank fills its own slots and leaves the rest zero, which is exact
// (x + 0 == x), so they need nothing beyond what every backend offers.

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
  const std::vector<std::int64_t> counts = allgather(comm, static_cast<std::int64_t>(values.size()));
  const auto before = std::accumulate(counts.begin(), counts.begin() + comm.rank(), std::int64_t{0});
  const auto total = std::accumulate(counts.begin(), counts.end(), std::int64_t{0});
  std::vector<double> all(static_cast<std::size_t>(total), 0.0);
  std::copy(values.begin(), values.end(), all.begin() + before);
  comm.allreduce(buffer_of(std::span(all)), ReduceOp::kSum);
  return all;
}

}  // namespace snipe

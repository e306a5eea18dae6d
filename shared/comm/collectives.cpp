// Collectives derived from the small interface: the gathers are all-reduces (sums) over
// buffers where each rank fills its own slots and leaves the rest zero, so they need
// nothing beyond what every backend offers. The slots are integers, for which x + 0 == x
// always; doubles travel as their bit patterns, since -0.0 + 0.0 is +0.0, and strings as
// bytes.

#include <algorithm>
#include <bit>
#include <numeric>

#include "shared/comm/communicator.h"

namespace snipe {
namespace {

// Where this rank's `count` items go in the concatenation of every rank's items.
struct Slots {
  std::vector<std::int64_t> counts;  // [rank]
  std::int64_t mine_at = 0;          // offset of this rank's first item
  std::int64_t total = 0;
};

Slots slots_for(Communicator& comm, std::size_t count) {
  Slots slots{.counts = allgather(comm, static_cast<std::int64_t>(count))};
  slots.mine_at = std::accumulate(slots.counts.begin(), slots.counts.begin() + comm.rank(), std::int64_t{0});
  slots.total = std::accumulate(slots.counts.begin(), slots.counts.end(), std::int64_t{0});
  return slots;
}

}  // namespace

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
  const Slots slots = slots_for(comm, values.size());
  std::vector<std::int64_t> bits(static_cast<std::size_t>(slots.total), 0);  // the doubles' bit patterns
  std::transform(values.begin(), values.end(), bits.begin() + slots.mine_at,
                 [](double v) { return std::bit_cast<std::int64_t>(v); });
  comm.allreduce(buffer_of(std::span(bits)), ReduceOp::kSum);
  std::vector<double> all(bits.size());
  std::transform(bits.begin(), bits.end(), all.begin(), [](std::int64_t b) { return std::bit_cast<double>(b); });
  return all;
}

std::vector<std::string> allgather(Communicator& comm, std::string_view mine) {
  const Slots slots = slots_for(comm, mine.size());
  std::vector<std::uint8_t> bytes(static_cast<std::size_t>(slots.total), 0);
  std::transform(mine.begin(), mine.end(), bytes.begin() + slots.mine_at,
                 [](char c) { return static_cast<std::uint8_t>(c); });
  comm.allreduce(buffer_of(std::span(bytes)), ReduceOp::kSum);
  std::vector<std::string> all;  // [rank]
  auto next = bytes.begin();
  for (const std::int64_t count : slots.counts) {
    all.emplace_back(next, next + count);
    next += count;
  }
  return all;
}

std::int64_t sum(Communicator& comm, std::int64_t value) {
  comm.allreduce(buffer_of(std::span(&value, 1)), ReduceOp::kSum);
  return value;
}

}  // namespace snipe

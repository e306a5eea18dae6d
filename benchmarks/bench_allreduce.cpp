// The communicator's all-reduce against raw MPI_Allreduce on the same buffers, in the same
// run: algorithm bandwidth (bytes / time) and bus bandwidth (x 2(n-1)/n, the NCCL-tests
// convention), 4 KB to 64 MB of float32, for the blocking call (the fused gradient
// reduction) and the asynchronous one waited at once (a bucket; it runs on the mpi
// backend's worker thread). The communicator is the one training uses: the mpi backend
// behind the stall watchdog. Goal (issue 5): >= 0.9 of raw at >= 1 MB. Times are the
// slowest rank's, medians of 5 repetitions of a burst of reductions. Every size is first
// checked: each rank contributes rank + 1, so every element must come out n(n+1)/2.
//
//   mpirun --bind-to core -np 2 build/benchmarks/bench_allreduce

#include <algorithm>
#include <cstdio>
#include <chrono>
#include <functional>
#include <vector>

#include <fmt/format.h>

#include "shared/comm/communicator.h"
#include "shared/comm/job_context.h"
#include "shared/mpi/mpi_check.h"  // the raw-MPI baseline: the one file above shared/ with <mpi.h>

namespace snipe {
namespace {

using Clock = std::chrono::steady_clock;

// Median over 5 repetitions of the slowest rank's seconds per call of `reduce`.
// `raw` is a duplicate of the world that only the baseline and these timings use.
double seconds_per_call(MPI_Comm raw, int calls, const std::function<void()>& reduce) {
  std::vector<double> samples;
  reduce();  // warm-up: connections, buffers
  for (int repetition = 0; repetition < 5; ++repetition) {
    SNIPE_MPI_CHECK(MPI_Barrier(raw));
    const auto start = Clock::now();
    for (int i = 0; i < calls; ++i) reduce();
    double seconds = std::chrono::duration<double>(Clock::now() - start).count() / calls;
    SNIPE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, &seconds, 1, MPI_DOUBLE, MPI_MAX, raw));
    samples.push_back(seconds);
  }
  std::sort(samples.begin(), samples.end());
  return samples[samples.size() / 2];
}

int run() {
  const JobContext context = JobContext::over_mpi();
  const auto comm = make_communicator({.backend = CommBackend::kMpi}, context);
  MPI_Comm raw = MPI_COMM_NULL;
  SNIPE_MPI_CHECK(MPI_Comm_dup(MPI_COMM_WORLD, &raw));
  const double n = context.size();
  if (context.rank() == 0) {
    fmt::print("{} ranks; float32 sum; slowest rank, median of 5\n", context.size());
    fmt::print("{:>10} {:>13} {:>13} {:>13} {:>7} {:>13} {:>7}\n", "bytes", "raw bus GB/s", "ours bus GB/s",
               "ours alg GB/s", "ratio", "async bus", "ratio");
  }
  bool ok = true;
  for (std::size_t bytes = 4096; bytes <= (64u << 20); bytes *= 4) {
    std::vector<float> values(bytes / sizeof(float));
    const auto verified = [&](const std::function<void()>& reduce, const char* name) {
      std::fill(values.begin(), values.end(), static_cast<float>(context.rank() + 1));
      reduce();
      const float expected = static_cast<float>(n * (n + 1) / 2);
      const bool right = std::all_of(values.begin(), values.end(), [&](float v) { return v == expected; });
      if (!right) fmt::print(stderr, "rank {}: {} all-reduce of {} bytes gave a wrong sum\n", context.rank(), name, bytes);
      ok = ok && right;
    };
    const int calls = static_cast<int>(std::clamp<std::size_t>((256u << 20) / bytes, 4, 2000));
    const auto raw_call = [&] {
      SNIPE_MPI_CHECK(MPI_Allreduce(MPI_IN_PLACE, values.data(), static_cast<int>(values.size()), MPI_FLOAT, MPI_SUM, raw));
    };
    const auto ours_call = [&] { comm->allreduce(buffer_of(std::span(values)), ReduceOp::kSum); };
    const auto async_call = [&] { comm->allreduce_async(buffer_of(std::span(values)), ReduceOp::kSum)->wait(); };
    verified(raw_call, "raw");
    verified(ours_call, "blocking");
    verified(async_call, "async");
    std::fill(values.begin(), values.end(), 0.0f);  // sums stay 0: finite however many calls
    const double raw_s = seconds_per_call(raw, calls, raw_call);
    const double ours_s = seconds_per_call(raw, calls, ours_call);
    const double async_s = seconds_per_call(raw, calls, async_call);
    const double bus = 2.0 * (n - 1) / n;
    const auto gbps = [&](double seconds) { return static_cast<double>(bytes) / seconds / 1e9; };
    if (context.rank() == 0) {
      fmt::print("{:>10} {:>13.2f} {:>13.2f} {:>13.2f} {:>7.2f} {:>13.2f} {:>7.2f}\n", bytes, gbps(raw_s) * bus,
                 gbps(ours_s) * bus, gbps(ours_s), raw_s / ours_s, gbps(async_s) * bus, raw_s / async_s);
    }
  }
  MPI_Comm_free(&raw);
  if (context.rank() == 0) fmt::print("results checked: {}\n", ok ? "every sum right" : "WRONG SUMS (see stderr)");
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace snipe

int main(int argc, char** argv) {
  snipe::MpiSession session(&argc, &argv);
  return snipe::run();
}

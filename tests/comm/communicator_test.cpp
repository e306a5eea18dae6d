// The communicators on odd sizes and every element type. ctest runs this binary as one
// process and under `mpirun -np 2` and `-np 3`; every rank runs the same tests in the
// same order (each collective is matched), and expected values are computed here from
// what each rank contributes.

#include "shared/comm/communicator.h"

#include <cmath>
#include <numeric>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "shared/comm/device_memory.h"
#include "shared/comm/job_context.h"
#include "shared/core/errors.h"

namespace snipe {
namespace {

// What rank r puts in element i: small integers, exact in every type, so sums are exact.
template <class T>
T contribution(int r, std::size_t i) {
  return static_cast<T>((r + 1) * static_cast<int>(i % 97 + 1));
}

template <class T>
T expected_sum(int size, std::size_t i) {
  T sum = 0;
  for (int r = 0; r < size; ++r) sum += contribution<T>(r, i);
  return sum;
}

const std::vector<std::size_t> kSizes = {0, 1, 7, 1023, (1u << 20) + 3};

template <class T>
void check_sum(Communicator& comm) {
  for (const std::size_t n : kSizes) {
    std::vector<T> values(n);
    for (std::size_t i = 0; i < n; ++i) values[i] = contribution<T>(comm.rank(), i);
    comm.allreduce(buffer_of(std::span(values)), ReduceOp::kSum);
    for (std::size_t i = 0; i < n; ++i) {
      ASSERT_EQ(values[i], expected_sum<T>(comm.size(), i)) << "n " << n << " element " << i;
    }
  }
}

std::unique_ptr<Communicator> job_communicator(const JobContext& context) { return make_communicator({}, context); }

TEST(Communicator, SumsEveryElementTypeOnOddSizes) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  check_sum<float>(*comm);
  check_sum<double>(*comm);
  check_sum<std::int32_t>(*comm);
  check_sum<std::int64_t>(*comm);
}

TEST(Communicator, AveragesFloatingPointBuffers) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<float> f(1001);
  std::vector<double> d(13);
  for (std::size_t i = 0; i < f.size(); ++i) f[i] = contribution<float>(comm->rank(), i);
  for (std::size_t i = 0; i < d.size(); ++i) d[i] = contribution<double>(comm->rank(), i);
  comm->allreduce(buffer_of(std::span(f)), ReduceOp::kAverage);
  comm->allreduce(buffer_of(std::span(d)), ReduceOp::kAverage);
  for (std::size_t i = 0; i < f.size(); ++i) {
    EXPECT_NEAR(f[i], expected_sum<double>(comm->size(), i) / comm->size(), 1e-6 * f[i]) << i;
  }
  for (std::size_t i = 0; i < d.size(); ++i) {
    EXPECT_DOUBLE_EQ(d[i], expected_sum<double>(comm->size(), i) / comm->size()) << i;
  }
}

TEST(Communicator, AnIntegerAverageIsRefused) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<std::int32_t> values(4, 1);
  EXPECT_THROW(comm->allreduce(buffer_of(std::span(values)), ReduceOp::kAverage), ConfigError);
}

TEST(Communicator, SeveralAsyncReductionsCompleteInAnyWaitOrder) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<float> a(333), b(4096);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = contribution<float>(comm->rank(), i);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = contribution<float>(comm->rank(), i + 5);
  auto first = comm->allreduce_async(buffer_of(std::span(a)), ReduceOp::kSum);
  auto second = comm->allreduce_async(buffer_of(std::span(b)), ReduceOp::kSum);
  second->wait();
  first->wait();
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], expected_sum<float>(comm->size(), i));
  for (std::size_t i = 0; i < b.size(); ++i) ASSERT_EQ(b[i], expected_sum<float>(comm->size(), i + 5));
}

TEST(Communicator, BroadcastsTheRootsBufferFromTheLastRank) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const int root = comm->size() - 1;
  std::vector<std::int64_t> values(1025);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = contribution<std::int64_t>(comm->rank(), i);
  comm->broadcast(buffer_of(std::span(values)), root);
  for (std::size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], contribution<std::int64_t>(root, i));
  comm->barrier();
}

TEST(Communicator, MinimumAndMaximumOfEveryElementType) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const auto check = [&]<class T>(T /*tag*/) {
    // Element i: rank r holds (r + 1) * (i % 97 + 1) * (i even ? 1 : -1).
    std::vector<T> low(515), high(515);
    for (std::size_t i = 0; i < low.size(); ++i) {
      const T sign = static_cast<T>(i % 2 == 0 ? 1 : -1);
      low[i] = high[i] = sign * contribution<T>(comm->rank(), i);
    }
    comm->allreduce(buffer_of(std::span(low)), ReduceOp::kMin);
    comm->allreduce(buffer_of(std::span(high)), ReduceOp::kMax);
    for (std::size_t i = 0; i < low.size(); ++i) {
      const T smallest = i % 2 == 0 ? contribution<T>(0, i) : -contribution<T>(comm->size() - 1, i);
      const T largest = i % 2 == 0 ? contribution<T>(comm->size() - 1, i) : -contribution<T>(0, i);
      ASSERT_EQ(low[i], smallest) << i;
      ASSERT_EQ(high[i], largest) << i;
    }
  };
  check(0.0f);
  check(0.0);
  check(std::int32_t{0});
  check(std::int64_t{0});
}

TEST(Communicator, AsyncReductionsIssuedFromAnotherThreadInterleaveWithBlockingOnes) {
  // As in bucketed training: autograd's thread starts reductions, the training thread
  // waits for them, then reduces more on its own.
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<float> a(70001), b(5), c(1 << 16);
  for (std::size_t i = 0; i < a.size(); ++i) a[i] = contribution<float>(comm->rank(), i);
  for (std::size_t i = 0; i < b.size(); ++i) b[i] = contribution<float>(comm->rank(), i + 1);
  for (std::size_t i = 0; i < c.size(); ++i) c[i] = contribution<float>(comm->rank(), i + 2);
  std::unique_ptr<Work> first, second;
  std::thread hooks([&] {
    first = comm->allreduce_async(buffer_of(std::span(a)), ReduceOp::kSum);
    second = comm->allreduce_async(buffer_of(std::span(b)), ReduceOp::kAverage);
  });
  hooks.join();
  comm->allreduce(buffer_of(std::span(c)), ReduceOp::kSum);  // after both, in issue order
  first->wait();
  second->wait();
  for (std::size_t i = 0; i < a.size(); ++i) ASSERT_EQ(a[i], expected_sum<float>(comm->size(), i));
  for (std::size_t i = 0; i < b.size(); ++i) {
    ASSERT_FLOAT_EQ(b[i], expected_sum<float>(comm->size(), i + 1) / static_cast<float>(comm->size()));
  }
  for (std::size_t i = 0; i < c.size(); ++i) ASSERT_EQ(c[i], expected_sum<float>(comm->size(), i + 2));
}

TEST(Communicator, AnUnwaitedAsyncReductionCompletesBeforeItsWorkIsDestroyed) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<double> values(4097, static_cast<double>(comm->rank() + 1));
  comm->allreduce_async(buffer_of(std::span(values)), ReduceOp::kSum).reset();
  const double expected = comm->size() * (comm->size() + 1) / 2.0;
  for (const double v : values) ASSERT_EQ(v, expected);
}

TEST(Communicator, BroadcastsBytesAndStringsAndGathersValues) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  const int root = comm->size() - 1;
  std::string text = comm->rank() == root ? std::string("from the last rank \0 with a NUL", 31) : "other";
  broadcast_string(*comm, text, root);
  EXPECT_EQ(text, std::string("from the last rank \0 with a NUL", 31));

  const std::vector<std::int64_t> ranks = allgather(*comm, 10 * comm->rank() + 3);
  ASSERT_EQ(ranks.size(), static_cast<std::size_t>(comm->size()));
  for (int r = 0; r < comm->size(); ++r) EXPECT_EQ(ranks[static_cast<std::size_t>(r)], 10 * r + 3);

  // Rank r contributes r values r.5, r.25, ...: the concatenation in rank order.
  std::vector<double> mine;
  for (int i = 0; i < comm->rank(); ++i) mine.push_back(comm->rank() + 1.0 / (2 << i));
  const std::vector<double> all = allgather(*comm, std::span<const double>(mine));
  std::vector<double> expected;
  for (int r = 0; r < comm->size(); ++r) {
    for (int i = 0; i < r; ++i) expected.push_back(r + 1.0 / (2 << i));
  }
  EXPECT_EQ(all, expected);
}

// Rank r's string: r copies of a letter of its own, then a NUL and r again (rank 0's is
// "\0" + "0"), so lengths differ and bytes past a NUL must survive.
std::string string_of_rank(int r) {
  return std::string(static_cast<std::size_t>(r), static_cast<char>('a' + r)) + std::string(1, '\0') +
         std::to_string(r);
}

TEST(Communicator, GathersStringsOfDifferentLengthsAndSumsOnTheJobsOwnCommunicator) {
  const JobContext context = JobContext::over_mpi();
  const auto training = job_communicator(context);
  for (Communicator* comm : {&context.comm(), training.get()}) {
    const std::vector<std::string> all = allgather(*comm, string_of_rank(comm->rank()));
    ASSERT_EQ(all.size(), static_cast<std::size_t>(comm->size()));
    for (int r = 0; r < comm->size(); ++r) EXPECT_EQ(all[static_cast<std::size_t>(r)], string_of_rank(r)) << r;
    EXPECT_EQ(allgather(*comm, std::string_view()), std::vector<std::string>(static_cast<std::size_t>(comm->size())));
    EXPECT_EQ(sum(*comm, comm->rank() + 1), comm->size() * (comm->size() + 1) / 2);
  }
}

TEST(Communicator, ABroadcastFromARankOutsideTheJobIsRefused) {
  const JobContext context = JobContext::over_mpi();
  const auto comm = job_communicator(context);
  std::vector<float> values(3);
  EXPECT_THROW(comm->broadcast(buffer_of(std::span(values)), comm->size()), ConfigError);
  EXPECT_THROW(comm->broadcast(buffer_of(std::span(values)), -1), ConfigError);
}

TEST(Communicator, ACudaBufferWithoutACudaDeviceIsAClearError) {
  const JobContext context = JobContext::over_mpi();
  if (context.size() == 1) GTEST_SKIP() << "one rank: the local communicator leaves every buffer as it is";
  if (cuda::device_count() > 0) GTEST_SKIP() << "this machine has a CUDA device (CudaStaging covers it)";
  const auto comm = job_communicator(context);
  float not_on_a_device[4] = {};
  const Buffer buffer{.data = not_on_a_device, .count = 4, .memory = MemoryKind::kCuda};
  EXPECT_THROW(comm->allreduce(buffer, ReduceOp::kSum), Error);  // CommError, or ConfigError without CUDA
}

TEST(Communicator, TheFactoryPicksByJobSizeAndRefusesLocalForSeveralRanks) {
  const JobContext context = JobContext::over_mpi();
  EXPECT_EQ(job_communicator(context)->backend(), context.size() > 1 ? "mpi" : "local");
  EXPECT_EQ(make_communicator({.backend = CommBackend::kMpi}, context)->size(), context.size());
  if (context.size() > 1) {
    EXPECT_THROW(make_communicator({.backend = CommBackend::kLocal}, context), ConfigError);
  }
  EXPECT_EQ(make_solo_communicator()->size(), 1);
  EXPECT_EQ(parse_comm_backend("nccl"), CommBackend::kNccl);
  EXPECT_THROW(parse_comm_backend("gloo"), ConfigError);
}

TEST(Communicator, AutoStaysOnMpiForCudaTensorsWhereNcclCannotServe) {
  const JobContext context = JobContext::over_mpi();
  const NcclAvailability nccl = nccl_availability();
  if (nccl.usable && nccl.devices >= context.local_size()) GTEST_SKIP() << "NCCL can serve this job";
  EXPECT_EQ(make_communicator({}, context, TensorPlace::kCuda)->backend(), context.size() > 1 ? "mpi" : "local");
  try {
    make_communicator({.backend = CommBackend::kNccl}, context, TensorPlace::kCuda);
    ADD_FAILURE() << "nccl accepted without NCCL or enough GPUs";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("HINT"), std::string::npos) << e.what();
  }
}

// ---- on a CUDA device: skipped with the reason where there is none --------------------

// Rank r's values on the device; returns them read back after `reduce`.
std::vector<float> reduced_on_device(Communicator& comm, std::size_t n, ReduceOp op) {
  std::vector<float> values(n);
  for (std::size_t i = 0; i < n; ++i) values[i] = contribution<float>(comm.rank(), i);
  cuda::DeviceBuffer device(n * sizeof(float));
  cuda::copy_to_device(device.data(), values.data(), n * sizeof(float), nullptr);
  comm.allreduce({.data = device.data(), .count = n, .memory = MemoryKind::kCuda}, op);
  cuda::copy_to_host(values.data(), device.data(), n * sizeof(float), nullptr);
  return values;
}

TEST(Nccl, InitialisesAndAllReducesOnCudaBuffers) {
  const JobContext context = JobContext::over_mpi();
  const NcclAvailability nccl = nccl_availability();
  if (!nccl.usable) GTEST_SKIP() << "nccl: " << nccl.reason;
  if (nccl.devices < context.local_size()) GTEST_SKIP() << "NCCL takes one rank per GPU; this host has " << nccl.devices;
  const auto comm = make_communicator({.backend = CommBackend::kNccl}, context, TensorPlace::kCuda);
  EXPECT_EQ(comm->backend(), "nccl");
  EXPECT_EQ(comm->cuda_device(), context.local_rank() % nccl.devices);
  for (const std::size_t n : {std::size_t{1}, std::size_t{1023}, (std::size_t{1} << 20) + 3}) {
    const std::vector<float> sums = reduced_on_device(*comm, n, ReduceOp::kSum);
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(sums[i], expected_sum<float>(comm->size(), i)) << n;
  }
}

TEST(CudaStaging, TheMpiBackendStagesCudaBuffersThroughHostMemory) {
  const JobContext context = JobContext::over_mpi();
  std::string why;
  if (cuda::device_count(&why) == 0) GTEST_SKIP() << "no CUDA device: " << why;
  const auto comm = make_communicator({.backend = context.size() > 1 ? CommBackend::kMpi : CommBackend::kLocal}, context);
  const std::vector<float> averages = reduced_on_device(*comm, 4099, ReduceOp::kAverage);
  for (std::size_t i = 0; i < averages.size(); ++i) {
    ASSERT_FLOAT_EQ(averages[i], expected_sum<float>(comm->size(), i) / static_cast<float>(comm->size())) << i;
  }
}

}  // namespace
}  // namespace snipe

// The communicators on odd sizes and every element type. ctest runs this binary as one
// process and under `mpirun -np 2` and `-np 3`; every rank runs the same tests in the
// same order (each collective is matched), and expected values are computed here from
// what each rank contributes.

#include "shared/comm/communicator.h"

#include <cmath>
#include <numeric>
#include <vector>

#include <gtest/gtest.h>

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

std::unique_ptr<Communicator> job_communicator(const MpiContext& mpi) {
  return make_communicator(CommBackend::kAuto, mpi);
}

TEST(Communicator, SumsEveryElementTypeOnOddSizes) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  check_sum<float>(*comm);
  check_sum<double>(*comm);
  check_sum<std::int32_t>(*comm);
  check_sum<std::int64_t>(*comm);
}

TEST(Communicator, AveragesFloatingPointBuffers) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
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
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  std::vector<std::int32_t> values(4, 1);
  EXPECT_THROW(comm->allreduce(buffer_of(std::span(values)), ReduceOp::kAverage), ConfigError);
}

TEST(Communicator, SeveralAsyncReductionsCompleteInAnyWaitOrder) {
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
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
  const MpiContext mpi;
  const auto comm = job_communicator(mpi);
  const int root = comm->size() - 1;
  std::vector<std::int64_t> values(1025);
  for (std::size_t i = 0; i < values.size(); ++i) values[i] = contribution<std::int64_t>(comm->rank(), i);
  comm->broadcast(buffer_of(std::span(values)), root);
  for (std::size_t i = 0; i < values.size(); ++i) ASSERT_EQ(values[i], contribution<std::int64_t>(root, i));
  comm->barrier();
}

TEST(Communicator, TheFactoryPicksByJobSizeAndRefusesLocalForSeveralRanks) {
  const MpiContext mpi;
  EXPECT_EQ(job_communicator(mpi)->backend(), mpi.size() > 1 ? "mpi" : "local");
  EXPECT_EQ(make_communicator(CommBackend::kMpi, mpi)->size(), mpi.size());
  if (mpi.size() > 1) {
    EXPECT_THROW(make_communicator(CommBackend::kLocal, mpi), ConfigError);
  }
  EXPECT_EQ(parse_comm_backend("mpi"), CommBackend::kMpi);
  EXPECT_THROW(parse_comm_backend("gloo"), ConfigError);
}

}  // namespace
}  // namespace snipe

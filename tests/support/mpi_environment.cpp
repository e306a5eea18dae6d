// Initialises MPI once for a test binary (a singleton job of size 1 when not launched by
// mpirun), so in-process tests can join the job with JobContext::over_mpi(). Registered at
// static-init time.

#include <memory>

#include <gtest/gtest.h>

#include "shared/mpi/mpi_context.h"

namespace {

class MpiEnvironment final : public ::testing::Environment {
 public:
  void SetUp() override { session_ = std::make_unique<snipe::MpiSession>(nullptr, nullptr); }
  void TearDown() override { session_.reset(); }

 private:
  std::unique_ptr<snipe::MpiSession> session_;
};

[[maybe_unused]] ::testing::Environment* const kMpiEnvironment =
    ::testing::AddGlobalTestEnvironment(new MpiEnvironment);

}  // namespace

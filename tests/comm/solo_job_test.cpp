// A solo job (JobContext::solo()) in a process where MPI is never initialised: this
// binary has no MpiSession, so any MPI call would abort it (Open MPI refuses calls before
// MPI_Init). Tools and one-process tests run jobs this way.

#include "shared/comm/job_context.h"

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

TEST(SoloJob, IsRankZeroOfOneOnThisHostWithTheLocalCommunicator) {
  const JobContext context = JobContext::solo();
  EXPECT_EQ(context.rank(), 0);
  EXPECT_EQ(context.size(), 1);
  EXPECT_EQ(context.local_rank(), 0);
  EXPECT_EQ(context.local_size(), 1);
  EXPECT_FALSE(context.host().empty());
  EXPECT_EQ(context.mpi(), nullptr);
  EXPECT_EQ(context.comm().backend(), "local");
}

TEST(SoloJob, CollectivesAreTheIdentity) {
  const JobContext context = JobContext::solo();
  EXPECT_EQ(allgather(context.comm(), std::string("plan \0 text", 11)),
            std::vector<std::string>{std::string("plan \0 text", 11)});
  EXPECT_EQ(sum(context.comm(), -7), -7);
  std::string root = "unchanged";
  broadcast_string(context.comm(), root);
  EXPECT_EQ(root, "unchanged");
  context.comm().barrier();
}

TEST(SoloJob, TrainingCommunicatorsAreLocalAndMpiOrNcclAreRefused) {
  const JobContext context = JobContext::solo();
  EXPECT_EQ(make_communicator({}, context)->backend(), "local");
  EXPECT_EQ(make_communicator({}, context, TensorPlace::kCuda)->backend(), "local");
  EXPECT_EQ(make_communicator({.backend = CommBackend::kLocal}, context)->size(), 1);
  try {
    make_communicator({.backend = CommBackend::kMpi}, context);
    ADD_FAILURE() << "an mpi communicator without MPI";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("needs MPI"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe

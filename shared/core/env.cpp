#include "shared/core/env.h"

#include "shared/core/atomic_file.h"

namespace snipe {

std::string_view fault_point_name(FaultPoint point) {
  switch (point) {
    case FaultPoint::kStageStarted:
      return "stage_started";
    case FaultPoint::kTokenCheckpointed:
      return "token_checkpointed";
    case FaultPoint::kTrainStepStarting:
      return "train_step_starting";
    case FaultPoint::kTrainCheckpointWritten:
      return "train_checkpoint_written";
  }
  return "unknown";
}

void PosixEnv::write_file_atomically(const std::filesystem::path& target, std::string_view content) {
  snipe::write_file_atomically(target, content);
}

}  // namespace snipe

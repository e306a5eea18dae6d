#pragma once
// Per-token checkpoints of a collection run. Each finished token is saved as one small
// Boost.Serialization archive (temp file, fsync, rename), so a rank killed at any moment
// loses at most the token it was working on; rerunning the same command loads the saved
// tokens and fetches only the rest. A checkpoint directory belongs to one run key (config,
// mode, rank count): a different key wipes it rather than mixing runs.
// Not thread-safe; one store per rank.

#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>

#include "shared/market/validation.h"
#include "shared/store/shard.h"

namespace snipe::collector {

// What collecting one token produced.
struct TokenOutcome {
  enum class Kind : std::uint8_t { kAccepted, kRejected, kFailed };

  std::uint32_t index = 0;  // position in the job's token list
  std::string token;
  Kind kind = Kind::kFailed;
  SeriesRecord record;                                   // kAccepted: the stored series
  std::array<std::uint64_t, kReasonCount> reasons{};     // kRejected: bars flagged per reason
  std::string failure_reason;                            // kFailed, or kAccepted whose refresh
                                                         // failed: SourceError::reason()
  std::string message;                                   // validation summary or error text
  friend bool operator==(const TokenOutcome&, const TokenOutcome&) = default;
};

class CheckpointStore {
 public:
  // Creates `dir` if needed; wipes it when it holds checkpoints of another run key.
  CheckpointStore(std::filesystem::path dir, const std::string& run_key);

  // The saved outcome of token `index`, or nullopt when none, or when the archive is
  // unreadable or belongs to another token (logged, then refetched).
  std::optional<TokenOutcome> load(std::uint32_t index, const std::string& token) const;
  void save(const TokenOutcome& outcome) const;
  // Deletes the directory once the run's outputs are durable.
  void remove_all() const;

 private:
  std::filesystem::path path_of(std::uint32_t index) const;
  std::filesystem::path dir_;
};

// Serialised form, exposed for tests of corruption handling.
std::string serialize_outcome(const TokenOutcome& outcome);
TokenOutcome deserialize_outcome(const std::string& bytes);  // throws DataError

}  // namespace snipe::collector

#include "collector/checkpoint.h"

#include <unistd.h>

#include <sstream>

#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/array.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/vector.hpp>
#include <boost/serialization/version.hpp>
#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

// Boost.Serialization of the stored types. Class versions are bumped whenever a layout
// changes; a load of an unknown version fails and the token is refetched.
namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, snipe::Candle& c, unsigned /*version*/) {
  ar & c.timestamp & c.open & c.high & c.low & c.close & c.volume;
}

template <class Archive>
void serialize(Archive& ar, snipe::TokenContext& context, unsigned /*version*/) {
  for (auto& field : context.fields) {
    bool known = field.has_value();
    double value = field.value_or(0.0);
    ar & known & value;
    field = known ? std::optional<double>(value) : std::nullopt;
  }
}

template <class Archive>
void serialize(Archive& ar, snipe::SeriesRecord& r, unsigned /*version*/) {
  ar & r.token & r.candles & r.candle_features & r.indicator_features & r.indicators & r.regime;
  ar & r.context & r.rug_timestamp & r.liquidity_removed;
}

template <class Archive>
void serialize(Archive& ar, snipe::collector::TokenOutcome& o, unsigned /*version*/) {
  ar & o.index & o.token & o.kind & o.record & o.reasons & o.failure_reason & o.message;
}

}  // namespace boost::serialization

BOOST_CLASS_VERSION(snipe::Candle, 1)
BOOST_CLASS_VERSION(snipe::TokenContext, 1)
BOOST_CLASS_VERSION(snipe::SeriesRecord, 1)
BOOST_CLASS_VERSION(snipe::collector::TokenOutcome, 1)

namespace snipe::collector {
namespace {

namespace fs = std::filesystem;
constexpr std::string_view kMagic = "snipe-token-checkpoint v1\n";
constexpr std::string_view kRunKeyFile = "run_key";

}  // namespace

std::string serialize_outcome(const TokenOutcome& outcome) {
  std::ostringstream out;
  out << kMagic;
  {
    boost::archive::binary_oarchive archive(out);
    archive << outcome;
  }
  return std::move(out).str();
}

TokenOutcome deserialize_outcome(const std::string& bytes) {
  if (!bytes.starts_with(kMagic)) throw DataError("not a snipe token checkpoint (bad magic)");
  std::istringstream in(bytes.substr(kMagic.size()));
  TokenOutcome outcome;
  try {
    boost::archive::binary_iarchive archive(in);
    archive >> outcome;
  } catch (const std::exception& e) {
    throw DataError(fmt::format("truncated or corrupt token checkpoint: {}", e.what()));
  }
  return outcome;
}

CheckpointStore::CheckpointStore(fs::path dir, const std::string& run_key) : dir_(std::move(dir)) {
  const fs::path key_file = dir_ / kRunKeyFile;
  if (fs::exists(dir_) && (!fs::exists(key_file) || read_file(key_file) != run_key)) {
    spdlog::info("checkpoints in {} belong to another run; starting afresh", dir_.string());
    // Renamed first, so a kill mid-delete cannot leave foreign checkpoints under a new key.
    // A leftover of such a kill (same name, e.g. a reused pid) is removed first.
    fs::path discarded = dir_;
    discarded += fmt::format(".discarded-{}", ::getpid());
    fs::remove_all(discarded);
    fs::rename(dir_, discarded);
    fs::remove_all(discarded);
  }
  fs::create_directories(dir_);
  if (!fs::exists(key_file)) write_file_atomically(key_file, run_key);
}

fs::path CheckpointStore::path_of(std::uint32_t index) const {
  return dir_ / fmt::format("token-{:08}.bin", index);
}

std::optional<TokenOutcome> CheckpointStore::load(std::uint32_t index, const std::string& token) const {
  const fs::path path = path_of(index);
  if (!fs::exists(path)) return std::nullopt;
  try {
    TokenOutcome outcome = deserialize_outcome(read_file(path));
    if (outcome.index == index && outcome.token == token) return outcome;
    spdlog::warn("{}: holds token '{}', expected '{}'; fetching again", path.string(),
                 outcome.token, token);
  } catch (const Error& e) {
    spdlog::warn("{}: {}; fetching the token again", path.string(), e.what());
  }
  return std::nullopt;
}

void CheckpointStore::save(const TokenOutcome& outcome) const {
  write_file_atomically(path_of(outcome.index), serialize_outcome(outcome));
}

void CheckpointStore::remove_all() const { fs::remove_all(dir_); }

}  // namespace snipe::collector

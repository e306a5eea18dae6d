#include "trainer/train/checkpoint.h"

#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <functional>
#include <mutex>
#include <sstream>
#include <stdexcept>
#include <string_view>

#include <ATen/CPUGeneratorImpl.h>
#include <boost/archive/binary_iarchive.hpp>
#include <boost/archive/binary_oarchive.hpp>
#include <boost/serialization/string.hpp>
#include <boost/serialization/version.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/serialize/input-archive.h>
#include <torch/serialize/output-archive.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"

// Boost.Serialization of the state. Bump the class version whenever the layout changes;
// loading an unknown (newer) version fails and the checkpoint is refused.
namespace boost::serialization {

template <class Archive>
void serialize(Archive& ar, snipe::trainer::CheckpointState& s, unsigned version) {
  ar & s.run_key & s.epoch & s.batches_done & s.step & s.best_metric & s.best_epoch;
  ar & s.epochs_without_improvement & s.epoch_loss_sum;
  if (version >= 2) ar & s.threads;  // version 1 did not record it (0: unknown)
  if (version >= 3) ar & s.world;    // versions 1 and 2 trained on one rank (0)
}

}  // namespace boost::serialization

BOOST_CLASS_VERSION(snipe::trainer::CheckpointState, 3)

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using torch::serialize::InputArchive;
using torch::serialize::OutputArchive;

constexpr std::string_view kMagicPrefix = "snipe-train-checkpoint ";
constexpr std::string_view kMagic = "snipe-train-checkpoint v1\n";
constexpr const char* kStateFile = "state.bin";
constexpr const char* kTensorsFile = "tensors.pt";
constexpr std::string_view kStepPrefix = "step-";
constexpr std::size_t kStepDigits = 10;
constexpr std::string_view kTempMarker = ".tmp-";  // in every name a save may leave behind

// state.bin's content: the state plus the record that ties tensors.pt to it.
struct StateFile {
  CheckpointState state;
  std::uint64_t tensors_size = 0;  // bytes of tensors.pt
  std::uint64_t tensors_hash = 0;  // FNV-1a 64 of those bytes
};

// ---- names -------------------------------------------------------------------------

std::string step_name(std::int64_t step) { return fmt::format("step-{:010}", step); }

// The step of a complete checkpoint directory name "step-NNNNNNNNNN"; nullopt otherwise.
std::optional<std::int64_t> parse_step(std::string_view name) {
  if (name.size() != kStepPrefix.size() + kStepDigits || !name.starts_with(kStepPrefix)) return std::nullopt;
  const std::string_view digits = name.substr(kStepPrefix.size());
  if (!std::all_of(digits.begin(), digits.end(), [](char c) { return c >= '0' && c <= '9'; })) return std::nullopt;
  std::int64_t step = 0;
  if (std::from_chars(digits.data(), digits.data() + digits.size(), step).ec != std::errc()) return std::nullopt;
  return step;
}

bool is_leftover(std::string_view name) {
  return name.starts_with(kStepPrefix) && name.find(kTempMarker) != std::string_view::npos;
}

// "[32, 24]"
std::string shape_text(c10::IntArrayRef sizes) { return fmt::format("[{}]", fmt::join(sizes, ", ")); }

// ---- errors ------------------------------------------------------------------------

// What to do about a checkpoint that cannot be read.
std::string corrupt_hint(const fs::path& checkpoint) {
  return fmt::format("delete {} to resume from the previous checkpoint, or start a fresh run with a new --out",
                     checkpoint.string());
}

// What to do about a checkpoint of another configuration.
std::string other_run_hint(const fs::path& checkpoint) {
  return fmt::format("use a new --out or delete {}", checkpoint.parent_path().string());
}

DataError corrupt_state(const fs::path& checkpoint, const std::string& what) {
  return DataError(fmt::format("{}: truncated or corrupt checkpoint state ({}); {}",
                               (checkpoint / kStateFile).string(), what, corrupt_hint(checkpoint)));
}

DataError corrupt_tensors(const fs::path& checkpoint, const std::string& what) {
  return DataError(fmt::format("{}: {}; {}", (checkpoint / kTensorsFile).string(), what, corrupt_hint(checkpoint)));
}

DataError model_changed(const fs::path& checkpoint, const std::string& what) {
  return DataError(fmt::format("{}: {}: the model settings changed; {}", (checkpoint / kTensorsFile).string(),
                               what, other_run_hint(checkpoint)));
}

// ---- the CPU generator (dropout) -----------------------------------------------------

// The generator's mutex guards its state (ATen's rule for get_state/set_state).
torch::Tensor cpu_rng_state() {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  return generator.get_state();
}

void set_cpu_rng_state(const torch::Tensor& state) {
  at::Generator generator = at::detail::getDefaultCPUGenerator();
  std::lock_guard<std::mutex> lock(generator.mutex());
  generator.set_state(state);
}

// ---- writing -------------------------------------------------------------------------

// REQUIRES: `best` is empty or matches the model's parameters in count.
void write_tensors(const fs::path& file, const TrainingObjects& objects) {
  const auto parameters = objects.model.named_parameters();
  if (!objects.best.empty() && objects.best.size() != parameters.size()) {
    throw std::invalid_argument(fmt::format("checkpoint: {} best tensors for a model with {} parameters",
                                            objects.best.size(), parameters.size()));
  }
  OutputArchive archive;
  std::size_t index = 0;
  for (const auto& named : parameters) {
    archive.write("model/" + named.name, named.value.detach());
    if (!objects.best.empty()) archive.write("best/" + named.name, objects.best[index].detach());
    ++index;
  }
  OutputArchive optimizer;
  objects.optimizer.save(optimizer);
  archive.write("optimizer", optimizer);
  archive.write("rng", cpu_rng_state(), /*is_buffer=*/true);
  archive.save_to(file.string());
  fsync_file(file);
}

std::string encode_state(const StateFile& file) {
  std::ostringstream out;
  out << kMagic;
  {
    boost::archive::binary_oarchive archive(out);
    archive << file.state << file.tensors_size << file.tensors_hash;
  }
  return std::move(out).str();
}

// Writes both files into `temp` (an empty directory) and makes them durable.
void write_checkpoint_files(const fs::path& temp, const CheckpointState& state, const TrainingObjects& objects) {
  const fs::path tensors = temp / kTensorsFile;
  write_tensors(tensors, objects);
  const std::string bytes = read_file(tensors);
  // write_file_atomically fsyncs state.bin and then `temp`, which also persists
  // tensors.pt's directory entry.
  write_file_atomically(temp / kStateFile, encode_state({state, bytes.size(), fnv1a(bytes)}));
}

// Moves `temp` to `final`. An existing `final` (the same step saved again after a resume)
// is renamed aside first and removed afterwards: a crash in between leaves only leftovers
// that the next save removes, and the previous checkpoints.
void install(const fs::path& temp, const fs::path& final) {
  fs::path aside;
  if (fs::exists(final)) {
    aside = final;
    aside += fmt::format("{}{}-replaced", kTempMarker, ::getpid());
    fs::remove_all(aside);
    fs::rename(final, aside);
  }
  fs::rename(temp, final);
  fsync_directory(final.parent_path());
  if (!aside.empty()) fs::remove_all(aside);
}

// Removes save leftovers and all checkpoints but `saved_step` and the `keep - 1` newest
// before it. Checkpoints after `saved_step` belong to a continuation that was abandoned
// (training went on from an older one), so they go too: the next resume must find the
// checkpoint written last.
void prune(const fs::path& dir, std::int64_t saved_step, std::size_t keep) {
  std::vector<std::int64_t> older;
  std::vector<fs::path> doomed;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (is_leftover(name)) {
      doomed.push_back(entry.path());
    } else if (const auto step = parse_step(name); step && entry.is_directory()) {
      if (*step > saved_step) doomed.push_back(entry.path());
      if (*step < saved_step) older.push_back(*step);
    }
  }
  std::sort(older.begin(), older.end(), std::greater<>());
  for (std::size_t i = keep - 1; i < older.size(); ++i) doomed.push_back(dir / step_name(older[i]));
  for (const auto& path : doomed) fs::remove_all(path);
}

// ---- reading -------------------------------------------------------------------------

StateFile decode_state(const fs::path& checkpoint) {
  const fs::path path = checkpoint / kStateFile;
  if (!fs::exists(path)) throw corrupt_state(checkpoint, "the file is missing");
  const std::string bytes = read_file(path);
  if (!bytes.starts_with(kMagic)) {
    if (!bytes.starts_with(kMagicPrefix)) throw corrupt_state(checkpoint, "not a snipe training checkpoint: bad magic");
    const std::string line = bytes.substr(kMagicPrefix.size(), bytes.find('\n') - kMagicPrefix.size());
    throw corrupt_state(checkpoint, fmt::format("format '{}', this build reads v1: written by another snipe version",
                                                line.substr(0, 40)));
  }
  std::istringstream in(bytes.substr(kMagic.size()));
  StateFile file;
  try {
    boost::archive::binary_iarchive archive(in);
    archive >> file.state >> file.tensors_size >> file.tensors_hash;
  } catch (const boost::archive::archive_exception& e) {
    if (e.code == boost::archive::archive_exception::unsupported_class_version) {
      throw DataError(fmt::format("{}: the checkpoint state was written by a newer snipe (a later layout of the "
                                  "training state); resume it with that version, or start afresh with --fresh",
                                  path.string()));
    }
    throw corrupt_state(checkpoint, e.what());
  } catch (const std::exception& e) {
    throw corrupt_state(checkpoint, e.what());
  }
  return file;
}

// tensors.pt's bytes, after checking them against state.bin's record.
std::string read_tensor_bytes(const fs::path& checkpoint, const StateFile& record) {
  const fs::path path = checkpoint / kTensorsFile;
  const std::string bytes = fs::exists(path) ? read_file(path) : std::string();
  if (bytes.size() != record.tensors_size || fnv1a(bytes) != record.tensors_hash) {
    throw DataError(fmt::format("{} does not match its record in {} (corrupt or partly written: {} bytes, hash {}; "
                                "recorded {} bytes, hash {}); {}",
                                path.string(), kStateFile, bytes.size(), hex64(fnv1a(bytes)), record.tensors_size,
                                hex64(record.tensors_hash), corrupt_hint(checkpoint)));
  }
  return bytes;
}

// Everything a checkpoint restores, read and checked, not yet applied.
struct Loaded {
  StateFile file;
  std::vector<torch::Tensor> model;  // [parameter] in model.named_parameters() order
  std::vector<torch::Tensor> best;   // the same order, or empty: no best epoch yet
  InputArchive optimizer;
  torch::Tensor rng;
};

// `prefix/<name>` for every parameter of `model`, each with the parameter's shape.
// When `optional`, an archive with no tensor under `prefix/` leaves `out` empty.
void read_parameters(InputArchive& archive, const std::string& prefix, const torch::jit::Module& model,
                     const fs::path& checkpoint, bool optional, std::vector<torch::Tensor>& out) {
  const auto keys = archive.keys();
  const auto parameters = model.named_parameters();
  const auto under_prefix = [&](const std::string& key) { return key.starts_with(prefix + "/"); };
  const auto stored = static_cast<std::size_t>(std::count_if(keys.begin(), keys.end(), under_prefix));
  if (stored == 0 && optional) return;
  for (const auto& named : parameters) {
    torch::Tensor tensor;
    if (!archive.try_read(prefix + "/" + named.name, tensor)) {
      throw model_changed(checkpoint, fmt::format("no {} parameter '{}'", prefix, named.name));
    }
    if (tensor.sizes() != named.value.sizes()) {
      throw model_changed(checkpoint, fmt::format("parameter '{}' has shape {}, the model's is {}", named.name,
                                                  shape_text(tensor.sizes()), shape_text(named.value.sizes())));
    }
    if (tensor.scalar_type() != named.value.scalar_type()) {
      throw model_changed(checkpoint, fmt::format("parameter '{}' is {}, the model's is {}", named.name,
                                                  c10::toString(tensor.scalar_type()),
                                                  c10::toString(named.value.scalar_type())));
    }
    out.push_back(tensor.detach());
  }
  if (stored != parameters.size()) {
    throw model_changed(checkpoint, fmt::format("{} {} parameters stored, the model has {}", stored, prefix,
                                                parameters.size()));
  }
}

// The generator state, checked against the form this build's generator uses.
torch::Tensor read_rng(InputArchive& archive, const fs::path& checkpoint) {
  torch::Tensor rng;
  const torch::Tensor current = cpu_rng_state();
  if (!archive.try_read("rng", rng, /*is_buffer=*/true) || rng.scalar_type() != current.scalar_type() ||
      rng.numel() != current.numel()) {
    throw corrupt_tensors(checkpoint, "no usable random generator state under 'rng'");
  }
  return rng;
}

void read_checkpoint(const fs::path& checkpoint, const std::string& run_key, const torch::jit::Module& model,
                     Loaded& loaded) {
  loaded.file = decode_state(checkpoint);
  if (loaded.file.state.run_key != run_key) {
    throw DataError(fmt::format("{}: was written by a run with other settings or data (run key {}, this run {}); {}",
                                (checkpoint / kStateFile).string(), loaded.file.state.run_key, run_key,
                                other_run_hint(checkpoint)));
  }
  const std::string bytes = read_tensor_bytes(checkpoint, loaded.file);
  InputArchive archive;
  try {
    archive.load_from(bytes.data(), bytes.size());
  } catch (const c10::Error& e) {
    throw corrupt_tensors(checkpoint, fmt::format("not a LibTorch archive ({})", e.what_without_backtrace()));
  }
  read_parameters(archive, "model", model, checkpoint, /*optional=*/false, loaded.model);
  read_parameters(archive, "best", model, checkpoint, /*optional=*/true, loaded.best);
  if (!archive.try_read("optimizer", loaded.optimizer)) {
    throw corrupt_tensors(checkpoint, "no optimizer state under 'optimizer'");
  }
  loaded.rng = read_rng(archive, checkpoint);
}

// ---- applying ------------------------------------------------------------------------

// Replaces the optimizer's state with the archive's. Should the archive not fit this
// optimizer (another kind or parameter count), the previous state is put back.
void load_optimizer(torch::optim::Optimizer& optimizer, InputArchive& archive, const fs::path& checkpoint) {
  OutputArchive backup;
  optimizer.save(backup);
  std::ostringstream backup_bytes;
  backup.save_to(backup_bytes);
  try {
    optimizer.state().clear();  // a parameter without saved state must not keep its old one
    optimizer.load(archive);
  } catch (const std::exception& e) {  // c10::Error for a mismatch; anything else too
    optimizer.state().clear();
    std::istringstream in(std::move(backup_bytes).str());
    InputArchive restore;
    restore.load_from(in);
    optimizer.load(restore);
    const auto* c10_error = dynamic_cast<const c10::Error*>(&e);
    throw corrupt_tensors(checkpoint, fmt::format("the optimizer state does not fit this optimizer ({})",
                                                  c10_error ? c10_error->what_without_backtrace() : e.what()));
  }
}

void apply(Loaded& loaded, const TrainingObjects& objects, const fs::path& checkpoint) {
  load_optimizer(objects.optimizer, loaded.optimizer, checkpoint);  // the one step that can still fail
  {
    torch::NoGradGuard no_grad;
    std::size_t index = 0;
    for (const auto& named : objects.model.named_parameters()) named.value.copy_(loaded.model[index++]);
  }
  objects.best = std::move(loaded.best);
  set_cpu_rng_state(loaded.rng);
}

}  // namespace

void save_checkpoint(const fs::path& dir, const CheckpointState& state, const TrainingObjects& objects,
                     std::size_t keep) {
  if (keep < 1) throw std::invalid_argument("save_checkpoint: keep must be >= 1");
  const fs::path final = dir / step_name(state.step);
  fs::path temp = final;
  temp += fmt::format("{}{}", kTempMarker, ::getpid());
  try {
    fs::create_directories(dir);
    fs::remove_all(temp);  // a leftover of a crashed save by a process with our pid
    fs::create_directory(temp);
    write_checkpoint_files(temp, state, objects);
    install(temp, final);
    prune(dir, state.step, keep);
  } catch (const fs::filesystem_error& e) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw IoError(fmt::format("{}: cannot write checkpoint: {}", final.string(), e.what()));
  } catch (const c10::Error& e) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw IoError(fmt::format("{}: cannot write checkpoint: {}", final.string(), e.what_without_backtrace()));
  } catch (...) {
    std::error_code ignored;
    fs::remove_all(temp, ignored);
    throw;
  }
}

std::string encode_checkpoint_state(const CheckpointState& state) {
  std::ostringstream out;
  {
    boost::archive::binary_oarchive archive(out);
    archive << state;
  }
  return std::move(out).str();
}

CheckpointState decode_checkpoint_state(const std::string& bytes) {
  std::istringstream in(bytes);
  CheckpointState state;
  try {
    boost::archive::binary_iarchive archive(in);
    archive >> state;
  } catch (const std::exception& e) {
    throw DataError(fmt::format("a training state received from rank 0 does not decode: {}", e.what()));
  }
  return state;
}

std::optional<fs::path> latest_checkpoint(const fs::path& dir) {
  std::error_code error;
  if (!fs::is_directory(dir, error)) return std::nullopt;
  std::optional<std::int64_t> newest;
  try {
    for (const auto& entry : fs::directory_iterator(dir)) {
      const auto step = parse_step(entry.path().filename().string());
      if (step && entry.is_directory() && (!newest || *step > *newest)) newest = step;
    }
  } catch (const fs::filesystem_error& e) {
    throw IoError(fmt::format("{}: cannot list checkpoints: {}", dir.string(), e.what()));
  }
  if (!newest) return std::nullopt;
  return dir / step_name(*newest);
}

CheckpointState load_checkpoint(const fs::path& path, const std::string& run_key, const TrainingObjects& objects) {
  Loaded loaded;
  read_checkpoint(path, run_key, objects.model, loaded);
  apply(loaded, objects, path);
  return loaded.file.state;
}

}  // namespace snipe::trainer

// snipe pipeline: the main job, stage after stage, on the configured source:
//   collect  source -> validated series, features, labels -> HDF5 shards   <output.dir>/data
//   train    split, scalers, attention-LSTM, checkpoints, test report     <output.dir>/train
//   export   model.pt + scalers.json + metadata.json                      <output.dir>/train/export

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/stages.h"
#include "collector/data_set_dir.h"
#include "shared/core/atomic_file.h"

namespace snipe::cli {
namespace {

namespace fs = std::filesystem;

struct PipelineOptions {
  CommonOptions common;
  std::optional<std::string> output_dir;  // overrides [output] dir
  bool fresh_training = false;            // discard training checkpoints of an earlier run
};

// A short human summary of the collected data set, from its manifest (rank 0).
void print_data_summary(const fs::path& data_dir) {
  const DataSetManifest manifest = collector::DataSetDir(data_dir).published_manifest().value();
  const TokenCounts& tokens = manifest.tokens;
  fmt::print("data set {}: {} tokens listed, {} accepted, {} rejected, {} failed\n", data_dir.string(),
             tokens.listed, tokens.accepted, tokens.rejected, tokens.failed);
  const auto rate = [](const std::optional<double>& r) { return r ? fmt::format("{}", *r) : "null"; };
  fmt::print("  {} examples over {} shards; profitable {}, rug {}\n", manifest.examples, manifest.shards.size(),
             rate(manifest.profitable_rate), rate(manifest.rug_rate));
}

int run_pipeline(const PipelineOptions& options, Env& env) {
  const auto overrides = [&](Config& c) {
    if (options.output_dir) c.output.dir = *options.output_dir;
  };
  return run_mpi_job(options.common, overrides, [&](const Config& config, const JobContext& context) {
    const fs::path out_dir = config.output.dir;
    fs::create_directories(out_dir);
    if (context.rank() == 0) env.write_file_atomically(out_dir / "config.toml", describe_config(config));
    const auto totals = collect_stage(config, context, out_dir / "data", /*incremental=*/false, env);
    if (context.rank() == 0) print_data_summary(out_dir / "data");
    if (totals.accepted == 0) return 1;
    // A rerun after a crash continues training where it stopped (same settings and data).
    const auto resume = options.fresh_training ? trainer::ResumeMode::kFresh : trainer::ResumeMode::kAuto;
    const trainer::TrainSummary trained =
        train_stage(config, context, out_dir / "data", out_dir / "train", resume, env);
    if (context.rank() == 0) print_train_summary(trained);
    return 0;
  });
}

}  // namespace

Command add_pipeline_command(CLI::App& app, Env& env) {
  auto options = std::make_shared<PipelineOptions>();
  CLI::App* sub = app.add_subcommand(
      "pipeline", "Run the main job on the configured source (collect -> train -> export); works under mpirun");
  add_common_options(*sub, options->common);
  sub->add_option("--out", options->output_dir, "output directory (overrides [output] dir)");
  sub->add_flag("--fresh-training", options->fresh_training,
                "discard the training checkpoints of an earlier run instead of continuing from them");
  return {sub, [options, &env] { return run_pipeline(*options, env); }};
}

}  // namespace snipe::cli

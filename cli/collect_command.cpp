// snipe collect: a market-data source -> validated series, features, labels, HDF5 shards.

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "cli/stages.h"

namespace snipe::cli {
namespace {

struct CollectCommandOptions {
  CommonOptions common;
  std::string out_dir;                    // DATA_DIR
  std::optional<std::string> source;      // overrides [source] kind
  std::optional<std::string> csv_dir;     // overrides [source] csv_dir (implies csv)
  bool incremental = false;
};

int run_collect_command(const CollectCommandOptions& options, Env& env) {
  const auto overrides = [&](Config& c) {
    if (options.source) c.source.kind = collector::parse_source_kind(*options.source);
    if (options.csv_dir) {
      c.source.kind = collector::SourceKind::kCsv;
      c.source.csv_dir = *options.csv_dir;
    }
  };
  return run_mpi_job(options.common, overrides, [&](const Config& config, const JobContext& context) {
    const auto totals = collect_stage(config, context, options.out_dir, options.incremental, env);
    return totals.accepted > 0 ? 0 : 1;
  });
}

}  // namespace

Command add_collect_command(CLI::App& app, Env& env) {
  auto options = std::make_shared<CollectCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "collect", "Collect candles from the configured source into HDF5 shards (one per MPI rank)");
  add_common_options(*sub, options->common);
  sub->add_option("--out", options->out_dir, "data directory: shards, manifest.json, quality.json")
      ->required();
  sub->add_option("--source", options->source,
                  "synthetic|birdeye|geckoterminal|csv (overrides [source] kind)");
  sub->add_option("--csv-dir", options->csv_dir,
                  "directory of <token>.csv files (implies --source csv)");
  sub->add_flag("--incremental", options->incremental,
                "fetch only candles after the last stored one per token and append");
  return {sub, [options, &env] { return run_collect_command(*options, env); }};
}

}  // namespace snipe::cli

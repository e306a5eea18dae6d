#include "cli/stages.h"

#include <optional>

#include <spdlog/spdlog.h>

#include "collector/source_factory.h"
#include "shared/features/model_features.h"
#include "shared/mpi/mpi_context.h"

namespace snipe::cli {
namespace {

// The settings that decide the data set's content. Logging, output paths, rate limits,
// retries and the training sections do not: changing them must not invalidate a
// half-finished run.
std::string data_fingerprint(Config c) {
  c.run = {};
  c.output = {};
  c.http = {};
  c.split = {};
  c.model = {};
  c.train = {};
  c.distributed = {};
  c.birdeye.endpoint = {};
  c.geckoterminal.endpoint = {};
  return fmt::format("features v{}\n{}", kFeatureVersion, describe_config(c));
}

// What an incremental run must share with the data set it extends: everything but where
// the collection ends (the nightly run moves that forward).
std::string base_fingerprint(Config c) {
  c.synthetic.end_timestamp = 0;
  c.birdeye.source.time_to = 0;
  return data_fingerprint(std::move(c));
}

trainer::TrainSummary train_on_every_rank(const trainer::TrainJob& job, const JobContext& context, Env& env) {
#if SNIPE_WITH_TORCH
  return trainer::run_train_job(job, context, env);
#else
  (void)job;
  (void)context;
  (void)env;
  throw ConfigError(
      "this snipe was built without LibTorch, so it cannot train; HINT: build with g++ "
      "(scripts/build, the default), which compiles Debian's LibTorch headers");
#endif
}

// Every rank reads the same settings, so a bad config fails on all of them alike: then
// rank 0 alone reports it, once, and every rank returns nullopt (exit 1, no MPI_Abort
// banner). Where only some ranks fail (a key file one node cannot read), each of them
// reports its own error and every rank returns nullopt. Collective.
std::optional<Config> resolve_settings_together(const CommonOptions& common, const ConfigOverrides& overrides,
                                                const JobContext& context) {
  std::optional<Config> config;
  std::string error;
  try {
    config = start_run(common, CommandKind::kJob, overrides);
  } catch (const Error& e) {
    error = e.what();
  } catch (const std::exception& e) {  // still join the sum below, or the others would wait
    error = fmt::format("internal error: {}", e.what());
  }
  const std::int64_t failed = sum(context.comm(), config ? 0 : 1);
  if (failed == 0) return config;
  if (!config && failed < context.size()) {
    spdlog::error("rank {} on {}: {}", context.rank(), context.host(), error);
  } else if (!config && context.rank() == 0) {
    spdlog::error("{}", error);
  }
  return std::nullopt;
}

}  // namespace

collector::CollectTotals collect_stage(const Config& config, const JobContext& context,
                                       const std::filesystem::path& data_dir, bool incremental, Env& env) {
  env.reached(FaultPoint::kStageStarted, 0);
  const std::unique_ptr<collector::Source> source =
      collector::make_source(source_config(config), context.comm(), env);
  const collector::CollectJobOptions options{.out_dir = data_dir,
                                             .incremental = incremental,
                                             .validation = config.validation,
                                             .labels = config.labels,
                                             .config_fingerprint = data_fingerprint(config),
                                             .base_fingerprint = base_fingerprint(config)};
  const collector::CollectTotals totals = collector::run_collect(*source, context.comm(), options, env);
  if (context.rank() == 0) {
    spdlog::info("collected {} tokens: {} accepted, {} rejected, {} failed; {} examples in {}",
                 totals.tokens, totals.accepted, totals.rejected, totals.failed, totals.examples,
                 data_dir.string());
  }
  return totals;
}

trainer::TrainSummary train_stage(const Config& config, const JobContext& context,
                                  const std::filesystem::path& data_dir,
                                  const std::filesystem::path& run_dir, trainer::ResumeMode resume,
                                  Env& env) {
  env.reached(FaultPoint::kStageStarted, 0);
  return train_on_every_rank({.data_dir = data_dir,
                              .run_dir = run_dir,
                              .split = config.split,
                              .model = config.model,
                              .train = config.train,
                              .distributed = config.distributed,
                              .resume = resume,
                              .settings_toml = describe_config(config)},
                             context, env);
}

int run_mpi_job(const CommonOptions& common, const ConfigOverrides& overrides, const JobBody& body) {
  MpiSession session(nullptr, nullptr);
  const JobContext context = JobContext::over_mpi();  // destroyed before the session
  const std::optional<Config> config = resolve_settings_together(common, overrides, context);
  if (!config) return 1;
  return run_on_every_rank(context, [&] { return body(*config, context); });
}

int run_on_every_rank(const JobContext& context, const std::function<int()>& body) {
  // Any exception, not only snipe::Error: one rank unwinding into MPI_Finalize while the
  // others wait in a collective would hang the job forever.
  const auto fail = [&](std::string_view kind, std::string_view what) {
    spdlog::error("rank {} on {}: {}{}", context.rank(), context.host(), kind, what);
    if (context.size() > 1) context.abort(1);
    return 1;
  };
  try {
    return body();
  } catch (const Error& e) {
    return fail("", e.what());
  } catch (const std::exception& e) {
    return fail("internal error: ", e.what());
  } catch (...) {
    return fail("internal error: ", "unknown exception");
  }
}

}  // namespace snipe::cli

#include "cli/stages.h"

#include <cstdlib>
#include <optional>
#include <stdexcept>

#include <spdlog/spdlog.h>

#include "collector/source_factory.h"
#include "shared/core/csv.h"
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

// Fault injection for the crash and hang tests, read here, at the edge, never deeper in
// the code. SNIPE_TEST_<NAME>=N arms a fault with count N on the rank named by
// SNIPE_TEST_<rank_variable> (rank 0 when unset); 0 when unset, malformed or another rank.
std::int64_t test_fault(const char* name, const char* rank_variable, int rank) {
  const char* value = std::getenv(name);
  if (value == nullptr) return 0;
  const char* which = std::getenv(rank_variable);
  const auto target = which == nullptr ? std::optional<std::int64_t>(0) : csv::parse_int(which);
  const auto count = csv::parse_int(value);
  return count && *count > 0 && target == rank ? *count : 0;
}

// SNIPE_TEST_KILL_AFTER_TOKENS=N: the rank SIGKILLs itself after checkpointing N tokens.
std::size_t kill_after_tokens(int rank) {
  return static_cast<std::size_t>(test_fault("SNIPE_TEST_KILL_AFTER_TOKENS", "SNIPE_TEST_KILL_RANK", rank));
}

// SNIPE_TEST_KILL_AFTER_STEPS=N: the rank SIGKILLs itself right after the first mid-epoch
// checkpoint at or past step N. SNIPE_TEST_STALL_AT_STEP=N (rank SNIPE_TEST_STALL_RANK):
// the rank stops for good before its step N, so the stall watchdog must end the job.
trainer::FaultInjection training_faults(int rank) {
  return {.kill_after_steps = test_fault("SNIPE_TEST_KILL_AFTER_STEPS", "SNIPE_TEST_KILL_RANK", rank),
          .stall_at_step = test_fault("SNIPE_TEST_STALL_AT_STEP", "SNIPE_TEST_STALL_RANK", rank)};
}

// SNIPE_TEST_THROW_ON_RANK=R makes rank R throw a plain std::exception (not a
// snipe::Error) as the stage starts: the failure tests check that it ends the job.
void inject_test_exception(int rank) {
  const char* which = std::getenv("SNIPE_TEST_THROW_ON_RANK");
  if (which != nullptr && csv::parse_int(which) == rank) {
    throw std::logic_error("injected test exception");
  }
}

trainer::TrainSummary train_on_every_rank(const trainer::TrainJob& job, const JobContext& context) {
#if SNIPE_WITH_TORCH
  return trainer::run_train_job(job, context);
#else
  (void)job;
  (void)context;
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
                                       const std::filesystem::path& data_dir, bool incremental) {
  inject_test_exception(context.rank());
  const std::unique_ptr<collector::Source> source = collector::make_source(source_config(config), context.comm());
  const collector::CollectJobOptions options{.out_dir = data_dir,
                                             .incremental = incremental,
                                             .validation = config.validation,
                                             .labels = config.labels,
                                             .config_fingerprint = data_fingerprint(config),
                                             .base_fingerprint = base_fingerprint(config),
                                             .kill_after_tokens = kill_after_tokens(context.rank())};
  const collector::CollectTotals totals = collector::run_collect(*source, context.comm(), options);
  if (context.rank() == 0) {
    spdlog::info("collected {} tokens: {} accepted, {} rejected, {} failed; {} examples in {}",
                 totals.tokens, totals.accepted, totals.rejected, totals.failed, totals.examples,
                 data_dir.string());
  }
  return totals;
}

trainer::TrainSummary train_stage(const Config& config, const JobContext& context,
                                  const std::filesystem::path& data_dir,
                                  const std::filesystem::path& run_dir, trainer::ResumeMode resume) {
  inject_test_exception(context.rank());
  return train_on_every_rank({.data_dir = data_dir,
                              .run_dir = run_dir,
                              .split = config.split,
                              .model = config.model,
                              .train = config.train,
                              .distributed = config.distributed,
                              .resume = resume,
                              .settings_toml = describe_config(config),
                              .faults = training_faults(context.rank())},
                             context);
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

#pragma once
// Each subcommand registers itself on the CLI11 app and returns how to run it once the
// command line is parsed. Options land in the command's own typed struct.

#include <functional>
#include <optional>
#include <string>

#include <CLI/CLI.hpp>

#include "cli/config/config.h"
#include "shared/core/env.h"
#include "trainer/train/train_job.h"

namespace snipe::cli {

struct Command {
  CLI::App* app = nullptr;
  std::function<int()> run;  // returns the process exit code
};

// Options every command that reads a config file shares.
struct CommonOptions {
  std::string config_path;                 // empty: built-in defaults
  std::optional<std::string> log_level;    // overrides [run] log_level
  std::optional<std::string> log_format;   // overrides [run] log_format
};

void add_common_options(CLI::App& app, CommonOptions& options);

// What a command that runs the model says in a build without LibTorch (clang): a
// ConfigError with what to do.
[[noreturn]] void refuse_without_torch();

// Job commands (collect, train, pipeline) log the resolved settings at info on rank 0, as
// the record of the run; utility commands (features) at debug, so that what they print
// is their result.
enum class CommandKind { kJob, kUtility };

// Loads the config (or defaults), applies the command's own overrides, validates the
// result, starts logging and, on rank 0, logs the resolved settings once.
using ConfigOverrides = std::function<void(Config&)>;
Config start_run(const CommonOptions& options, CommandKind kind, const ConfigOverrides& overrides = {});

// The closing lines of a training run (rank 0), shared by `train` and `pipeline`.
void print_train_summary(const trainer::TrainSummary& summary);

// The commands that run a job take the Env it runs in; it must outlive the Command.
Command add_features_command(CLI::App& app);
Command add_collect_command(CLI::App& app, Env& env);
Command add_pipeline_command(CLI::App& app, Env& env);
Command add_train_command(CLI::App& app, Env& env);
Command add_predict_command(CLI::App& app);
Command add_evaluate_command(CLI::App& app);

// The whole command line: parses `argv`, runs the chosen subcommand in `env` and returns
// the process exit code. cli/main.cpp calls it with a PosixEnv; the crash tests' binary
// (tests/support/snipe_with_faults_main.cpp) with a fault-injecting Env.
int run_cli(int argc, char** argv, Env& env);

}  // namespace snipe::cli

// The command line of snipe: one subcommand per stage of the pipeline, run in the Env the
// process's main() chose.

#include <array>
#include <exception>

#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "shared/core/errors.h"
#include "shared/core/log.h"

namespace snipe::cli {

int run_cli(int argc, char** argv, Env& env) {
  // Until a command has read its config, log with the defaults (stderr, rank-prefixed), so
  // that even a config error reaches stderr in the usual format.
  init_logging(LogOptions{}, launch_rank_from_environment());
  CLI::App app{"snipe: collect candles, build features and labels, train and export the "
               "attention-LSTM that the trading bot loads"};
  app.require_subcommand(1);
  const std::array commands = {add_features_command(app), add_collect_command(app, env),
                               add_train_command(app, env), add_pipeline_command(app, env),
                               add_predict_command(app), add_evaluate_command(app)};
  CLI11_PARSE(app, argc, argv);

  for (const auto& command : commands) {
    if (!command.app->parsed()) continue;
    try {
      return command.run();
    } catch (const Error& e) {
      spdlog::error("{}", e.what());
      return 1;
    } catch (const std::exception& e) {
      spdlog::critical("internal error: {}", e.what());
      return 2;
    }
  }
  return 1;
}

}  // namespace snipe::cli

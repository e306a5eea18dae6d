#include <spdlog/spdlog.h>

#include "cli/command.h"
#include "shared/core/errors.h"
#include "shared/core/log.h"

namespace snipe::cli {

void refuse_without_torch() {
  throw ConfigError("this snipe was built without LibTorch, so it cannot run the model; HINT: build with g++ "
                    "(scripts/build, the default)");
}

void add_common_options(CLI::App& app, CommonOptions& options) {
  app.add_option("--config", options.config_path,
                 "TOML config file (configs/*.toml); built-in defaults without it")
      ->check(CLI::ExistingFile);
  app.add_option("--log-level", options.log_level,
                 "trace|debug|info|warning|error|critical|off (overrides the config)");
  app.add_option("--log-format", options.log_format, "text|json (overrides the config)");
}

Config start_run(const CommonOptions& options, CommandKind kind, const ConfigOverrides& overrides) {
  Config config = options.config_path.empty() ? Config{} : load_config(options.config_path);
  if (options.log_level) config.run.log.level = parse_log_level(*options.log_level);
  if (options.log_format) config.run.log.format = parse_log_format(*options.log_format);
  if (overrides) {
    overrides(config);
    validate_config(config, "the command line");
  }
  const int rank = launch_rank_from_environment();
  init_logging(config.run.log, rank);
  if (rank == 0) {
    spdlog::log(kind == CommandKind::kJob ? spdlog::level::info : spdlog::level::debug,
                "resolved settings ({}):\n{}",
                options.config_path.empty() ? "built-in defaults" : options.config_path, describe_config(config));
  }
  return config;
}

}  // namespace snipe::cli

#pragma once
// Process-wide logging setup. Every line carries the MPI rank so interleaved output of
// several ranks stays readable; `kJsonLines` emits one JSON object per line for log
// shippers. Logs go to stderr; stdout is reserved for a command's own output.

#include <string_view>

#include <spdlog/spdlog.h>

namespace snipe {

enum class LogFormat { kText, kJsonLines };

struct LogOptions {
  spdlog::level::level_enum level = spdlog::level::info;  // lowest level printed
  LogFormat format = LogFormat::kText;                    // text for people, JSON for machines
};

// Replaces the default spdlog logger. Call once at start-up, before other threads log.
void init_logging(const LogOptions& options, int rank);

// "trace" | "debug" | "info" | "warn" (or "warning") | "error" | "critical" | "off";
// throws ConfigError.
spdlog::level::level_enum parse_log_level(std::string_view name);
// "text" | "json"; throws ConfigError.
LogFormat parse_log_format(std::string_view name);
std::string_view log_format_name(LogFormat format);

// The rank this process was launched as, from the launcher's environment
// (Open MPI, PMI, Slurm); 0 when run without a launcher. Used before MPI is initialised.
int launch_rank_from_environment();

}  // namespace snipe

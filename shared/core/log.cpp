#include "shared/core/log.h"

#include <charconv>
#include <chrono>
#include <cstdlib>
#include <memory>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>
#include <spdlog/formatter.h>
#include <spdlog/sinks/stdout_color_sinks.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

// {"ts":"2026-11-27T12:00:00.123Z","level":"info","rank":0,"msg":"..."}
class JsonLinesFormatter final : public spdlog::formatter {
 public:
  explicit JsonLinesFormatter(int rank) : rank_(rank) {}

  void format(const spdlog::details::log_msg& msg, spdlog::memory_buf_t& dest) override {
    const auto seconds = std::chrono::floor<std::chrono::seconds>(msg.time);
    const auto millis =
        std::chrono::duration_cast<std::chrono::milliseconds>(msg.time - seconds).count();
    const auto level = spdlog::level::to_string_view(msg.level);
    const nlohmann::json text = std::string(msg.payload.data(), msg.payload.size());
    const std::tm utc = fmt::gmtime(std::chrono::system_clock::to_time_t(seconds));
    fmt::format_to(std::back_inserter(dest),
                   R"({{"ts":"{:%Y-%m-%dT%H:%M:%S}.{:03}Z","level":"{}","rank":{},"msg":{}}})"
                   "\n",
                   utc, millis, std::string_view(level.data(), level.size()), rank_,
                   text.dump());
  }

  std::unique_ptr<spdlog::formatter> clone() const override {
    return std::make_unique<JsonLinesFormatter>(rank_);
  }

 private:
  int rank_;
};

}  // namespace

void init_logging(const LogOptions& options, int rank) {
  auto sink = std::make_shared<spdlog::sinks::stderr_color_sink_mt>();
  if (options.format == LogFormat::kJsonLines) {
    sink->set_formatter(std::make_unique<JsonLinesFormatter>(rank));
  } else {
    sink->set_pattern(fmt::format("%Y-%m-%d %H:%M:%S.%e [rank {}] %^%l%$ %v", rank));
  }
  auto logger = std::make_shared<spdlog::logger>("snipe", std::move(sink));
  logger->set_level(options.level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(std::move(logger));
}

spdlog::level::level_enum parse_log_level(std::string_view name) {
  if (name == "warn") return spdlog::level::warn;  // spdlog spells it "warning"
  for (int i = 0; i < spdlog::level::n_levels; ++i) {
    const auto level = static_cast<spdlog::level::level_enum>(i);
    const auto candidate = spdlog::level::to_string_view(level);
    if (name == std::string_view(candidate.data(), candidate.size())) return level;
  }
  throw ConfigError(fmt::format(
      "unknown log level '{}': use trace, debug, info, warn, error, critical or off", name));
}

LogFormat parse_log_format(std::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJsonLines;
  throw ConfigError(fmt::format("unknown log format '{}': use text or json", name));
}

std::string_view log_format_name(LogFormat format) {
  return format == LogFormat::kJsonLines ? "json" : "text";
}

int launch_rank_from_environment() {
  for (const char* variable : {"OMPI_COMM_WORLD_RANK", "PMIX_RANK", "PMI_RANK", "SLURM_PROCID"}) {
    const char* value = std::getenv(variable);
    if (value == nullptr) continue;
    int rank = 0;
    const std::string_view text(value);
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), rank);
    if (ec == std::errc() && end == text.data() + text.size() && rank >= 0) return rank;
  }
  return 0;
}

}  // namespace snipe

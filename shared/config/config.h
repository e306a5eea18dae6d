#pragma once
// The resolved settings of a snipe run. TOML is parsed at the edge (load_config) into
// these typed structs; validation happens in one place (validate_config); nothing deeper
// in the code looks settings up by string.
//
// Each section's option struct lives next to the code it configures; this file only
// gathers them. Later subsystems add their sections here.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "shared/core/log.h"
#include "shared/features/labels.h"
#include "shared/market/validation.h"

namespace snipe {

struct RunOptions {
  LogOptions log;  // level and format of log lines
};

enum class SourceKind { kCsv };

struct SourceOptions {
  SourceKind kind = SourceKind::kCsv;        // where candles come from
  std::filesystem::path csv_dir = "data/sample";  // csv source: one <token>.csv per token
};

struct OutputOptions {
  std::filesystem::path dir = "runs/demo";  // everything a run writes goes below here
};

struct Config {
  RunOptions run;
  SourceOptions source;
  ValidationOptions validation;
  LabelOptions labels;
  OutputOptions output;
};

// Parses TOML text; `origin` names it in messages. Unknown keys and wrongly typed values
// are errors (a typo must not silently fall back to a default). Relative paths stay
// relative to the working directory. Calls validate_config. Throws ConfigError.
Config parse_config(std::string_view toml_text, std::string_view origin);
Config load_config(const std::filesystem::path& path);

// Checks every range and cross-field rule; the message names origin, field, value and
// the accepted range. Throws ConfigError.
void validate_config(const Config& config, std::string_view origin);

// The resolved settings as TOML, for the log at start-up and the run directory.
std::string describe_config(const Config& config);

std::string_view source_kind_name(SourceKind kind);

}  // namespace snipe

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

#include "collector/net/net_options.h"
#include "collector/simulator/market_simulator.h"
#include "collector/sources/provider_options.h"
#include "shared/core/log.h"
#include "shared/features/labels.h"
#include "shared/market/validation.h"
#include "trainer/data/split_options.h"
#include "trainer/model/model_options.h"
#include "trainer/train/train_options.h"

namespace snipe {

struct RunOptions {
  LogOptions log;  // level and format of log lines
};

enum class SourceKind { kSynthetic, kBirdeye, kGeckoTerminal, kCsv };

struct SourceOptions {
  SourceKind kind = SourceKind::kSynthetic;  // where candles come from; synthetic needs no key
  std::filesystem::path csv_dir;             // csv source: one <token>.csv per token
};

struct BirdeyeConfig {
  collector::EndpointOptions endpoint{.base_url = "https://public-api.birdeye.so",
                                      .keys_env = "SNIPE_BIRDEYE_KEYS",
                                      .requests_per_second = 1.0,
                                      .requests_per_minute = 60.0};
  collector::BirdeyeOptions source;
};

struct GeckoTerminalConfig {
  collector::EndpointOptions endpoint{.base_url = "https://api.geckoterminal.com",
                                      .requests_per_second = 1.0,
                                      .requests_per_minute = 30.0};  // the API's global limit
  collector::GeckoTerminalOptions source;
};

struct OutputOptions {
  std::filesystem::path dir = "runs/demo";  // everything a run writes goes below here
};

struct Config {
  RunOptions run;
  SourceOptions source;
  collector::simulator::SimulatorOptions synthetic;
  BirdeyeConfig birdeye;
  GeckoTerminalConfig geckoterminal;
  collector::RetryOptions http;
  ValidationOptions validation;
  LabelOptions labels;
  // [split] reads train_fraction, val_fraction, embargo and whole_tokens only: split.window
  // and split.seed are not keys; the train job fills them from train.window and train.seed.
  trainer::SplitOptions split;
  // [model] reads the layer sizes and dropouts; the three *_features counts are not keys
  // (they are fixed by the data set).
  trainer::ModelOptions model;
  trainer::TrainOptions train;
  trainer::DistributedOptions distributed;
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

// The [model] rules alone (sizes >= 1, heads divides 2 * lstm2_hidden, dropouts in
// [0, 1)), for code that builds a model from options that did not come through a config.
// Messages read "origin: model.field = value must be <rule>". Throws ConfigError.
void validate_model_options(const trainer::ModelOptions& options, std::string_view origin);

// The resolved settings as TOML, for the log at start-up and the run directory.
std::string describe_config(const Config& config);

std::string_view source_kind_name(SourceKind kind);
// "synthetic" | "birdeye" | "geckoterminal" | "csv"; throws ConfigError.
SourceKind parse_source_kind(std::string_view name);

}  // namespace snipe

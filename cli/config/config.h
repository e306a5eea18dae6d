#pragma once
// The resolved settings of a snipe run, assembled at the edge. TOML is parsed here
// (load_config) into the typed option structs that each subsystem owns next to its code,
// with that subsystem's one validator (collector/source_options.h,
// collector/data_rules.h, trainer/*_options.h); validate_config calls them in turn, so
// every field has one rule, checked once. Nothing deeper in the code looks settings up by
// string, and nothing below cli/ includes this file: shared/, collector/ and trainer/
// take the structs they need.

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

#include "collector/source_options.h"
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

struct OutputOptions {
  std::filesystem::path dir = "runs/demo";  // everything a run writes goes below here
};

struct Config {
  RunOptions run;
  // [source], [synthetic], [birdeye], [geckoterminal] and [http]: source_config() hands
  // them to the collector.
  collector::SourceOptions source;
  collector::simulator::SimulatorOptions synthetic;  // interval_s is not a key (validation.interval_s)
  collector::BirdeyeConfig birdeye;
  collector::GeckoTerminalConfig geckoterminal;
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

// What make_source reads, with the simulator's bars at the data set's spacing
// (validation.interval_s).
collector::SourceConfig source_config(const Config& config);

// The resolved settings as TOML, for the log at start-up and the run directory.
std::string describe_config(const Config& config);

}  // namespace snipe

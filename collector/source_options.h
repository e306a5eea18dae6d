#pragma once
// Where candles come from, as the [source], [synthetic], [birdeye], [geckoterminal] and
// [http] sections give it: everything make_source (source_factory.h) reads, with its one
// validator. Plain data, so the config layer above can hold it without the sources.

#include <cstdint>
#include <filesystem>
#include <string_view>

#include "collector/net/net_options.h"
#include "collector/simulator/simulator_options.h"
#include "collector/sources/provider_options.h"

namespace snipe::collector {

enum class SourceKind { kSynthetic, kBirdeye, kGeckoTerminal, kCsv };

std::string_view source_kind_name(SourceKind kind);  // "synthetic" | "birdeye" | "geckoterminal" | "csv"
// The inverse of source_kind_name; throws ConfigError naming the known kinds.
SourceKind parse_source_kind(std::string_view name);

struct SourceOptions {
  SourceKind kind = SourceKind::kSynthetic;  // where candles come from; synthetic needs no key
  std::filesystem::path csv_dir;             // csv source: one <token>.csv per token
};

struct BirdeyeConfig {
  EndpointOptions endpoint{.base_url = "https://public-api.birdeye.so",
                           .keys_env = "SNIPE_BIRDEYE_KEYS",
                           .requests_per_second = 1.0,
                           .requests_per_minute = 60.0};
  BirdeyeOptions source;
};

struct GeckoTerminalConfig {
  EndpointOptions endpoint{.base_url = "https://api.geckoterminal.com",
                           .requests_per_second = 1.0,
                           .requests_per_minute = 30.0};  // the API's global limit
  GeckoTerminalOptions source;
};

struct SourceConfig {
  SourceOptions source;
  simulator::SimulatorOptions synthetic;  // synthetic.interval_s: the data set's bar spacing
  BirdeyeConfig birdeye;
  GeckoTerminalConfig geckoterminal;
  RetryOptions http;
};

// Every rule of those sections, each field checked once (the simulator's own rules come
// from simulator::validate_options). Messages read "origin: section.key = value must be
// <rule>". Throws ConfigError.
void validate_options(const SourceConfig& config, std::string_view origin);

}  // namespace snipe::collector

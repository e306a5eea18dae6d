#pragma once
// Settings of the HTTP market-data sources, apart from their classes so the config layer
// can hold them without pulling in the sources (see birdeye_source.h and
// geckoterminal_source.h for what each setting does).

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace snipe::collector {

struct BirdeyeOptions {
  std::string chain = "solana";      // x-chain header: solana, ethereum, base, bsc, ...
  std::vector<std::string> tokens;   // token addresses to collect; empty: discover
  std::size_t discover_limit = 100;  // most tokens taken from new_listing when `tokens` is empty
  bool discover_meme_platforms = true;  // new_listing also lists pump.fun launches (solana only)
  std::int64_t time_from = 0;       // first bar open time, Unix s; 0: the token's listing bar
  std::int64_t time_to = 0;         // last bar open time, Unix s; 0: last bar complete at `now`
  bool fetch_context = true;        // call /defi/token_security for context facts
  bool overview_liquidity = false;  // with fetch_context, also call /defi/token_overview: its
                                    // CURRENT liquidity becomes initial_liquidity_usd (leaks
                                    // rugs; only sound for tokens fetched right after launch)
};

struct GeckoTerminalOptions {
  std::string network = "solana";  // GeckoTerminal network id (solana, eth, base, bsc, ...)
  std::vector<std::string> pools;  // pool addresses to collect, each one token id
  int limit = 1000;                // rows per request, 1..1000 (the API's maximum)
};

}  // namespace snipe::collector

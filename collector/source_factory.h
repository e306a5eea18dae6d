#pragma once
// The one place that turns settings into a Source: the synthetic simulator (the embedded
// default), a CSV directory, or an HTTP provider with its key pool, rate limits and
// retries. The returned source owns everything it needs.

#include <memory>

#include "collector/source.h"
#include "collector/source_options.h"
#include "shared/comm/communicator.h"
#include "shared/core/env.h"

namespace snipe::collector {

// Collective over `comm` for HTTP sources (rank 0's clock is broadcast, so every rank asks
// for the same time range). Throws ConfigError for unusable settings (no key, bad directory).
// HTTP sources wait and read the time on `env.clock()`; `env` must outlive the source.
std::unique_ptr<Source> make_source(const SourceConfig& config, Communicator& comm, Env& env);

}  // namespace snipe::collector

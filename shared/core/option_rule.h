#pragma once
// The one shape of a settings rule, shared by every subsystem's validator: each subsystem
// owns its options struct and one validate_*() function that checks every field once;
// the assembled config (cli/config/) calls them in turn. A broken rule reads
//   "<origin>: <field> = <value> must be <rule>"
// where origin names the file or "the command line" and field the TOML key
// (section.key), so the user knows what to edit.

#include <string_view>

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe {

// Throws ConfigError unless `ok`.
template <class T>
void require_option(bool ok, std::string_view origin, std::string_view field, const T& value,
                    std::string_view rule) {
  if (!ok) throw ConfigError(fmt::format("{}: {} = {} must be {}", origin, field, value, rule));
}

}  // namespace snipe

#pragma once
// TokenContext <-> the shim's by-name context, for tests.

#include <string>

#include "shared/features/context.h"
#include "snipe/shim.h"

namespace snipe::testing {

inline shim::ContextValues context_values(const TokenContext& context) {
  shim::ContextValues values;
  for (std::size_t i = 0; i < kContextFieldCount; ++i) {
    values.emplace_back(std::string(kContextFieldNames[i]), context.fields[i]);
  }
  return values;
}

}  // namespace snipe::testing

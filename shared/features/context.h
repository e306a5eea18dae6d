#pragma once
// Static per-token context: facts about a token that do not change bar to bar, known at
// (or soon after) launch. Sources report what they know; a missing fact stays missing
// (std::nullopt) and reaches the model as a neutral 0 plus a mask feature set to 1,
// never as an invented value.

#include <array>
#include <cmath>
#include <cstddef>
#include <optional>
#include <string_view>

namespace snipe {

enum class ContextField : std::size_t {
  kInitialLiquidityUsd,      // pool liquidity at launch, USD
  kTop10HolderShare,         // fraction of supply held by the 10 largest holders, 0..1
  kMintAuthorityRevoked,     // 1 when no one can mint more supply, else 0
  kLpBurned,                 // 1 when the liquidity-pool tokens are burned (no rug pull by LP)
  kCreatorPreviousLaunches,  // tokens the creator launched before this one
  kAgeHours,                 // token age at its first collected candle, hours
  kCount
};
inline constexpr std::size_t kContextFieldCount = static_cast<std::size_t>(ContextField::kCount);
inline constexpr std::array<std::string_view, kContextFieldCount> kContextFieldNames = {
    "initial_liquidity_usd", "top10_holder_share",       "mint_authority_revoked",
    "lp_burned",             "creator_previous_launches", "age_hours"};

// Raw facts as reported, indexed by ContextField.
struct TokenContext {
  std::array<std::optional<double>, kContextFieldCount> fields{};

  std::optional<double>& operator[](ContextField f) { return fields[static_cast<std::size_t>(f)]; }
  const std::optional<double>& operator[](ContextField f) const {
    return fields[static_cast<std::size_t>(f)];
  }
  friend bool operator==(const TokenContext&, const TokenContext&) = default;
};

// Model inputs: kContextFieldCount values (log1p for liquidity, launches and age; the
// rest as they are; 0 when missing) followed by kContextFieldCount masks (1 = missing).
inline constexpr std::size_t kContextFeatureCount = 2 * kContextFieldCount;
inline constexpr std::array<std::string_view, kContextFeatureCount> kContextFeatureNames = {
    "log1p_initial_liquidity_usd", "top10_holder_share", "mint_authority_revoked",
    "lp_burned", "log1p_creator_previous_launches", "log1p_age_hours",
    "initial_liquidity_usd_missing", "top10_holder_share_missing",
    "mint_authority_revoked_missing", "lp_burned_missing",
    "creator_previous_launches_missing", "age_hours_missing"};

using ContextFeatureRow = std::array<double, kContextFeatureCount>;

inline ContextFeatureRow context_features(const TokenContext& context) {
  ContextFeatureRow row{};
  for (std::size_t i = 0; i < kContextFieldCount; ++i) {
    const auto& value = context.fields[i];
    const auto field = static_cast<ContextField>(i);
    const bool logged = field == ContextField::kInitialLiquidityUsd ||
                        field == ContextField::kCreatorPreviousLaunches ||
                        field == ContextField::kAgeHours;
    row[i] = !value ? 0.0 : (logged ? std::log1p(*value) : *value);
    row[kContextFieldCount + i] = value ? 0.0 : 1.0;
  }
  return row;
}

}  // namespace snipe

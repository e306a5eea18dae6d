#include "collector/net/keys.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <numeric>
#include <utility>
#include <tuple>

#include <fmt/format.h>
#include <spdlog/spdlog.h>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"
#include "shared/core/errors.h"

namespace snipe::collector {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r'))
    s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool valid_account(std::string_view account) {
  return !account.empty() && std::all_of(account.begin(), account.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
           c == '-' || c == '.';
  });
}

bool valid_secret(std::string_view secret) {
  return !secret.empty() && std::all_of(secret.begin(), secret.end(), [](char c) {
    return c > ' ' && c < 0x7f;  // printable ASCII, no space
  });
}

// FNV-1a, 32 bits: a stable name for a bare key's account that reveals nothing useful.
std::string fingerprint_account(std::string_view secret) {
  std::uint32_t hash = 2166136261u;
  for (const char c : secret) {
    hash ^= static_cast<unsigned char>(c);
    hash *= 16777619u;
  }
  return fmt::format("key-{:08x}", hash);
}

// One "account:key" or bare "key" entry; `where` ("keys.txt:3") prefixes every error.
// Messages describe the problem, never the entry's text.
ApiKey parse_entry(std::string_view entry, const std::string& where) {
  const std::size_t colon = entry.find(':');
  if (colon == std::string_view::npos) {
    if (!valid_secret(entry)) {
      throw DataError(
          fmt::format("{}: API key contains spaces or non-printable characters", where));
    }
    return {fingerprint_account(entry), std::string(entry)};
  }
  const std::string_view account = trim(entry.substr(0, colon));
  const std::string_view secret = trim(entry.substr(colon + 1));
  if (!valid_account(account)) {
    throw DataError(fmt::format(
        "{}: bad account name before ':' (use letters, digits, '_', '-', '.'); expected "
        "'account:key' or a bare key",
        where));
  }
  if (!valid_secret(secret)) {
    throw DataError(fmt::format(
        "{}: API key after ':' is empty or contains spaces or non-printable characters", where));
  }
  return {std::string(account), std::string(secret)};
}

// Appends `key` unless its secret is already listed (then DataError naming both places).
void add_key(std::vector<ApiKey>& keys, std::vector<std::string>& origins, ApiKey key,
             std::string where) {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].secret == key.secret) {
      throw DataError(fmt::format("{}: the same API key is already listed at {}; remove one", where,
                                  origins[i]));
    }
  }
  keys.push_back(std::move(key));
  origins.push_back(std::move(where));
}

void load_from_env(const std::string& env_var, std::vector<ApiKey>& keys,
                   std::vector<std::string>& origins) {
  const char* value = env_var.empty() ? nullptr : std::getenv(env_var.c_str());
  if (value == nullptr) return;
  std::string_view rest(value);
  for (int index = 1; !rest.empty(); ++index) {
    const std::size_t comma = rest.find(',');
    const std::string_view entry = trim(rest.substr(0, comma));
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    if (entry.empty()) continue;
    std::string where = fmt::format("environment variable {} entry {}", env_var, index);
    ApiKey key = parse_entry(entry, where);  // before `where` is moved from: argument
                                              // evaluation order is unspecified
    add_key(keys, origins, std::move(key), std::move(where));
  }
}

void warn_if_readable_by_others(const std::filesystem::path& key_file) {
  std::error_code error;
  const auto perms = std::filesystem::status(key_file, error).permissions();
  using P = std::filesystem::perms;
  if (!error && (perms & (P::group_read | P::others_read)) != P::none) {
    spdlog::warn("key file {} is readable by other users; consider chmod 600", key_file.string());
  }
}

void load_from_file(const std::filesystem::path& key_file, std::vector<ApiKey>& keys,
                    std::vector<std::string>& origins) {
  if (key_file.empty()) return;
  std::string text;
  try {
    text = read_file(key_file);
  } catch (const IoError& e) {
    throw ConfigError(
        fmt::format("cannot read the API key file: {}; check the key file path", e.what()));
  }
  warn_if_readable_by_others(key_file);
  csv::LineReader lines(text);
  while (const auto line = lines.next()) {
    const std::string_view entry = trim(*line);
    if (entry.starts_with('#')) continue;
    std::string where = fmt::format("{}:{}", key_file.string(), lines.line_number());
    ApiKey key = parse_entry(entry, where);  // before `where` is moved from: argument
                                              // evaluation order is unspecified
    add_key(keys, origins, std::move(key), std::move(where));
  }
}

// Keys sorted by account then key, then interleaved across accounts (every account's first
// key, then every account's second key, ...): consecutive slots go to different accounts,
// so each account spreads over as many ranks as possible and budgets can be balanced.
std::vector<ApiKey> dealing_order(std::vector<ApiKey> keys) {
  std::sort(keys.begin(), keys.end(), [](const ApiKey& a, const ApiKey& b) {
    return std::tie(a.account, a.secret) < std::tie(b.account, b.secret);
  });
  std::vector<std::pair<std::size_t, std::size_t>> position;  // [keys] (index in account, order)
  for (std::size_t i = 0, in_account = 0; i < keys.size(); ++i) {
    in_account = i > 0 && keys[i].account == keys[i - 1].account ? in_account + 1 : 0;
    position.emplace_back(in_account, i);
  }
  std::sort(position.begin(), position.end());
  std::vector<ApiKey> order;
  for (const auto& [in_account, i] : position) order.push_back(keys[i]);
  return order;
}

// Distinct account names, sorted.
std::vector<std::string> account_names(const std::vector<ApiKey>& keys) {
  std::vector<std::string> names;
  for (const ApiKey& key : keys) names.push_back(key.account);
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

using BudgetMatrix = std::vector<std::vector<double>>;  // [rank][account] share of the limits

// Each account's column sums to 1 (accounts no rank holds stay 0).
void normalise_accounts(BudgetMatrix& budget) {
  for (std::size_t a = 0; a < budget[0].size(); ++a) {
    double sum = 0.0;
    for (const auto& row : budget) sum += row[a];
    if (sum > 0.0) {
      for (auto& row : budget) row[a] /= sum;
    }
  }
}

// Zeroes fractions under 1% of their account's largest one, then renormalises: balancing
// converges toward 0 for a rank that should not use an account, and a crumb of budget
// would still buy a full token burst at start-up (buckets hold at least one token).
void drop_crumbs(BudgetMatrix& budget) {
  constexpr double kCrumb = 0.01;
  for (std::size_t a = 0; a < budget[0].size(); ++a) {
    double largest = 0.0;
    for (const auto& row : budget) largest = std::max(largest, row[a]);
    for (auto& row : budget) {
      if (row[a] < kCrumb * largest) row[a] = 0.0;
    }
  }
  normalise_accounts(budget);
}

// Turns slot counts into fractions that give every rank the same total budget where the
// key layout allows it (iterative proportional fitting: scale ranks toward the mean total,
// renormalise accounts). A rank only ever gets budget on accounts it holds a key of, and
// the last step is an account normalisation, so every account's fractions sum to 1.
void balance_budgets(BudgetMatrix& budget) {
  constexpr int kRounds = 200;  // converges geometrically; 200 rounds of S x A are free
  normalise_accounts(budget);
  for (int round = 0; round < kRounds; ++round) {
    double all = 0.0;
    for (const auto& row : budget) all += std::accumulate(row.begin(), row.end(), 0.0);
    const double mean = all / static_cast<double>(budget.size());
    for (auto& row : budget) {
      const double total = std::accumulate(row.begin(), row.end(), 0.0);
      if (total > 0.0) {
        for (double& f : row) f *= mean / total;
      }
    }
    normalise_accounts(budget);
  }
  drop_crumbs(budget);
}

}  // namespace

std::string mask_key(std::string_view key) {
  constexpr std::size_t kVisible = 4;
  if (key.size() <= kVisible) return std::string(key.size(), '*');
  std::string masked(key.size() - kVisible, '*');
  masked.append(key.substr(key.size() - kVisible));
  return masked;
}

std::vector<ApiKey> load_keys(const std::string& env_var, const std::filesystem::path& key_file) {
  std::vector<ApiKey> keys;
  std::vector<std::string> origins;  // [keys] where each key was found, for duplicate errors
  load_from_env(env_var, keys, origins);
  load_from_file(key_file, keys, origins);
  return keys;
}

RankKeyShare share_keys(const std::vector<ApiKey>& keys, int rank, int size) {
  if (size < 1 || rank < 0 || rank >= size) {
    throw ConfigError(
        fmt::format("share_keys: rank {} is outside 0..size-1 (size {})", rank, size));
  }
  RankKeyShare share;
  if (keys.empty()) {
    share.account_budget_fraction[std::string(kAnonymousAccount)] = 1.0 / size;
    return share;
  }
  const std::vector<ApiKey> order = dealing_order(keys);
  const std::vector<std::string> accounts = account_names(order);
  const std::size_t ranks = static_cast<std::size_t>(size);
  BudgetMatrix budget(ranks, std::vector<double>(accounts.size(), 0.0));
  for (std::size_t slot = 0; slot < std::max(order.size(), ranks); ++slot) {
    const ApiKey& key = order[slot % order.size()];
    const std::size_t a = static_cast<std::size_t>(
        std::lower_bound(accounts.begin(), accounts.end(), key.account) - accounts.begin());
    budget[slot % ranks][a] += 1.0;
    if (slot % ranks == static_cast<std::size_t>(rank)) share.keys.push_back(key);
  }
  balance_budgets(budget);
  for (std::size_t a = 0; a < accounts.size(); ++a) {
    const double fraction = budget[static_cast<std::size_t>(rank)][a];
    if (fraction > 0.0) share.account_budget_fraction[accounts[a]] = fraction;
  }
  return share;
}

}  // namespace snipe::collector

#pragma once
// API keys: loading (environment or key file, never the command line), masking for logs,
// and the split of a key set across MPI ranks.
//
// Providers limit requests per account, not per key, so every key belongs to an account
// and rate budgets are per account. Each rank owns a slice of the keys and a fraction of
// each of its accounts' limits; across all ranks the fractions of an account add up to 1.

#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace snipe::collector {

struct ApiKey {
  std::string account;  // limits are shared by every key of one account
  std::string secret;   // never logged or put in a message: use mask_key()
  friend bool operator==(const ApiKey&, const ApiKey&) = default;
};

// All but the last 4 characters replaced by '*'; keys of 4 characters or fewer are fully
// masked. The length is kept. "abcdef123456" -> "********3456".
std::string mask_key(std::string_view key);

// Keys from the environment variable `env_var` (skipped when the name is empty or the
// variable is unset or empty) followed by those in `key_file` (skipped when the path is
// empty). Env format: "account:key,account:key"; file format: one `account:key` per line,
// '#' comment lines and blank lines ignored. A bare key (no ':') is an account of its own,
// named "key-" + a hash of the key, so the name can be logged without revealing the key.
// Account names use letters, digits, '_', '-', '.'; keys are printable, without spaces.
// Throws ConfigError when the file cannot be read and DataError on a bad entry or a key
// listed twice; messages name the file and line (or variable and entry), never the key.
// There is deliberately no way to pass keys on the command line (argv is visible to
// every user of the machine through `ps`).
std::vector<ApiKey> load_keys(const std::string& env_var, const std::filesystem::path& key_file);

// Account name used by providers without keys (GeckoTerminal): one budget for everyone.
inline constexpr std::string_view kAnonymousAccount = "anonymous";

// What one rank may use.
struct RankKeyShare {
  std::vector<ApiKey> keys;                               // this rank's keys, in slot order
  std::map<std::string, double> account_budget_fraction;  // account -> share of its limits, (0, 1];
                                                          // absent: this rank must not use it
};

// Splits `keys` across `size` ranks; deterministic whatever the input order.
// Keys are dealt in slots: sorted by account and key, interleaved across accounts (each
// account's 1st key, then each account's 2nd key, ...), and slot i = 0 .. max(K, size)-1
// gives key i % K to rank i % size. So:
//  * K >= size: every rank gets a disjoint, non-empty slice;
//  * K <  size: every rank gets exactly one key, keys shared round-robin.
// Budget: each account's limits are divided among the ranks holding its keys, starting
// from their slot counts and then evened out so every rank gets the same total budget
// where the layout allows (iterative proportional fitting; shares under 1% of the
// account's largest are dropped). Every account's fractions sum to 1 over the ranks (up
// to rounding); a rank gets budget only on accounts it holds a key of, but may hold a key
// of an account it gets no budget for (that key then stays unused on this rank).
// No keys (a keyless provider): no keys, and kAnonymousAccount with fraction 1/size.
// Throws ConfigError unless 0 <= rank < size.
RankKeyShare share_keys(const std::vector<ApiKey>& keys, int rank, int size);

}  // namespace snipe::collector

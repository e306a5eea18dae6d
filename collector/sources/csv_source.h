#pragma once
// Candles from a directory of CSV dumps: one `<token>.csv` per token
// (timestamp,open,high,low,close,volume) and an optional `context.csv` with a `token`
// column plus any of the context field names of shared/features/context.h. An empty or
// absent context cell stays unknown; it is never filled in here.

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "collector/source.h"

namespace snipe::collector {

class CsvSource final : public Source {
 public:
  // Lists the directory once; throws ConfigError when it is missing or holds no CSV.
  explicit CsvSource(std::filesystem::path dir);

  std::string_view kind() const override { return "csv"; }
  std::vector<std::string> list_tokens() override { return tokens_; }  // sorted file stems
  FetchedSeries fetch(const std::string& token, std::int64_t after) override;
  // Stateless: everything it serves follows from its settings.
  std::string snapshot() const override { return "{}"; }
  void restore(const std::string& /*snapshot*/) override {}

 private:
  std::filesystem::path dir_;
  std::vector<std::string> tokens_;
  std::map<std::string, TokenContext, std::less<>> context_;  // by token
};

// Parses context.csv text; `origin` names it in errors (file:line, column).
std::map<std::string, TokenContext, std::less<>> parse_context_csv(std::string_view text,
                                                                   std::string_view origin);

}  // namespace snipe::collector

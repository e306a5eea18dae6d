// `snipe predict`: JSON lines from a candle CSV, as a user runs it.

#include <cstdio>

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/market/candle_csv.h"
#include "shim/src/model_inputs.h"
#include "snipe/shim.h"
#include "tests/shim/token_context.h"
#include "tests/shim/trained_export.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"

namespace snipe::shim {
namespace {

using nlohmann::json;
using snipe::testing::TempDir;
using snipe::testing::trained_export;

struct CliRun {
  int status = 0;
  std::vector<json> lines;  // stdout, one JSON document per line
  std::string err;
};

CliRun predict(const std::string& args, const TempDir& dir) {
  const std::string err_file = (dir / "stderr.txt").string();
  const std::string command = std::string(SNIPE_BINARY) + " predict --model " +
                              trained_export().export_dir.string() + " " + args + " 2>" + err_file;
  CliRun run;
  FILE* out = ::popen(command.c_str(), "r");
  std::string text;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, out)) > 0;) text.append(buffer, n);
  const int status = ::pclose(out);
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::istringstream lines(text);
  for (std::string line; std::getline(lines, line);) run.lines.push_back(json::parse(line));
  run.err = read_file(err_file);
  return run;
}

TEST(PredictCli, PrintsTheLastWindowsPredictionAsTheShimDoes) {
  const TempDir dir;
  const CandleSeries candles = snipe::testing::random_walk(120, 21, 0.3);
  write_candles_csv(dir / "token.csv", candles);
  write_file_atomically(dir / "context.json",
                        R"({"initial_liquidity_usd": 12000, "top10_holder_share": 0.35, "mint_authority_revoked": 1,
                            "lp_burned": null, "creator_previous_launches": 2, "age_hours": null})");
  const CliRun run = predict(fmt::format("--csv {} --context {}", (dir / "token.csv").string(),
                                      (dir / "context.json").string()), dir);
  ASSERT_EQ(run.status, 0) << run.err;
  ASSERT_EQ(run.lines.size(), 1u);

  TokenContext facts;
  facts[ContextField::kInitialLiquidityUsd] = 12000;
  facts[ContextField::kTop10HolderShare] = 0.35;
  facts[ContextField::kMintAuthorityRevoked] = 1;
  facts[ContextField::kCreatorPreviousLaunches] = 2;
  const Prediction want = Shim(trained_export().export_dir, {.watch = false})
                              .predict({shim_candles(candles), snipe::testing::context_values(facts)});
  const json& line = run.lines[0];
  EXPECT_EQ(line["timestamp"], candles.back().timestamp);
  EXPECT_EQ(line["profitable_prob"].get<double>(), want.profitable_prob);
  EXPECT_EQ(line["max_profit"].get<double>(), want.max_profit);
  EXPECT_EQ(line["rug_prob"].get<double>(), want.rug_prob);
  EXPECT_EQ(line["model_version"], "export");
  EXPECT_EQ(run.err, "") << "a utility command prints its result, not its settings";
}

TEST(PredictCli, AllPrintsEveryWindowEndInOrder) {
  const TempDir dir;
  const CandleSeries candles = snipe::testing::random_walk(200, 22, 5.0);
  write_candles_csv(dir / "token.csv", candles);
  const CliRun all = predict("--all --csv " + (dir / "token.csv").string(), dir);
  ASSERT_EQ(all.status, 0) << all.err;
  const std::size_t first = trained_export().window + 49 - 1;  // first row a window can end at
  ASSERT_EQ(all.lines.size(), candles.size() - first);
  for (std::size_t k = 0; k < all.lines.size(); ++k) {
    ASSERT_EQ(all.lines[k]["timestamp"], candles[first + k].timestamp) << k;
  }
  const CliRun last = predict("--csv " + (dir / "token.csv").string(), dir);
  ASSERT_EQ(last.lines.size(), 1u);
  // The last window of --all is the plain prediction (batched rows round differently: 1e-6).
  EXPECT_EQ(all.lines.back()["timestamp"], last.lines[0]["timestamp"]);
  for (const char* head : {"profitable_prob", "max_profit", "rug_prob"}) {
    EXPECT_NEAR(all.lines.back()[head].get<double>(), last.lines[0][head].get<double>(), 1e-6) << head;
  }
  EXPECT_NE(all.lines[0]["profitable_prob"], all.lines[70]["profitable_prob"]);
}

TEST(PredictCli, BadInputFailsWithTheFileAndTheReason) {
  const TempDir dir;
  write_candles_csv(dir / "short.csv", snipe::testing::random_walk(30, 23));
  const CliRun short_run = predict("--csv " + (dir / "short.csv").string(), dir);
  EXPECT_EQ(short_run.status, 1);
  EXPECT_NE(short_run.err.find("short.csv"), std::string::npos) << short_run.err;
  EXPECT_NE(short_run.err.find("at least"), std::string::npos) << short_run.err;

  write_candles_csv(dir / "token.csv", snipe::testing::random_walk(120, 24));
  write_file_atomically(dir / "context.json", R"({"initial_liquidity_usd": 5})");
  const CliRun partial = predict(fmt::format("--csv {} --context {}", (dir / "token.csv").string(),
                                          (dir / "context.json").string()), dir);
  EXPECT_EQ(partial.status, 1);
  EXPECT_NE(partial.err.find("missing context field 'top10_holder_share'"), std::string::npos) << partial.err;
}

}  // namespace
}  // namespace snipe::shim

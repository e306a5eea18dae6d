// The C ABI: the same predictions as the C++ API, a status and message for every refusal,
// no exception across it, and the thread-local last error.

#include "snipe/snipe_shim.h"

#include <cmath>
#include <limits>
#include <thread>

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/features/context.h"
#include "snipe/shim.h"
#include "tests/shim/token_context.h"
#include "tests/shim/registry.h"
#include "tests/shim/trained_export.h"
#include "tests/support/series.h"
#include "tests/support/temp_dir.h"

namespace snipe::shim {
namespace {

using snipe::testing::trained_export;

// A C caller's token: candles and context fields it owns.
struct CToken {
  std::vector<snipe_candle> candles;
  std::vector<snipe_context_field> context;
  snipe_token view() const { return {candles.data(), candles.size(), context.data(), context.size()}; }
};

CToken c_token(std::size_t bars, std::uint32_t seed) {
  CToken token;
  for (const snipe::Candle& c : snipe::testing::random_walk(bars, seed, 0.02)) {
    token.candles.push_back({c.timestamp, c.open, c.high, c.low, c.close, c.volume});
  }
  for (const std::string_view name : kContextFieldNames) token.context.push_back({name.data(), 0.0, 0});
  token.context[0] = {"initial_liquidity_usd", 30'000.0, 1};
  return token;
}

struct ShimHandle {
  explicit ShimHandle(const char* dir) {
    snipe_shim_options options;
    snipe_shim_default_options(&options);
    options.watch = 0;
    status = snipe_shim_open(dir, &options, &handle);
  }
  ~ShimHandle() { snipe_shim_close(handle); }
  snipe_shim* handle = nullptr;
  int status = SNIPE_OK;
};

const std::string& export_dir() {
  static const std::string dir = trained_export().export_dir.string();
  return dir;
}

// The status and message of predicting `token`.
std::pair<int, std::string> refusal(const CToken& token) {
  const ShimHandle shim(export_dir().c_str());
  snipe_prediction out;
  const snipe_token view = token.view();
  const int status = snipe_shim_predict(shim.handle, &view, &out);
  EXPECT_EQ(std::string(out.error), std::string(snipe_last_error()));
  return {status, out.error};
}

TEST(ShimCApi, PredictsWhatTheCppApiPredicts) {
  const ShimHandle shim(export_dir().c_str());
  ASSERT_NE(shim.handle, nullptr) << snipe_last_error();
  const CToken token = c_token(150, 1);
  const snipe_token view = token.view();
  snipe_prediction out;
  ASSERT_EQ(snipe_shim_predict(shim.handle, &view, &out), SNIPE_OK) << snipe_last_error();

  ContextValues context = snipe::testing::context_values(TokenContext{});
  context[0].second = 30'000.0;
  const Prediction want =
      Shim(export_dir(), {.watch = false})
          .predict({CandleSpan(reinterpret_cast<const Candle*>(token.candles.data()), token.candles.size()), context});
  EXPECT_EQ(out.profitable_prob, want.profitable_prob);
  EXPECT_EQ(out.max_profit, want.max_profit);
  EXPECT_EQ(out.rug_prob, want.rug_prob);
  EXPECT_STREQ(out.model_version, "export");
  EXPECT_EQ(out.status, SNIPE_OK);

  snipe_shim_status status;
  ASSERT_EQ(snipe_shim_get_status(shim.handle, &status), SNIPE_OK);
  EXPECT_STREQ(status.serving, "export");
  EXPECT_EQ(status.window, trained_export().window);
  EXPECT_EQ(status.min_candles, trained_export().window + 49);
  EXPECT_EQ(status.loads, 1u);
}

TEST(ShimCApi, TooFewCandlesIsAnInputErrorNamingTheMinimum) {
  const auto [status, message] = refusal(c_token(trained_export().window + 48, 2));
  EXPECT_EQ(status, SNIPE_ERROR_INPUT);
  EXPECT_NE(message.find(fmt::format("at least {}", trained_export().window + 49)), std::string::npos) << message;
}

TEST(ShimCApi, NaNUnsortedAndMissingContextAreInputErrors) {
  CToken nan = c_token(150, 3);
  nan.candles[99].close = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(refusal(nan).first, SNIPE_ERROR_INPUT);
  EXPECT_NE(refusal(nan).second.find("candle 99"), std::string::npos);

  CToken unsorted = c_token(150, 3);
  std::swap(unsorted.candles[10], unsorted.candles[11]);
  EXPECT_NE(refusal(unsorted).second.find("timestamp_backwards"), std::string::npos);

  CToken missing = c_token(150, 3);
  missing.context.pop_back();
  EXPECT_NE(refusal(missing).second.find("missing context field 'age_hours'"), std::string::npos);
}

TEST(ShimCApi, ABatchMarksTheRefusedTokenAndPredictsTheRest) {
  const ShimHandle shim(export_dir().c_str());
  const CToken good = c_token(150, 4), bad = c_token(20, 5);
  const snipe_token tokens[] = {good.view(), bad.view(), good.view()};
  snipe_prediction out[3];
  EXPECT_EQ(snipe_shim_predict_batch(shim.handle, tokens, 3, out), SNIPE_ERROR_INPUT);
  EXPECT_EQ(out[0].status, SNIPE_OK);
  EXPECT_EQ(out[1].status, SNIPE_ERROR_INPUT);
  EXPECT_NE(std::string(out[1].error).find("token 1: 20 candles"), std::string::npos) << out[1].error;
  EXPECT_EQ(out[2].status, SNIPE_OK);
  EXPECT_EQ(out[0].profitable_prob, out[2].profitable_prob);
}

TEST(ShimCApi, ModelDirectoriesThatCannotBeServedAreModelErrorsWithTheReason) {
  snipe_shim* handle = reinterpret_cast<snipe_shim*>(0x1);
  EXPECT_EQ(snipe_shim_open(nullptr, nullptr, &handle), SNIPE_ERROR_ARGUMENT);
  EXPECT_EQ(handle, nullptr) << "a failed open leaves no handle";
  EXPECT_NE(std::string(snipe_last_error()).find("model_dir and out must not be NULL"), std::string::npos);
  EXPECT_EQ(snipe_shim_open("/nonexistent/snipe/models", nullptr, &handle), SNIPE_ERROR_MODEL);
  EXPECT_NE(std::string(snipe_last_error()).find("/nonexistent/snipe/models"), std::string::npos);

  const snipe::testing::TempDir dir;
  const snipe::testing::Registry registry(dir / "models");
  const auto copy = registry.add("v1", trained_export().export_dir);
  nlohmann::json metadata = nlohmann::json::parse(read_file(copy / kExportMetadataFile));
  metadata["schema_version"] = 99;
  write_file_atomically(copy / kExportMetadataFile, metadata.dump());
  const ShimHandle wrong(copy.c_str());
  EXPECT_EQ(wrong.status, SNIPE_ERROR_MODEL);
  EXPECT_EQ(wrong.handle, nullptr);
  EXPECT_NE(std::string(snipe_last_error()).find("schema_version is 99"), std::string::npos) << snipe_last_error();
}

TEST(ShimCApi, NullArgumentsAreRefusedAndTheLastErrorIsPerThread) {
  const ShimHandle shim(export_dir().c_str());
  snipe_prediction out;
  EXPECT_EQ(snipe_shim_predict(shim.handle, nullptr, &out), SNIPE_ERROR_ARGUMENT);
  EXPECT_EQ(snipe_shim_predict(nullptr, nullptr, nullptr), SNIPE_ERROR_ARGUMENT);
  EXPECT_EQ(snipe_shim_reload(nullptr), SNIPE_ERROR_ARGUMENT);
  const std::string mine = snipe_last_error();
  std::thread other([&] {
    const CToken token = c_token(10, 6);
    const snipe_token view = token.view();
    snipe_prediction o;
    EXPECT_EQ(snipe_shim_predict(shim.handle, &view, &o), SNIPE_ERROR_INPUT);
  });
  other.join();
  EXPECT_EQ(snipe_last_error(), mine) << "another thread's error must not replace this thread's";
  const CToken token = c_token(150, 7);
  const snipe_token view = token.view();
  EXPECT_EQ(snipe_shim_predict(shim.handle, &view, &out), SNIPE_OK);
  EXPECT_STREQ(snipe_last_error(), "") << "a successful call clears the last error";
}

}  // namespace
}  // namespace snipe::shim

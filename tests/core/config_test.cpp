#include "shared/config/config.h"

#include <string>

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe {
namespace {

// The message of the ConfigError that parsing `text` throws ("" when none is thrown).
std::string config_error(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  const Config config = parse_config("", "empty.toml");
  EXPECT_EQ(config.validation.interval_s, 300);
  EXPECT_EQ(config.labels.horizon, 24u);
  EXPECT_DOUBLE_EQ(config.validation.spike_ratio, 10.0);
  EXPECT_EQ(config.run.log.format, LogFormat::kText);
}

TEST(Config, ReadsEverySection) {
  const Config config = parse_config(R"(
    [run]
    log_level = "debug"
    log_format = "json"
    [source]
    kind = "csv"
    csv_dir = "/data/dumps"
    [synthetic]
    seed = 5
    tokens = 3
    [birdeye]
    keys_env = "MY_KEYS"
    tokens = ["So11", "Bonk"]
    requests_per_minute = 120
    fetch_context = false
    [geckoterminal]
    network = "base"
    pools = ["0xpool"]
    [http]
    max_attempts = 2
    [validation]
    interval_s = 60
    max_gap_intervals = 3
    [labels]
    horizon = 6
    take_profit = 0.5
    stop_loss = 0.25
    rug_drop = 0.9
    [output]
    dir = "/tmp/run"
  )", "full.toml");
  EXPECT_EQ(config.run.log.level, spdlog::level::debug);
  EXPECT_EQ(config.run.log.format, LogFormat::kJsonLines);
  EXPECT_EQ(config.source.kind, SourceKind::kCsv);
  EXPECT_EQ(config.source.csv_dir, "/data/dumps");
  EXPECT_EQ(config.synthetic.seed, 5u);
  EXPECT_EQ(config.synthetic.tokens, 3u);
  EXPECT_EQ(config.birdeye.endpoint.keys_env, "MY_KEYS");
  EXPECT_EQ(config.birdeye.source.tokens, (std::vector<std::string>{"So11", "Bonk"}));
  EXPECT_DOUBLE_EQ(config.birdeye.endpoint.requests_per_minute, 120.0);
  EXPECT_FALSE(config.birdeye.source.fetch_context);
  EXPECT_EQ(config.geckoterminal.source.network, "base");
  EXPECT_EQ(config.geckoterminal.source.pools, (std::vector<std::string>{"0xpool"}));
  EXPECT_EQ(config.http.max_attempts, 2);
  EXPECT_EQ(config.validation.interval_s, 60);
  EXPECT_DOUBLE_EQ(config.validation.max_gap_intervals, 3.0) << "an integer is a valid number";
  EXPECT_EQ(config.labels.horizon, 6u);
  EXPECT_DOUBLE_EQ(config.labels.rug_drop, 0.9);
  EXPECT_EQ(config.output.dir, "/tmp/run");
}

TEST(Config, UnknownKeyIsRejectedWithItsLineAndTheKnownKeys) {
  const std::string message = config_error("[labels]\nhorizon = 5\nhorizn = 6\n");
  EXPECT_NE(message.find("test.toml:3"), std::string::npos) << message;
  EXPECT_NE(message.find("'horizn'"), std::string::npos) << message;
  EXPECT_NE(message.find("horizon"), std::string::npos) << message;
}

TEST(Config, UnknownSectionIsRejected) {
  EXPECT_NE(config_error("[lables]\nhorizon = 5\n").find("unknown section 'lables'"),
            std::string::npos);
}

TEST(Config, WrongTypeNamesFieldAndExpectedType) {
  const std::string message = config_error("[labels]\nhorizon = \"24\"\n");
  EXPECT_NE(message.find("labels.horizon must be an integer"), std::string::npos) << message;
}

TEST(Config, OutOfRangeValueNamesFieldValueAndRule) {
  const std::string message = config_error("[labels]\nstop_loss = 1.5\n");
  EXPECT_NE(message.find("labels.stop_loss = 1.5 must be in (0, 1)"), std::string::npos)
      << message;
  EXPECT_NE(config_error("[validation]\nmin_candles = -3\n").find("must not be negative"),
            std::string::npos);
  EXPECT_NE(config_error("[validation]\ninterval_s = 0\n").find("validation.interval_s = 0"),
            std::string::npos);
}

TEST(Config, CrossFieldRuleRugDeeperThanStopLoss) {
  EXPECT_NE(config_error("[labels]\nstop_loss = 0.5\nrug_drop = 0.3\n").find("labels.rug_drop"),
            std::string::npos);
}

TEST(Config, MinCandlesMustLeaveRoomForWarmupAndHorizon) {
  // 49 warm-up rows + a 24-candle horizon + 1: shorter accepted series yield no example.
  const std::string message = config_error("[validation]\nmin_candles = 60\n");
  EXPECT_NE(message.find("validation.min_candles = 60 must be >= 74"), std::string::npos) << message;
  EXPECT_EQ(config_error("[validation]\nmin_candles = 74\n"), "");
}

TEST(Config, SourceSpecificRequirements) {
  EXPECT_NE(config_error("[source]\nkind = \"csv\"\n").find("source.csv_dir"), std::string::npos);
  EXPECT_NE(config_error("[source]\nkind = \"geckoterminal\"\n").find("geckoterminal.pools"),
            std::string::npos);
  EXPECT_NE(config_error("[birdeye]\nbase_url = \"ftp://x\"\n").find("birdeye.base_url"),
            std::string::npos);
  EXPECT_NE(config_error("[synthetic]\nmin_candles = 500\nmax_candles = 400\n").find("synthetic.max_candles"),
            std::string::npos);
  EXPECT_NE(config_error("[http]\nbackoff_base_ms = 100\nbackoff_cap_ms = 50\n").find("http.backoff_cap_ms"),
            std::string::npos);
}

TEST(Config, WarnIsAcceptedAsTheUsualSpellingOfWarning) {
  EXPECT_EQ(parse_config("[run]\nlog_level = \"warn\"\n", "t.toml").run.log.level, spdlog::level::warn);
}

TEST(Config, BadEnumValueNamesTheField) {
  const std::string message = config_error("[run]\nlog_format = \"xml\"\n");
  EXPECT_NE(message.find("run.log_format"), std::string::npos) << message;
  EXPECT_NE(config_error("[source]\nkind = \"ftp\"\n").find("source.kind"), std::string::npos);
  EXPECT_NE(config_error("[birdeye]\ntokens = \"So11\"\n").find("birdeye.tokens must be an array of strings"),
            std::string::npos);
}

TEST(Config, SyntaxErrorGivesLineAndColumn) {
  EXPECT_NE(config_error("[run]\nseed = = 1\n").find("test.toml:2:"), std::string::npos);
}

TEST(Config, DescribedConfigParsesBackToTheSameSettings) {
  Config original;
  original.run.log.format = LogFormat::kJsonLines;
  original.validation.spike_ratio = 4.5;
  original.birdeye.source.tokens = {"a\"quoted\"", "b"};
  original.synthetic.end_timestamp = 1767300000;
  original.labels.horizon = 7;
  original.output.dir = "somewhere/else";
  const Config again = parse_config(describe_config(original), "described.toml");
  EXPECT_EQ(again.run.log.format, LogFormat::kJsonLines);
  EXPECT_DOUBLE_EQ(again.validation.spike_ratio, 4.5);
  EXPECT_EQ(again.labels.horizon, 7u);
  EXPECT_EQ(again.output.dir, "somewhere/else");
  EXPECT_EQ(again.birdeye.source.tokens, original.birdeye.source.tokens);
  EXPECT_EQ(again.synthetic.end_timestamp, 1767300000);
  EXPECT_EQ(describe_config(again), describe_config(original));
}

TEST(Config, ShippedConfigsLoad) {
  // Tests run from the repository root (see tests/CMakeLists.txt).
  const Config demo = load_config("configs/demo.toml");
  EXPECT_EQ(demo.source.kind, SourceKind::kSynthetic) << "the main job runs without an API key";
  const Config tiny = load_config("configs/tiny.toml");
  EXPECT_LT(tiny.labels.horizon, demo.labels.horizon);
}

TEST(Config, MissingFileTellsWhatToDo) {
  try {
    load_config("configs/absent.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("configs/absent.toml"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos);
  }
}

}  // namespace
}  // namespace snipe

// End-to-end checks of the `snipe` executable: exit codes, files written, messages.

#include <sys/wait.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <regex>
#include <sstream>

#include <gtest/gtest.h>
#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/core/csv.h"
#include "shared/features/indicators.h"
#include "shared/market/candle_csv.h"

namespace snipe {
namespace {

namespace fs = std::filesystem;

struct Result {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() /
           (std::string("snipe-cli-") + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // Runs `snipe <args>` from the repository root (the test's working directory).
  Result snipe(const std::string& args) const {
    const fs::path out = dir_ / "stdout.txt", err = dir_ / "stderr.txt";
    const std::string command = std::string(SNIPE_BINARY) + " " + args + " >" + out.string() +
                                " 2>" + err.string();
    const int status = std::system(command.c_str());
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, read_file(out), read_file(err)};
  }

  fs::path dir_;
};

TEST_F(CliTest, FeaturesWritesEveryIndicatorColumnForEveryCandle) {
  const std::string input = "data/sample/pump_and_dump.csv";
  const fs::path output = dir_ / "features.csv";
  const Result r = snipe("features --csv " + input + " --out " + output.string() + " --validate");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("validation of " + input + ": accepted"), std::string::npos) << r.out;

  const CandleSeries candles = read_candles_csv(input);
  const Table expected = compute_indicators(candles);
  const std::string text = read_file(output);
  csv::LineReader lines(text);
  std::vector<std::string> fields;
  csv::split_line(*lines.next(), fields);
  ASSERT_EQ(fields.size(), 1 + kIndicatorCount);
  EXPECT_EQ(fields[0], "timestamp");
  for (std::size_t i = 0; i < kIndicatorCount; ++i) EXPECT_EQ(fields[1 + i], kIndicatorNames[i]);

  std::size_t row = 0;
  for (; const auto line = lines.next(); ++row) {
    csv::split_line(*line, fields);
    ASSERT_EQ(fields.size(), 1 + kIndicatorCount) << "row " << row;
    EXPECT_EQ(csv::parse_int(fields[0]), candles[row].timestamp);
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
      const double want = expected.at(row, i);
      if (std::isnan(want)) {
        EXPECT_EQ(fields[1 + i], "") << kIndicatorNames[i] << " row " << row;
      } else {
        EXPECT_EQ(csv::parse_double(fields[1 + i]), want) << kIndicatorNames[i] << " row " << row;
      }
    }
  }
  EXPECT_EQ(row, candles.size());
}

TEST_F(CliTest, MalformedCsvFailsNamingLineAndFieldAndWritesNothing) {
  const fs::path input = dir_ / "bad.csv";
  write_file_atomically(input, "timestamp,open,high,low,close,volume\n1,1,1,1,1,1\n2,1,1,1,x,1\n");
  const fs::path output = dir_ / "out.csv";
  const Result r = snipe("features --csv " + input.string() + " --out " + output.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.csv:3: field 'close' 'x' is not a number"), std::string::npos) << r.err;
  EXPECT_FALSE(fs::exists(output));
}

TEST_F(CliTest, PipelineCollectsTheSimulatorWithoutAnyKey) {
  const Result r = snipe("pipeline --config configs/tiny.toml --out " + dir_.string());
  // A build without LibTorch (clang) collects, then stops at training with a hint.
  ASSERT_EQ(r.exit_code, SNIPE_WITH_TORCH ? 0 : 1) << r.err;
  const auto manifest = nlohmann::json::parse(read_file(dir_ / "data" / "manifest.json"));
  EXPECT_EQ(manifest["source"], "synthetic");
  EXPECT_GT(manifest["examples"].get<int>(), 0);
  EXPECT_NE(r.out.find("data set"), std::string::npos) << r.out;
  // The run directory records the settings it ran with.
  EXPECT_NE(read_file(dir_ / "config.toml").find("horizon = 12"), std::string::npos);
}

TEST_F(CliTest, UtilityCommandsPrintTheirResultNotTheSettings) {
  const Result r = snipe("features --csv data/sample/slow_bleed.csv --out " + (dir_ / "f.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("resolved settings"), std::string::npos) << r.err;
  EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "only the summary line:\n" << r.err;
  EXPECT_NE(r.err.find("wrote "), std::string::npos) << r.err;
  // A job command keeps the record of its settings at info.
  const Result job = snipe("collect --log-level info --config configs/tiny.toml --out " + (dir_ / "data").string());
  ASSERT_EQ(job.exit_code, 0) << job.err;
  EXPECT_NE(job.err.find("resolved settings (configs/tiny.toml)"), std::string::npos) << job.err;
}

TEST_F(CliTest, FeaturesReadsACsvWrittenByR) {
  // R's write.csv: a quoted header, a row-name column, prices to 15 significant digits,
  // and integral timestamps in whichever notation is shorter: 540000000 is "5.4e+08".
  const CandleSeries sample = read_candles_csv("data/sample/slow_bleed.csv");
  const std::int64_t start = 540000000 - 300 * 20;  // row 20 lands on 5.4e+08
  std::string text = "\"\",\"timestamp\",\"open\",\"high\",\"low\",\"close\",\"volume\"\n";
  CandleSeries written;
  for (std::size_t i = 0; i < sample.size(); ++i) {
    const auto r15 = [](double v) { return std::stod(fmt::format("{:.15g}", v)); };
    const Candle& c = sample[i];
    written.push_back({start + static_cast<std::int64_t>(i) * 300, r15(c.open), r15(c.high), r15(c.low),
                       r15(c.close), r15(c.volume)});
    const Candle& w = written.back();
    const std::string time = w.timestamp == 540000000 ? "5.4e+08" : std::to_string(w.timestamp);
    text += fmt::format("\"{}\",{},{:.15g},{:.15g},{:.15g},{:.15g},{:.15g}\n", i + 1, time, w.open, w.high, w.low,
                        w.close, w.volume);
  }
  ASSERT_NE(text.find(",5.4e+08,"), std::string::npos);
  const fs::path input = dir_ / "r.csv", output = dir_ / "features.csv";
  write_file_atomically(input, text);
  const Result r = snipe("features --csv " + input.string() + " --out " + output.string());
  ASSERT_EQ(r.exit_code, 0) << r.err;

  const Table expected = compute_indicators(written);
  const std::string out = read_file(output);
  csv::LineReader lines(out);
  std::vector<std::string> fields;
  lines.next();  // header
  std::size_t row = 0, values = 0;
  for (; const auto line = lines.next(); ++row) {
    csv::split_line(*line, fields);
    ASSERT_EQ(fields.size(), 1 + kIndicatorCount) << "row " << row;
    EXPECT_EQ(csv::parse_int(fields[0]), written[row].timestamp) << "row " << row;
    for (std::size_t i = 0; i < kIndicatorCount; ++i) {
      if (std::isnan(expected.at(row, i))) continue;
      EXPECT_EQ(csv::parse_double(fields[1 + i]), expected.at(row, i)) << kIndicatorNames[i] << " row " << row;
      ++values;
    }
  }
  EXPECT_EQ(row, written.size());
  EXPECT_GT(values, written.size() * kIndicatorCount / 2) << "the indicators past their warm-up";
}

TEST_F(CliTest, BadConfigFailsNamingFileAndField) {
  const fs::path config = dir_ / "bad.toml";
  write_file_atomically(config, "[labels]\nstop_loss = 2.0\n");
  const Result r = snipe("pipeline --config " + config.string());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("bad.toml: labels.stop_loss = 2 must be in (0, 1)"), std::string::npos)
      << r.err;
}

TEST_F(CliTest, JsonLogLinesCarryRankLevelAndMessage) {
  const std::string input = "data/sample/slow_bleed.csv";
  const Result r = snipe("features --log-format json --log-level debug --csv " + input + " --out " +
                         (dir_ / "f.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::istringstream lines(r.err);
  std::size_t parsed = 0;
  for (std::string line; std::getline(lines, line); ++parsed) {
    const auto entry = nlohmann::json::parse(line);  // throws on anything but one JSON object
    EXPECT_EQ(entry["rank"], 0);
    EXPECT_TRUE(entry["msg"].is_string());
    EXPECT_TRUE(entry["level"].is_string());
    const std::string ts = entry["ts"];  // UTC with milliseconds
    EXPECT_TRUE(std::regex_match(ts, std::regex(R"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z)"))) << ts;
  }
  EXPECT_GE(parsed, 2u) << "resolved settings (debug) and the summary line";
}

TEST_F(CliTest, JsonTimestampsAreUtcWhateverTheLocalTimeZone) {
  ::setenv("TZ", "Asia/Kolkata", 1);  // UTC+05:30: a local time would be 5.5 h off
  const Result r = snipe("features --log-format json --csv data/sample/slow_bleed.csv --out " +
                         (dir_ / "f.csv").string());
  ::unsetenv("TZ");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string ts = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')))["ts"];
  std::tm parsed{};
  ASSERT_NE(strptime(ts.c_str(), "%Y-%m-%dT%H:%M:%S", &parsed), nullptr) << ts;
  const auto logged = static_cast<double>(timegm(&parsed));
  EXPECT_NEAR(logged, static_cast<double>(std::time(nullptr)), 120.0) << ts;
}

TEST_F(CliTest, ResolvedSettingsShowCommandLineOverrides) {
  const Result r = snipe("features --log-level debug --validate --interval-s 86400 --csv "
                         "data/sample/slow_bleed.csv --out " +
                         (dir_ / "f.csv").string());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("interval_s = 86400"), std::string::npos) << r.err;
}

TEST_F(CliTest, RankComesFromTheLauncherEnvironment) {
  const Result r = snipe("features --csv data/sample/slow_bleed.csv --out " +
                         (dir_ / "f.csv").string());
  EXPECT_NE(r.err.find("[rank 0]"), std::string::npos);
  const Result ranked = [&] {
    ::setenv("OMPI_COMM_WORLD_RANK", "3", 1);
    Result result = snipe("features --log-level debug --csv data/sample/slow_bleed.csv --out " +
                          (dir_ / "g.csv").string());
    ::unsetenv("OMPI_COMM_WORLD_RANK");
    return result;
  }();
  EXPECT_NE(ranked.err.find("[rank 3]"), std::string::npos) << ranked.err;
  EXPECT_EQ(ranked.err.find("resolved settings"), std::string::npos)
      << "only rank 0 prints the resolved settings";
}

}  // namespace
}  // namespace snipe

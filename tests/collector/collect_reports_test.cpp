// The reports of a collection run, computed on typed rank summaries: each summary crosses
// ranks as JSON and reads back whole, and the manifest and quality report add the ranks
// up the same way whatever the split of tokens over ranks.

#include "collector/collect_reports.h"

#include <gtest/gtest.h>

#include "shared/core/errors.h"

namespace snipe::collector {
namespace {

using json = nlohmann::json;

RankSummary summary_of(int rank, std::vector<SeriesHash> hashes, std::int64_t first, std::int64_t last) {
  RankSummary s;
  s.shard = {.file = "g000001/shard-0000" + std::to_string(rank) + ".h5", .rank = rank,
             .series = static_cast<std::int64_t>(hashes.size()), .rows = 100 * (rank + 1),
             .examples = 10 * (rank + 1), .content_hash = "00000000000000a" + std::to_string(rank), .bytes = 4096};
  s.accepted = static_cast<std::int64_t>(hashes.size());
  s.rejected = 1;
  s.failed = rank;
  s.profitable = 3 + rank;
  s.rug = 1;
  s.first_timestamp = first;
  s.last_timestamp = last;
  s.series_hashes = std::move(hashes);
  s.rejections = {{"gap", 1}};
  if (rank == 1) s.failures = {{"http_401", 1}};
  s.verdicts = {{.token = "R" + std::to_string(rank), .verdict = "rejected", .message = "1 gap"}};
  if (rank == 1) s.verdicts.push_back({.token = "F1", .verdict = "failed", .reason = "http_401", .message = "401"});
  s.verdicts.push_back({.token = "A" + std::to_string(rank), .verdict = "accepted"});
  return s;
}

TEST(CollectReports, ARankSummaryCrossesRanksWhole) {
  const RankSummary sent = summary_of(1, {{"tokA", "01"}, {"tokB", "02"}}, 1000, 2000);
  const std::string text = to_json(sent).dump();
  const RankSummary got = rank_summary_from_json(json::parse(text), "rank 1");
  EXPECT_EQ(to_json(got), to_json(sent));
  EXPECT_EQ(got.shard.file, sent.shard.file);
  EXPECT_EQ(got.shard.bytes, 4096u);
  EXPECT_EQ(got.series_hashes, sent.series_hashes);
  EXPECT_EQ(got.verdicts, sent.verdicts);
  EXPECT_EQ(got.failures.at("http_401"), 1);
  EXPECT_EQ(got.first_timestamp, 1000);
}

TEST(CollectReports, AnEmptyRanksTimeRangeIsNullAndReadsBackAsNone) {
  RankSummary empty = summary_of(0, {}, 0, 0);
  empty.first_timestamp.reset();
  empty.last_timestamp.reset();
  const json sent = to_json(empty);
  EXPECT_TRUE(sent["first_timestamp"].is_null());
  EXPECT_FALSE(rank_summary_from_json(sent, "rank 0").last_timestamp.has_value());
}

TEST(CollectReports, AMistypedSummaryFieldIsRefusedNamingTheRankAndTheField) {
  json sent = to_json(summary_of(1, {{"tokA", "01"}}, 1000, 2000));
  sent["verdicts"][0]["token"] = 5;
  try {
    rank_summary_from_json(sent, "the summary of rank 1");
    FAIL() << "a mistyped summary was read";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("the summary of rank 1: field /verdicts/0/token must be a string, is 5"),
              std::string::npos)
        << e.what();
  }
  sent = to_json(summary_of(1, {{"tokA", "01"}}, 1000, 2000));
  sent["series_hashes"][0] = "tokA";
  EXPECT_THROW(rank_summary_from_json(sent, "rank 1"), DataError);
}

TEST(CollectReports, TheManifestAndQualityReportAddUpTheRanks) {
  const std::vector<RankSummary> ranks = {summary_of(0, {{"tokB", "02"}}, 1500, 2500),
                                          summary_of(1, {{"tokA", "01"}, {"tokC", "03"}}, 1000, 2000)};
  const CollectJobOptions options{.labels = {.horizon = 9}, .config_fingerprint = "c", .base_fingerprint = "b"};
  const Reports reports = make_reports(ranks, "synthetic", options, 7, 3);
  const DataSetManifest& m = reports.manifest;
  EXPECT_EQ(m.generation, 3);
  EXPECT_EQ(m.quality, "g000003/quality.json");
  EXPECT_EQ(m.ranks, 2);
  EXPECT_EQ(m.tokens.listed, 7);
  EXPECT_EQ(m.tokens.accepted, 3);
  EXPECT_EQ(m.tokens.rejected, 2);
  EXPECT_EQ(m.tokens.failed, 1);
  EXPECT_EQ(m.examples, 30);
  EXPECT_EQ(m.rows, 300);
  EXPECT_DOUBLE_EQ(m.profitable_rate.value(), 7.0 / 30.0);
  EXPECT_DOUBLE_EQ(m.rug_rate.value(), 2.0 / 30.0);
  EXPECT_EQ(m.first_timestamp, 1000);
  EXPECT_EQ(m.last_timestamp, 2500);
  EXPECT_EQ(m.labels.horizon, 9u);
  EXPECT_EQ(m.shards.at(1).file, "g000001/shard-00001.h5");

  // The same series on one rank: the same data set hash.
  const std::vector<RankSummary> one = {summary_of(0, {{"tokC", "03"}, {"tokA", "01"}, {"tokB", "02"}}, 1000, 2500)};
  EXPECT_EQ(make_reports(one, "synthetic", options, 7, 3).manifest.content_hash, m.content_hash);

  const QualityReport& q = reports.quality;
  EXPECT_EQ(q.rejections_by_reason.at("gap"), 2);
  EXPECT_EQ(q.failures_by_reason.at("http_401"), 1);
  ASSERT_EQ(q.not_accepted.size(), 3u) << "the accepted tokens are left out";
  EXPECT_EQ(q.not_accepted[2].token, "F1");
  EXPECT_EQ(q.tokens.listed, 7);
  const QualityReport read = quality_report_from_json(to_json(q), "quality.json");
  EXPECT_EQ(to_json(read), to_json(q));
  EXPECT_EQ(data_set_manifest_from_json(to_json(m), "manifest.json").content_hash, m.content_hash);
}

TEST(CollectReports, ARunWithoutExamplesHasNoLabelBalance) {
  RankSummary empty = summary_of(0, {}, 0, 0);
  empty.shard.examples = 0;
  empty.first_timestamp.reset();
  empty.last_timestamp.reset();
  const Reports reports = make_reports({empty}, "csv", {}, 1, 1);
  EXPECT_FALSE(reports.manifest.profitable_rate.has_value());
  const json written = to_json(reports.manifest);
  EXPECT_TRUE(written["label_balance"]["rug"].is_null());
  EXPECT_TRUE(written["time_range"]["first"].is_null());
}

}  // namespace
}  // namespace snipe::collector

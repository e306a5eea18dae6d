// The stall watchdog's findings and report, from inquiries made up here (the watchdog's
// end-to-end behaviour, a hung rank ending the job, is TrainCli's stall test).

#include "shared/comm/stall_watchdog.h"

#include <gtest/gtest.h>

namespace snipe {
namespace {

RankActivity blocked_in(std::int64_t collective, std::string host = "node-a") {
  return {.issued = collective, .waiting_on = collective, .seconds = 31.0, .host = std::move(host)};
}

RankActivity busy_after(std::int64_t collective, std::string host = "node-b") {
  return {.issued = collective, .waiting_on = 0, .seconds = 42.5, .host = std::move(host)};
}

// Rank 0 has waited in collective #57 past a 30 s timeout.
StallInquiry inquiry(std::vector<std::optional<RankActivity>> ranks) {
  return {.rank = 0, .stalled = 57, .what = "allreduce of 1.65 MB", .waited_s = 31.0, .timeout_s = 30,
          .grace_s = 7.5, .ranks = std::move(ranks)};
}

TEST(StallReport, NamesTheRanksThatHaveNotArrivedAndWhatTheyAreDoing) {
  const StallInquiry q = inquiry({blocked_in(57), busy_after(56, "node-b"), blocked_in(57, "node-c"),
                                  blocked_in(40, "node-d")});
  EXPECT_EQ(ranks_not_arrived(q), (std::vector<int>{1, 3}));
  EXPECT_TRUE(ranks_unresponsive(q).empty());
  const std::string report = stall_report(q);
  EXPECT_NE(report.find("rank 0 on node-a has waited 31.0 s in collective #57 (allreduce of 1.65 MB)"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("rank 1 on node-b has not arrived: busy outside collectives for 42.5 s since its "
                        "collective #56"),
            std::string::npos)
      << report;
  EXPECT_NE(report.find("rank 3 on node-d has not arrived: blocked in collective #40"), std::string::npos) << report;
  EXPECT_EQ(report.find("rank 2 on node-c has not arrived"), std::string::npos) << "rank 2 has arrived: " << report;
  EXPECT_NE(report.find("stall_timeout_s"), std::string::npos) << "the hint names the setting: " << report;
}

TEST(StallReport, RanksThatDoNotAnswerAreReportedAsSuch) {
  const StallInquiry q = inquiry({blocked_in(57), std::nullopt, blocked_in(57, "node-c")});
  EXPECT_TRUE(ranks_not_arrived(q).empty());
  EXPECT_EQ(ranks_unresponsive(q), (std::vector<int>{1}));
  EXPECT_NE(stall_report(q).find("rank 1 did not answer within 7.5 s"), std::string::npos) << stall_report(q);
}

TEST(StallReport, WhenEveryRankHasArrivedTheCollectiveItselfIsBlamed) {
  const StallInquiry q = inquiry({blocked_in(57), blocked_in(57, "node-b")});
  EXPECT_TRUE(ranks_not_arrived(q).empty());
  EXPECT_TRUE(ranks_unresponsive(q).empty());
  EXPECT_NE(stall_report(q).find("every rank has arrived"), std::string::npos) << stall_report(q);
}

TEST(StallReport, ARankThatIssuedLaterBucketsHasArrived) {
  // Bucketed gradients: rank 1 has issued #57..#59 and waits on #57, like rank 0.
  RankActivity ahead = blocked_in(57, "node-b");
  ahead.issued = 59;
  const StallInquiry q = inquiry({blocked_in(57), ahead, busy_after(50, "node-c")});
  EXPECT_EQ(ranks_not_arrived(q), (std::vector<int>{2}));
}

}  // namespace
}  // namespace snipe

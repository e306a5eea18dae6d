// run_train_job end to end on a small collected data set: the run directory it writes, a
// resumed run that ends bit for bit where an uninterrupted one ends, early stopping that
// exports the best epoch, and the refusals.

#include "trainer/train/train_job.h"

#include <algorithm>
#include <cmath>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "collector/collect_job.h"
#include "collector/sources/synthetic_source.h"
#include "shared/core/atomic_file.h"
#include "shared/core/env.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/comm/job_context.h"
#include "tests/support/fault_injection_env.h"
#include "tests/support/temp_dir.h"
#include "trainer/export/export.h"
#include "trainer/train/checkpoint.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// The job on this process alone (the data-parallel runs are DistributedTrainCli's).
TrainSummary train_alone(const TrainJob& job) {
  PosixEnv env;
  return run_train_job(job, JobContext::solo(), env);
}

constexpr LabelOptions kLabels{.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5};

// 12 simulated tokens of 200..300 bars, collected by a size-1 job.
void collect(const fs::path& out) {
  collector::SyntheticSource source({.seed = 5, .tokens = 12, .min_candles = 200, .max_candles = 300});
  snipe::PosixEnv env;
  collector::run_collect(source, *make_solo_communicator(),
                         {.out_dir = out, .validation = {.min_candles = 100}, .labels = kLabels,
                          .config_fingerprint = "train job test"}, env);
}

// A data set shared by the suite (collecting takes a moment).
class TrainJobTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    data_dir_ = fs::temp_directory_path() / fmt::format("snipe-train-job-data-{}", ::getpid());
    fs::remove_all(data_dir_);
    collect(data_dir_);
  }
  static void TearDownTestSuite() { fs::remove_all(data_dir_); }

  TrainJob job(const fs::path& run_dir) const {
    TrainJob j;
    j.data_dir = data_dir_;
    j.run_dir = run_dir;
    j.split = {.train_fraction = 0.6, .val_fraction = 0.2, .embargo = 4};
    j.model = {.lstm1_hidden = 8, .lstm2_hidden = 4, .heads = 2, .context_hidden = 4, .head_hidden = 8};
    j.train.window = 16;
    j.train.batch_size = 64;
    j.train.epochs = 3;
    j.train.threads = 1;
    j.train.warmup_steps = 5;
    j.train.keep_checkpoints = 100;
    j.settings_toml = "# test\n";
    return j;
  }

  inline static fs::path data_dir_;
};

std::vector<json> read_lines(const fs::path& path) {
  std::vector<json> lines;
  std::istringstream in(read_file(path));
  for (std::string line; std::getline(in, line);) lines.push_back(json::parse(line));
  return lines;
}

// metrics.jsonl's epoch records, without the final one.
std::vector<json> epoch_records(const fs::path& path) {
  std::vector<json> epochs;
  for (json& line : read_lines(path)) {
    if (!line.value("final", false)) epochs.push_back(std::move(line));
  }
  return epochs;
}

std::vector<std::string> names_of(auto list) { return std::vector<std::string>(list.begin(), list.end()); }

std::vector<fs::path> checkpoints(const fs::path& run_dir) {
  std::vector<fs::path> found;
  for (const auto& entry : fs::directory_iterator(run_dir / "checkpoints")) found.push_back(entry.path());
  std::sort(found.begin(), found.end());
  return found;
}

void expect_same_parameters(const fs::path& a, const fs::path& b) {
  torch::jit::Module x = load_exported_model(a), y = load_exported_model(b);
  for (const auto& named : x.named_parameters()) {
    EXPECT_TRUE(torch::equal(named.value, y.attr(named.name).toTensor())) << named.name;
  }
}

TEST_F(TrainJobTest, WritesMetricsReportAndAnExportTheBotCanUse) {
  testing::TempDir run;
  const TrainSummary summary = train_alone(job(run.path()));

  const auto lines = read_lines(run / "metrics.jsonl");
  const auto metrics = epoch_records(run / "metrics.jsonl");
  ASSERT_EQ(static_cast<std::int64_t>(metrics.size()), summary.epochs_completed);
  ASSERT_EQ(lines.size(), metrics.size() + 1) << "the epochs, then one final record";
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(metrics[i]["epoch"], i + 1);
    EXPECT_EQ(metrics[i]["split"], "val");
    EXPECT_TRUE(metrics[i]["train_loss"].is_number());
    EXPECT_TRUE(metrics[i]["profitable"].contains("roc_auc"));
    EXPECT_EQ(metrics[i]["baselines"]["profitable"]["best"], "xgboost") << "the trees fit this data best";
  }
  const json report = json::parse(read_file(run / "report.json"));
  EXPECT_EQ(report["test"]["split"], "test");
  // The baselines fit on the same split: their val AUC on profitable beats chance here,
  // and the comparison is the model's AUC against the best baseline's.
  const double baseline_val = report["baselines"]["profitable"]["xgboost"]["val"]["roc_auc"].get<double>();
  EXPECT_GT(baseline_val, 0.6);
  const json& comparison = report["comparison"]["profitable"];
  EXPECT_EQ(comparison["best_baseline"], "xgboost");
  EXPECT_DOUBLE_EQ(comparison["val"]["baseline"].get<double>(), baseline_val);
  EXPECT_DOUBLE_EQ(comparison["test"]["served"].get<double>(), report["test"]["profitable"]["roc_auc"].get<double>());
  EXPECT_EQ(lines.back()["comparison"], report["comparison"]);
  EXPECT_EQ(report["selection"]["criterion"], "mean_auc");
  EXPECT_GT(report["test"]["profitable"]["positives"].get<int>() + report["test"]["profitable"]["negatives"].get<int>(), 0);

  const json meta = json::parse(read_file(run / "export" / kExportMetadataFile));
  EXPECT_EQ(meta["schema_version"], kExportSchemaVersion);
  EXPECT_EQ(meta["window"], 16);
  EXPECT_EQ(meta["inputs"]["candles"]["features"], names_of(kCandleFeatureNames));
  EXPECT_EQ(meta["inputs"]["indicators"]["features"], names_of(kIndicatorFeatureNames));
  EXPECT_EQ(meta["inputs"]["context"]["features"], names_of(kContextFeatureNames));
  EXPECT_EQ(meta["inputs"]["indicators"]["shape"], json({nullptr, 16, kIndicatorFeatureCount}));
  EXPECT_EQ(meta["labels"]["horizon"], kLabels.horizon);
  EXPECT_DOUBLE_EQ(meta["labels"]["take_profit"].get<double>(), kLabels.take_profit);
  EXPECT_EQ(meta["data"]["manifest_hash"], hex64(fnv1a(read_file(data_dir_ / "manifest.json"))));
  EXPECT_EQ(meta["split"]["boundaries"].size(), 12u) << "one entry per token";
  for (const char* head : {"profitable", "rug"}) {
    const double threshold = meta["thresholds"][head].get<double>();
    EXPECT_GE(threshold, 0.0);
    EXPECT_LE(threshold, 1.0);
  }
  for (const char* head : {"profitable", "rug"}) {
    EXPECT_EQ(meta["serving"][head]["temperature"], report["serving"][head]["temperature"]) << head;
    EXPECT_EQ(meta["serving"][head]["weights"], report["serving"][head]["weights"]) << head;
    EXPECT_GT(meta["serving"][head]["temperature"].get<double>(), 0.0) << head;
    EXPECT_TRUE(fs::exists(run / "export" / meta["serving"][head]["trees"].get<std::string>())) << head;
    EXPECT_TRUE(fs::exists(run / "export" / meta["serving"][head]["logistic"].get<std::string>())) << head;
  }
  EXPECT_EQ(meta["baselines"]["comparison"], report["comparison"]) << "the registry's gate reads them here";
  EXPECT_FALSE(meta["created_at"].get<std::string>().empty());
  EXPECT_TRUE(fs::exists(run / "export" / kExportScalersFile));
  EXPECT_TRUE(fs::exists(run / "settings.toml"));
}

TEST_F(TrainJobTest, AResumedRunEndsWithExactlyTheParametersOfAnUninterruptedOne) {
  testing::TempDir whole, resumed;
  TrainJob uninterrupted = job(whole.path());
  uninterrupted.train.checkpoint_every_steps = 2;
  train_alone(uninterrupted);

  // The mid-epoch checkpoints of the uninterrupted run; a crashed run would have left the
  // same files. Resume from one inside the second epoch.
  const auto saved = checkpoints(whole.path());
  const json first_epoch = epoch_records(whole / "metrics.jsonl").front();
  const std::int64_t steps_per_epoch = first_epoch["step"].get<std::int64_t>();
  const auto inside_second_epoch = std::find_if(saved.begin(), saved.end(), [&](const fs::path& p) {
    const std::int64_t step = std::stoll(p.filename().string().substr(5));
    return step > steps_per_epoch && step % steps_per_epoch != 0;
  });
  ASSERT_NE(inside_second_epoch, saved.end()) << "the test needs a checkpoint inside epoch 2";
  fs::create_directories(resumed / "checkpoints");
  fs::copy(*inside_second_epoch, resumed / "checkpoints" / inside_second_epoch->filename(), fs::copy_options::recursive);
  fs::copy_file(whole / "metrics.jsonl", resumed / "metrics.jsonl");

  TrainJob continued = job(resumed.path());
  continued.train.checkpoint_every_steps = 2;
  continued.resume = ResumeMode::kRequire;
  const TrainSummary summary = train_alone(continued);
  EXPECT_TRUE(summary.resumed);

  expect_same_parameters(whole / "export", resumed / "export");
  const auto a = read_lines(whole / "metrics.jsonl"), b = read_lines(resumed / "metrics.jsonl");
  ASSERT_EQ(a.size(), b.size()) << "the copied final record was dropped, and the resumed run wrote its own";
  for (std::size_t i = 0; i + 1 < a.size(); ++i) {
    for (const char* key : {"epoch", "step", "profitable", "rug", "max_profit", "train_loss", "lr", "selection"}) {
      EXPECT_EQ(a[i][key], b[i][key]) << "epoch " << i + 1 << " " << key;
    }
  }
  EXPECT_EQ(a.back()["comparison"], b.back()["comparison"]);
  EXPECT_EQ(a.back()["serving"], b.back()["serving"]);
}

TEST_F(TrainJobTest, ACrashRightAfterAMidEpochCheckpointResumesToTheUninterruptedResult) {
  testing::TempDir whole, crashed;
  TrainJob uninterrupted = job(whole.path());
  uninterrupted.train.checkpoint_every_steps = 2;
  train_alone(uninterrupted);

  // The process dies (here: throws) the moment the first mid-epoch checkpoint at or past
  // step 3 is complete, as snipe_faulty's SIGKILL does in the CLI tests.
  PosixEnv posix;
  testing::FaultInjectionEnv faulty(posix);
  faulty.plan({.point = FaultPoint::kTrainCheckpointWritten, .count = 3, .action = testing::FaultAction::kThrow});
  TrainJob first = job(crashed.path());
  first.train.checkpoint_every_steps = 2;
  EXPECT_THROW(run_train_job(first, JobContext::solo(), faulty), std::logic_error);
  ASSERT_EQ(faulty.faults_injected(), 1);
  EXPECT_FALSE(fs::exists(crashed / "export")) << "a crashed run exports nothing";
  EXPECT_EQ(checkpoints(crashed.path()).back().filename(), "step-0000000004")
      << "the checkpoint the crash point followed is complete";

  TrainJob rerun = job(crashed.path());
  rerun.train.checkpoint_every_steps = 2;
  rerun.resume = ResumeMode::kRequire;
  EXPECT_TRUE(train_alone(rerun).resumed);
  expect_same_parameters(whole / "export", crashed / "export");
}

TEST_F(TrainJobTest, EarlyStoppingExportsTheBestEpoch) {
  testing::TempDir run;
  TrainJob j = job(run.path());
  j.train.epochs = 6;
  j.train.patience = 1;
  j.train.lr = 3e-2;  // large steps: val AUC moves a lot between epochs
  const TrainSummary summary = train_alone(j);
  const auto metrics = epoch_records(run / "metrics.jsonl");
  // The best epoch is the first with the highest selection score, by default the mean of
  // the heads' val ROC-AUC that are defined (the first counts even when it is undefined);
  // with patience 1 a run that stopped early ended one epoch later.
  const auto mean_auc = [](const json& record) {
    double sum = 0;
    int defined = 0;
    for (const char* head : {"profitable", "rug"}) {
      if (record[head]["roc_auc"].is_number()) sum += record[head]["roc_auc"].get<double>(), ++defined;
    }
    return defined == 0 ? json(nullptr) : json(sum / defined);
  };
  std::size_t best = 0;
  for (std::size_t i = 0; i < metrics.size(); ++i) {
    EXPECT_EQ(metrics[i]["selection"], mean_auc(metrics[i])) << "epoch " << i + 1;
    const json& score = metrics[i]["selection"];
    const json& best_score = metrics[best]["selection"];
    if (i > 0 && score.is_number() && (!best_score.is_number() || score.get<double>() > best_score.get<double>())) {
      best = i;
    }
  }
  EXPECT_EQ(summary.best_epoch, static_cast<std::int64_t>(best));
  EXPECT_TRUE(metrics[best]["best"].get<bool>());
  // Whether this run stops early depends on rounding, which depends on the CPU's BLAS
  // kernels; here (seed, lr) it does, and the export check below then tells the best
  // weights from the last ones.
  if (summary.stopped_early) {
    EXPECT_EQ(metrics.size(), best + 2) << "patience 1: one epoch without improvement, then stop";
  }
  const json meta = json::parse(read_file(run / "export" / kExportMetadataFile));
  EXPECT_EQ(meta["training"]["best_epoch"], best + 1);
  // The served head may blend in the baselines; the sequence model's own val ROC-AUC at
  // the exported weights is that epoch's.
  const json report = json::parse(read_file(run / "report.json"));
  EXPECT_NEAR(report["serving"]["profitable"]["sequence_roc_auc"]["val"].get<double>(),
              metrics[best]["profitable"]["roc_auc"].get<double>(), 1e-6)
      << "the export carries the best epoch's weights, so the model's val metrics are that epoch's";
}

TEST_F(TrainJobTest, RefusesACheckpointOfOtherSettings) {
  testing::TempDir run;
  TrainJob j = job(run.path());
  j.train.epochs = 1;
  train_alone(j);
  const std::string settings = read_file(run / "settings.toml");
  j.train.lr = 5e-3;
  j.settings_toml = "# other settings\n";
  try {
    train_alone(j);
    FAIL() << "a checkpoint of other settings must be refused";
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("other settings"), std::string::npos) << e.what();
  }
  EXPECT_EQ(read_file(run / "settings.toml"), settings) << "a refused run must leave the run's files alone";
  j.resume = ResumeMode::kFresh;
  EXPECT_NO_THROW(train_alone(j)) << "--fresh starts over";
}

TEST_F(TrainJobTest, ResumeWithoutACheckpointIsAnError) {
  testing::TempDir run;
  TrainJob j = job(run.path());
  j.resume = ResumeMode::kRequire;
  EXPECT_THROW(train_alone(j), DataError);
}

TEST_F(TrainJobTest, AWindowLongerThanTheDataSaysWhatToChange) {
  testing::TempDir run;
  TrainJob j = job(run.path());
  j.train.window = 400;  // longer than any series
  try {
    train_alone(j);
    FAIL();
  } catch (const DataError& e) {
    EXPECT_NE(std::string(e.what()).find("split is empty"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("train.window"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace snipe::trainer

// The shim against the trainer: from raw candles the shim predicts what the trainer's
// evaluation predicts from the stored features, on the same examples, each binary head
// served as the export says (blend with its baselines, temperature).

#include <algorithm>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "shared/core/atomic_file.h"
#include "shared/features/model_features.h"
#include "shared/features/served_probability.h"
#include "shared/models/boosted_trees.h"
#include "shared/models/logistic_model.h"
#include "shared/store/export_format.h"
#include "shared/store/export_metadata.h"
#include "shim/src/model_inputs.h"
#include "snipe/shim.h"
#include "tests/shim/token_context.h"
#include "tests/shim/trained_export.h"
#include "tests/support/temp_dir.h"
#include "trainer/baselines/tabular_set.h"
#include "trainer/data/window_loader.h"
#include "trainer/export/export.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/serving.h"

namespace snipe::shim {
namespace {

using snipe::testing::context_values;
using snipe::testing::trained_export;

// Every 3rd example whose window has every feature defined.
std::vector<std::uint32_t> sample(const trainer::DataSet& data, std::size_t window) {
  std::vector<std::uint32_t> out;
  for (std::uint32_t i = 0; i < data.examples.size(); i += 3) {
    if (data.examples[i].end_row + 1 >= kModelFeatureWarmup + window) out.push_back(i);
  }
  return out;
}

// The bars of series `s` as the public API takes them, converted once (a TokenInput holds
// a span). REQUIRES: one data set per test binary.
const std::vector<Candle>& public_candles(const trainer::DataSet& data, std::size_t s) {
  static const std::vector<std::vector<Candle>> all = [&] {
    std::vector<std::vector<Candle>> out;
    for (const SeriesRecord& series : data.series) out.push_back(shim_candles(series.candles));
    return out;
  }();
  return all[s];
}

TokenInput token_of(const trainer::DataSet& data, std::uint32_t example) {
  const Example& ex = data.examples[example];
  return {CandleSpan(public_candles(data, ex.series)).first(ex.end_row + 1), context_values(data.series[ex.series].context)};
}

class ShimParity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    const auto& fixture = trained_export();
    data_ = new trainer::DataSet(trainer::load_data_set(fixture.data_dir));
    const Scalers scalers = scalers_from_json(nlohmann::json::parse(read_file(fixture.export_dir / kExportScalersFile)));
    trainer::WindowLoader loader(*data_, sample(*data_, fixture.window), scalers,
                                 {.batch_size = 64, .window = fixture.window, .shuffle = false});
    torch::jit::Module model = trainer::load_exported_model(fixture.export_dir);
    want_ = new trainer::Predictions(trainer::predict(model, loader, fixture.window));
    // The bot gets the heads as the export serves them: blended with the baselines on the
    // tabular view (here from the stored features) and scaled, as chosen on val.
    const ExportMetadata metadata = export_metadata_from_json(
        nlohmann::json::parse(read_file(fixture.export_dir / kExportMetadataFile)), "metadata.json");
    serving_ = metadata.serving.value();
    const trainer::TabularSet tabular = trainer::tabular_set(*data_, want_->examples, fixture.window);
    const MatrixView x{.values = tabular.features, .rows = tabular.rows, .cols = kTabularFeatureCount};
    const auto serve = [&](std::vector<float>& p, const std::vector<float>& y, const ExportHeadServing& head) {
      const BoostedTrees trees = BoostedTrees::from_json(read_file(fixture.export_dir / head.trees),
                                                         kTabularFeatureCount);
      const LogisticModel logistic = logistic_model_from_json(
          nlohmann::json::parse(read_file(fixture.export_dir / head.logistic)), head.logistic);
      p = trainer::served({.model = p, .trees = trees.predict(x), .logistic = logistic.predict(x), .labels = y},
                          head.weights, head.temperature);
    };
    serve(want_->profitable, want_->profitable_y, serving_.profitable);
    serve(want_->rug, want_->rug_y, serving_.rug);
  }
  static void TearDownTestSuite() {
    delete want_;
    delete data_;
  }
  inline static trainer::DataSet* data_ = nullptr;
  inline static trainer::Predictions* want_ = nullptr;
  inline static ExportServing serving_;
};

TEST_F(ShimParity, SinglePredictionsEqualTheTrainersEvaluationTo1e6) {
  const Shim shim(trained_export().export_dir, {.watch = false});
  ASSERT_GT(want_->examples.size(), 200u);
  // A temperature of exactly 1 would leave the serving step untested here (the fixture's
  // val holds no rug, so the rug head keeps 1; ShimServing covers every case).
  ASSERT_NE(serving_.profitable.temperature, 1.0);
  for (std::size_t k = 0; k < want_->examples.size(); ++k) {
    const Prediction got = shim.predict(token_of(*data_, want_->examples[k]));
    ASSERT_NEAR(got.profitable_prob, want_->profitable[k], 1e-6) << "example " << want_->examples[k];
    ASSERT_NEAR(got.max_profit, want_->max_profit[k], 1e-6) << "example " << want_->examples[k];
    ASSERT_NEAR(got.rug_prob, want_->rug[k], 1e-6) << "example " << want_->examples[k];
    ASSERT_EQ(got.model_version, "export");
  }
}

TEST_F(ShimParity, ABatchPredictsWhatSinglePredictionsDo) {
  const Shim shim(trained_export().export_dir, {.watch = false});
  std::vector<TokenInput> tokens;
  for (std::size_t k = 0; k < 64; ++k) tokens.push_back(token_of(*data_, want_->examples[k]));
  const std::vector<BatchItem> items = shim.predict_batch(tokens);
  ASSERT_EQ(items.size(), tokens.size());
  for (std::size_t k = 0; k < items.size(); ++k) {
    ASSERT_TRUE(items[k].prediction) << items[k].error;
    EXPECT_NEAR(items[k].prediction->profitable_prob, want_->profitable[k], 1e-6);
    EXPECT_NEAR(items[k].prediction->max_profit, want_->max_profit[k], 1e-6);
    EXPECT_NEAR(items[k].prediction->rug_prob, want_->rug[k], 1e-6);
  }
}

TEST_F(ShimParity, ARefusedTokenOfABatchLeavesTheOthersPredicted) {
  const Shim shim(trained_export().export_dir, {.watch = false});
  std::vector<TokenInput> tokens = {token_of(*data_, want_->examples[0]), token_of(*data_, want_->examples[1]),
                                    token_of(*data_, want_->examples[2])};
  tokens[1].candles = tokens[1].candles.first(10);
  const std::vector<BatchItem> items = shim.predict_batch(tokens);
  ASSERT_TRUE(items[0].prediction && items[2].prediction);
  EXPECT_FALSE(items[1].prediction);
  EXPECT_NE(items[1].error.find("token 1: 10 candles"), std::string::npos) << items[1].error;
  EXPECT_NEAR(items[2].prediction->profitable_prob, want_->profitable[2], 1e-6);
}

// The fixture's export in `dir`, each head served by the blend `weights` at `temperature`.
void export_serving(const std::filesystem::path& dir, const BlendWeights& weights, double temperature) {
  std::filesystem::copy(trained_export().export_dir, dir, std::filesystem::copy_options::recursive);
  nlohmann::json metadata = nlohmann::json::parse(read_file(dir / kExportMetadataFile));
  for (const char* head : {"profitable", "rug"}) {
    metadata["serving"][head]["weights"] = {
        {"model", weights.model}, {"trees", weights.trees}, {"logistic", weights.logistic}};
    metadata["serving"][head]["temperature"] = temperature;
  }
  write_file_atomically(dir / kExportMetadataFile, metadata.dump(2));
}

// The model alone, the trees alone and the logistic regression alone (T 1) give the three
// inputs of the blend; a fourth export must serve exactly their blend at its weights and
// temperature.
TEST(ShimServing, ServesEachHeadAsTheBlendOfModelAndBaselinesAtItsTemperature) {
  testing::TempDir root;
  export_serving(root / "model", {.model = 1.0, .trees = 0.0, .logistic = 0.0}, 1.0);
  export_serving(root / "trees", {.model = 0.0, .trees = 1.0, .logistic = 0.0}, 1.0);
  export_serving(root / "logistic", {.model = 0.0, .trees = 0.0, .logistic = 1.0}, 1.0);
  const BlendWeights weights{.model = 0.4, .trees = 0.3, .logistic = 0.3};
  export_serving(root / "blend", weights, 2.0);
  const Shim model(root / "model", {.watch = false}), trees(root / "trees", {.watch = false}),
      logistic(root / "logistic", {.watch = false}), blend(root / "blend", {.watch = false});
  const trainer::DataSet data = trainer::load_data_set(trained_export().data_dir);
  const auto examples = sample(data, trained_export().window);
  for (std::size_t k = 0; k < examples.size(); k += 25) {
    const TokenInput token = token_of(data, examples[k]);
    const Prediction m = model.predict(token), t = trees.predict(token), l = logistic.predict(token),
                     got = blend.predict(token);
    EXPECT_NEAR(got.profitable_prob,
                served_probability(m.profitable_prob, t.profitable_prob, l.profitable_prob, weights, 2.0), 1e-9);
    EXPECT_NEAR(got.rug_prob, served_probability(m.rug_prob, t.rug_prob, l.rug_prob, weights, 2.0), 1e-9);
    EXPECT_EQ(got.max_profit, m.max_profit) << "the regression head is the model's alone";
  }
  // The three parts differ from each other: the blend above tested something.
  const TokenInput first = token_of(data, examples[0]);
  const double m = model.predict(first).rug_prob, t = trees.predict(first).rug_prob,
               l = logistic.predict(first).rug_prob;
  EXPECT_GT(std::min({std::abs(m - t), std::abs(m - l), std::abs(t - l)}), 1e-4);
}

// A baseline the metadata gives a share is loaded with the version: missing or damaged,
// the version is refused naming the file, before any prediction.
TEST(ShimServing, ABaselineThatCannotBeLoadedRefusesTheVersionNamingItsFile) {
  testing::TempDir root;
  export_serving(root / "damaged", {.model = 0.5, .trees = 0.0, .logistic = 0.5}, 1.0);
  nlohmann::json logistic = nlohmann::json::parse(read_file(root / "damaged" / "baselines/rug.logistic.json"));
  logistic["weights"].erase(0);
  write_file_atomically(root / "damaged" / "baselines/rug.logistic.json", logistic.dump());
  export_serving(root / "missing", {.model = 0.5, .trees = 0.5, .logistic = 0.0}, 1.0);
  std::filesystem::remove(root / "missing" / "baselines/profitable.xgboost.json");
  for (const auto& [dir, expected] : {std::pair{root / "damaged", "rug.logistic.json"},
                                      std::pair{root / "missing", "profitable.xgboost.json"}}) {
    try {
      const Shim shim(dir, {.watch = false});
      FAIL() << dir << " was served";
    } catch (const ModelError& e) {
      EXPECT_NE(std::string(e.what()).find(expected), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find("snipe train"), std::string::npos) << e.what();
    }
  }
}

}  // namespace
}  // namespace snipe::shim

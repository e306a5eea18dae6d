// An export is served only when its metadata and scalers describe this build's features.

#include "shim/src/export_metadata.h"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include "shared/core/atomic_file.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "shared/store/export_format.h"
#include "snipe/shim.h"
#include "tests/support/temp_dir.h"

namespace snipe::shim {
namespace {

using nlohmann::json;
using snipe::testing::TempDir;

// What this build's trainer writes for an untrained model, exported by "0.1.0".
json valid_metadata(int window) {
  ExportMetadata metadata = make_export_metadata(window);
  metadata.snipe_version = "0.1.0";
  return to_json(metadata);
}

Scalers identity_scalers() {
  const auto column = [](auto list) {
    ColumnScaler s;
    s.names.assign(list.begin(), list.end());
    s.center.assign(list.size(), 0.0);
    s.scale.assign(list.size(), 1.0);
    return s;
  };
  return {column(kCandleFeatureNames), column(kIndicatorFeatureNames), column(kContextFeatureNames)};
}

class ExportMetadataTest : public ::testing::Test {
 protected:
  void write(const json& metadata, const json& scalers = scalers_to_json(identity_scalers())) {
    write_file_atomically(dir_ / kExportMetadataFile, metadata.dump());
    write_file_atomically(dir_ / kExportScalersFile, scalers.dump());
  }
  std::string refusal() {
    try {
      read_export_description(dir_.path());
    } catch (const ModelError& e) {
      return e.what();
    }
    ADD_FAILURE() << "the export was accepted";
    return {};
  }
  TempDir dir_;
};

TEST_F(ExportMetadataTest, AcceptsThisBuildsExport) {
  write(valid_metadata(24));
  const ExportDescription d = read_export_description(dir_.path());
  EXPECT_EQ(d.window, 24u);
  EXPECT_EQ(d.snipe_version, "0.1.0");
  EXPECT_EQ(d.scalers.indicator.names.size(), kIndicatorFeatureCount);
}

TEST_F(ExportMetadataTest, AnotherSchemaVersionIsRefusedWithAHint) {
  json m = valid_metadata(24);
  m["schema_version"] = kExportSchemaVersion + 1;
  write(m);
  const std::string message = refusal();
  EXPECT_NE(message.find(fmt::format("/schema_version is {} but this build reads {}", kExportSchemaVersion + 1,
                                     kExportSchemaVersion)),
            std::string::npos)
      << message;
  EXPECT_NE(message.find(kExportMetadataFile), std::string::npos) << message;
  EXPECT_NE(message.find("HINT"), std::string::npos) << message;
}

TEST_F(ExportMetadataTest, AnotherFeatureVersionIsRefused) {
  json m = valid_metadata(24);
  m["feature_version"] = kFeatureVersion + 3;
  write(m);
  EXPECT_NE(refusal().find("/feature_version"), std::string::npos);
}

TEST_F(ExportMetadataTest, FeaturesInAnotherOrderAreRefused) {
  json m = valid_metadata(24);
  std::swap(m["inputs"]["indicators"]["features"][0], m["inputs"]["indicators"]["features"][1]);
  write(m);
  const std::string message = refusal();
  EXPECT_NE(message.find("inputs.indicators.features is [ema_9_rel, rsi_14_frac"), std::string::npos) << message;
}

TEST_F(ExportMetadataTest, AMissingOrInconsistentWindowIsRefused) {
  json m = valid_metadata(24);
  m.erase("window");
  write(m);
  EXPECT_NE(refusal().find("field /window is missing"), std::string::npos);
  m = valid_metadata(24);
  m["window"] = 30;
  write(m);
  EXPECT_NE(refusal().find("disagrees with window 30"), std::string::npos);
}

TEST_F(ExportMetadataTest, AMistypedFieldIsRefusedNamingTheFileAndTheField) {
  json m = valid_metadata(24);
  m["snipe_version"] = 7;
  write(m);
  std::string message = refusal();
  EXPECT_NE(message.find(kExportMetadataFile), std::string::npos) << message;
  EXPECT_NE(message.find("field /snipe_version must be a string, is 7"), std::string::npos) << message;
  m = valid_metadata(24);
  m["inputs"]["context"]["features"][2] = nullptr;
  write(m);
  message = refusal();
  EXPECT_NE(message.find("field /inputs/context/features/2 must be a string, is null"), std::string::npos)
      << message;
  m = valid_metadata(24);
  m["thresholds"] = {{"profitable", 0.5}};
  write(m);
  EXPECT_NE(refusal().find("field /thresholds/rug is missing"), std::string::npos);
  m = valid_metadata(24);
  const nlohmann::json head = {{"weights", {{"model", 1.0}, {"trees", 0.0}, {"logistic", 0.0}}},
                                {"temperature", 1.5},
                                {"trees", ""},
                                {"logistic", ""}};
  m["serving"] = {{"profitable", head}, {"rug", head}};
  m["serving"]["rug"]["temperature"] = 0.0;
  write(m);
  EXPECT_NE(refusal().find("field /serving/rug/temperature is 0; it must be finite and > 0"), std::string::npos)
      << refusal();
  m["serving"]["rug"] = head;
  m["serving"]["rug"]["weights"] = {{"model", 0.5}, {"trees", 0.5}, {"logistic", 0.0}};
  write(m);
  EXPECT_NE(refusal().find("field /serving/rug/trees is empty"), std::string::npos) << refusal();
  m["serving"]["rug"]["weights"] = {{"model", 0.5}, {"trees", 0.0}, {"logistic", 0.5}};
  write(m);
  EXPECT_NE(refusal().find("field /serving/rug/logistic is empty"), std::string::npos) << refusal();
  m["serving"]["rug"]["weights"] = {{"model", 1.5}, {"trees", 0.0}, {"logistic", 0.0}};
  write(m);
  EXPECT_NE(refusal().find("field /serving/rug/weights/model is 1.5; it must be in [0, 1]"), std::string::npos)
      << refusal();
  m["serving"]["rug"]["weights"] = {{"model", 0.5}, {"trees", 0.0}, {"logistic", 0.0}};
  write(m);
  EXPECT_NE(refusal().find("field /serving/rug/weights sum to 0.5; they must sum to 1"), std::string::npos)
      << refusal();
}

TEST_F(ExportMetadataTest, TheDescriptionHoldsTheTrainersRecordAsWritten) {
  ExportMetadata written = make_export_metadata(24);
  written.labels = LabelOptions{.horizon = 12, .take_profit = 0.1, .stop_loss = 0.05, .rug_drop = 0.5};
  written.thresholds = ExportThresholds{.profitable = 0.625, .rug = 0.375};
  written.serving = ExportServing{.profitable = {.weights = {}, .temperature = 1.5},
                                  .rug = {.weights = {.model = 0.25, .trees = 0.5, .logistic = 0.25},
                                          .temperature = 0.75,
                                          .trees = "baselines/rug.xgboost.json",
                                          .logistic = "baselines/rug.logistic.json"}};
  written.provenance = {{"data", {{"generation", 3}}}, {"metrics", {{"val", {{"split", "val"}}}}}};
  write(to_json(written));
  const ExportMetadata read = read_export_description(dir_.path()).metadata;
  EXPECT_EQ(to_json(read), to_json(written)) << "struct -> json -> struct -> json loses nothing";
  EXPECT_EQ(read.created_at, written.created_at);
  ASSERT_TRUE(read.labels.has_value());
  EXPECT_EQ(read.labels->horizon, 12u);
  EXPECT_EQ(read.labels->rug_drop, 0.5);
  ASSERT_TRUE(read.thresholds.has_value());
  EXPECT_EQ(read.thresholds->profitable, 0.625);
  ASSERT_TRUE(read.serving.has_value());
  EXPECT_EQ(read.serving->rug, written.serving->rug);
  EXPECT_FALSE(read.provenance.contains("serving")) << "a typed key, not provenance";
  EXPECT_EQ(read.provenance["data"]["generation"], 3);
}

TEST_F(ExportMetadataTest, ScalersOfOtherFeaturesAreRefusedNamingTheirFile) {
  Scalers s = identity_scalers();
  s.candle.names[0] = "close";
  write(valid_metadata(24), scalers_to_json(s));
  const std::string message = refusal();
  EXPECT_NE(message.find(kExportScalersFile), std::string::npos) << message;
  EXPECT_NE(message.find("candle_scaler.feature_names"), std::string::npos) << message;
}

TEST_F(ExportMetadataTest, DamagedOrMissingFilesAreRefusedNamingThem) {
  write_file_atomically(dir_ / kExportMetadataFile, "{\"schema_version\": ");
  EXPECT_NE(refusal().find("not valid JSON"), std::string::npos);
  std::filesystem::remove(dir_ / kExportMetadataFile);
  EXPECT_NE(refusal().find("cannot be read"), std::string::npos);
}

}  // namespace
}  // namespace snipe::shim

// The export directory: the exported model reproduces the trained one (C++ and, where
// Debian's python3-torch is installed, Python), the files are complete, and a new export
// replaces an old one whole.

#include "trainer/export/export.h"

#include <cstdio>
#include <cstdlib>
#include <fstream>

#include <gtest/gtest.h>
#include <torch/torch.h>

#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"
#include "shared/core/model_error.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/model/attention_lstm.h"
#include "tests/support/temp_dir.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

const ModelOptions kSmall{.lstm1_hidden = 16, .lstm2_hidden = 8, .heads = 2, .context_hidden = 8, .head_hidden = 16};

struct Inputs {
  torch::Tensor candles, indicators, context;
};
Inputs random_inputs(std::int64_t batch, std::int64_t window, std::uint64_t seed) {
  torch::manual_seed(seed);
  return {torch::randn({batch, window, 5}), torch::randn({batch, window, 19}), torch::randn({batch, 12})};
}

std::vector<torch::Tensor> forward(torch::jit::Module& model, const Inputs& in) {
  const auto tuple = model.forward({in.candles, in.indicators, in.context}).toTuple();  // keeps the elements alive
  std::vector<torch::Tensor> out;
  for (const auto& e : tuple->elements()) out.push_back(e.toTensor());
  return out;
}

// Scalers over this build's feature names with made-up centres and scales.
Scalers some_scalers() {
  const auto column = [](auto names) {
    ColumnScaler s;
    for (std::size_t i = 0; i < names.size(); ++i) {
      s.names.emplace_back(names[i]);
      s.center.push_back(0.5 * static_cast<double>(i));
      s.scale.push_back(1.0 + static_cast<double>(i));
    }
    return s;
  };
  return {column(kCandleFeatureNames), column(kIndicatorFeatureNames), column(kContextFeatureNames)};
}

// A model trained for a few steps, so its weights are not the initial ones.
torch::jit::Module trained_model() {
  torch::jit::Module model = build_attention_lstm(kSmall, 31);
  torch::optim::AdamW optimizer(trainable_parameters(model), torch::optim::AdamWOptions(1e-2));
  const Inputs in = random_inputs(8, 20, 32);
  for (int step = 0; step < 5; ++step) {
    const auto out = model.get_method("logits")({in.candles, in.indicators, in.context}).toTuple()->elements();
    optimizer.zero_grad();
    (out[0].toTensor().pow(2).sum() + out[1].toTensor().sum()).backward();
    optimizer.step();
  }
  return model;
}

// The trainer's model runs the fused LSTM kernel; the export is its portable twin.
TEST(Export, TheExportedModelReproducesTheTrainedOne) {
  testing::TempDir dir;
  torch::jit::Module model = trained_model();
  torch::jit::Module portable = portable_attention_lstm(model, kSmall);
  write_export(dir / "export", portable, some_scalers(), make_export_metadata(20));
  EXPECT_TRUE(portable.is_training()) << "the export must leave the model's mode alone";

  torch::jit::Module loaded = load_exported_model(dir / "export");
  EXPECT_FALSE(loaded.is_training());
  model.eval();
  for (std::uint64_t seed : {1, 2, 3}) {
    const Inputs in = random_inputs(7, 20, seed);
    const auto expected = forward(model, in);
    const auto actual = forward(loaded, in);
    for (std::size_t head = 0; head < 3; ++head) {
      EXPECT_LE((expected[head] - actual[head]).abs().max().item<double>(), 1e-6) << "head " << head;
    }
  }
  for (const auto& named : model.named_parameters()) {
    EXPECT_TRUE(torch::equal(named.value, loaded.attr(named.name).toTensor())) << named.name;
  }
}

TEST(Export, WritesScalersAndMetadataBesideTheModel) {
  testing::TempDir dir;
  torch::jit::Module model = build_attention_lstm(kSmall, 1);
  const Scalers scalers = some_scalers();
  ExportMetadata written = make_export_metadata(20);
  written.thresholds = ExportThresholds{.profitable = 0.25, .rug = 0.75};
  write_export(dir / "export", model, scalers, written);
  const fs::path file = dir / "export" / kExportMetadataFile;
  const ExportMetadata metadata = export_metadata_from_json(json::parse(read_file(file)), file.string());
  EXPECT_EQ(metadata.window, 20);
  EXPECT_EQ(metadata.inputs.indicators, written.inputs.indicators);
  ASSERT_TRUE(metadata.thresholds.has_value());
  EXPECT_EQ(metadata.thresholds->rug, 0.75);
  const Scalers read = scalers_from_json(json::parse(read_file(dir / "export" / kExportScalersFile)));
  EXPECT_EQ(read.indicator.center, scalers.indicator.center);
  EXPECT_EQ(read.context.scale, scalers.context.scale);
  std::vector<std::string> entries;
  for (const auto& entry : fs::directory_iterator(dir.path())) entries.push_back(entry.path().filename());
  EXPECT_EQ(entries, std::vector<std::string>{"export"}) << "no temp directory is left behind";
}

TEST(Export, ANewExportReplacesTheOldOneWhole) {
  testing::TempDir dir;
  torch::jit::Module first = build_attention_lstm(kSmall, 1), second = build_attention_lstm(kSmall, 2);
  write_export(dir / "export", first, some_scalers(), make_export_metadata(21));
  std::ofstream(dir / "export" / "stray.txt") << "from the old export";
  write_export(dir / "export", second, some_scalers(), make_export_metadata(22));
  EXPECT_EQ(json::parse(read_file(dir / "export" / kExportMetadataFile))["window"], 22);
  EXPECT_FALSE(fs::exists(dir / "export" / "stray.txt"));
  torch::jit::Module loaded = load_exported_model(dir / "export");
  EXPECT_TRUE(torch::equal(loaded.attr("ln1_w").toTensor(), second.attr("ln1_w").toTensor()));
  EXPECT_TRUE(torch::equal(loaded.attr("lstm1_w_ih").toTensor(), second.attr("lstm1_w_ih").toTensor()));
}

TEST(Export, ADamagedModelFileIsRefusedWithItsPath) {
  testing::TempDir dir;
  fs::create_directories(dir / "export");
  write_file_atomically(dir / "export" / kExportModelFile, "not a zip archive");
  try {
    load_exported_model(dir / "export");
    FAIL() << "a damaged model.pt must be refused";
  } catch (const ModelError& e) {  // the shim's loader throws the same type (shared/store/torchscript_loader.h)
    EXPECT_NE(std::string(e.what()).find("model.pt"), std::string::npos) << e.what();
  }
}

// ---- Python -------------------------------------------------------------------------

bool python_has_torch() { return std::system("/usr/bin/python3 -c 'import torch' >/dev/null 2>&1") == 0; }

json tensor_json(const torch::Tensor& t) {
  const torch::Tensor c = t.contiguous();
  return {{"shape", c.sizes().vec()},
          {"data", std::vector<float>(c.data_ptr<float>(), c.data_ptr<float>() + c.numel())}};
}

std::string run_and_capture(const std::string& command) {
  std::string output;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) return output;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) output.append(buffer, n);
  EXPECT_EQ(::pclose(pipe), 0) << command << "\n" << output;
  return output;
}

TEST(Export, PythonTorchJitLoadGivesTheSameOutputs) {
  if (!python_has_torch()) GTEST_SKIP() << "/usr/bin/python3 cannot import torch (install python3-torch)";
  testing::TempDir dir;
  torch::jit::Module model = trained_model();
  torch::jit::Module portable = portable_attention_lstm(model, kSmall);
  write_export(dir / "export", portable, some_scalers(), make_export_metadata(20));
  model.eval();
  const Inputs in = random_inputs(6, 20, 41);
  write_file_atomically(dir / "inputs.json", json{{"candles", tensor_json(in.candles)},
                                                  {"indicators", tensor_json(in.indicators)},
                                                  {"context", tensor_json(in.context)}}
                                                 .dump());
  const json python = json::parse(run_and_capture(
      "/usr/bin/python3 tests/trainer/export/load_export.py " + (dir / "export" / kExportModelFile).string() + " " +
      (dir / "inputs.json").string()));
  const auto expected = forward(model, in);
  const char* heads[] = {"profitable", "max_profit", "rug"};
  for (std::size_t head = 0; head < 3; ++head) {
    const auto values = python.at(heads[head]).get<std::vector<float>>();
    ASSERT_EQ(values.size(), 6u);
    for (std::size_t i = 0; i < values.size(); ++i) {
      EXPECT_NEAR(values[i], expected[head][static_cast<std::int64_t>(i)].item<float>(), 1e-6) << heads[head];
    }
  }
}

}  // namespace
}  // namespace snipe::trainer

// snipe predict: the shim's predictions for a candle CSV, one JSON line per window end.

#include <cstdio>
#include <fstream>
#include <sstream>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "cli/command.h"
#include "shared/core/errors.h"
#include "shared/features/context.h"
#include "shared/market/candle_csv.h"
#include "shim/src/model_inputs.h"
#include "snipe/shim.h"

namespace snipe::cli {
namespace {

using nlohmann::json;

struct PredictOptions {
  std::string model_dir;     // export directory, or a registry directory with `current`
  std::string csv;           // the token's candles since launch
  std::string context_file;  // JSON object: context field -> number or null; empty: all unknown
  bool all = false;          // every window end, not only the last
  int threads = 1;           // LibTorch intra-op threads
};

#if SNIPE_WITH_TORCH
constexpr std::size_t kBatch = 64;  // window ends per model call with --all

shim::ContextValues read_context(const std::string& path) {
  shim::ContextValues values;
  if (path.empty()) {
    for (const std::string_view name : kContextFieldNames) values.emplace_back(std::string(name), std::nullopt);
    return values;
  }
  std::ifstream in(path);
  if (!in) throw DataError(fmt::format("{}: cannot read the context file", path));
  std::stringstream text;
  text << in.rdbuf();
  json doc;
  try {
    doc = json::parse(text.str());
  } catch (const json::parse_error& e) {
    throw DataError(fmt::format("{}: not valid JSON: {}", path, e.what()));
  }
  if (!doc.is_object()) throw DataError(fmt::format("{}: must be a JSON object of context fields", path));
  for (const auto& [name, value] : doc.items()) {
    if (!value.is_null() && !value.is_number()) {
      throw DataError(fmt::format("{}: field {} must be a number or null (unknown), is {}", path, name, value.dump()));
    }
    values.emplace_back(name, value.is_null() ? std::nullopt : std::optional<double>(value.get<double>()));
  }
  return values;
}

void print_line(std::int64_t timestamp, const shim::Prediction& p) {
  const json line = {{"timestamp", timestamp},
                     {"profitable_prob", p.profitable_prob},
                     {"max_profit", p.max_profit},
                     {"rug_prob", p.rug_prob},
                     {"model_version", p.model_version}};
  std::fputs((line.dump() + "\n").c_str(), stdout);
}

// Every window end from the first the model accepts, in batches of kBatch.
void predict_all(const shim::Shim& model, shim::CandleSpan candles, const shim::ContextValues& context) {
  for (std::size_t end = model.min_candles(); end <= candles.size(); end += kBatch) {
    std::vector<shim::TokenInput> batch;
    for (std::size_t e = end; e < end + kBatch && e <= candles.size(); ++e) {
      batch.push_back({candles.first(e), context});
    }
    const std::vector<shim::BatchItem> items = model.predict_batch(batch);
    for (std::size_t k = 0; k < items.size(); ++k) {
      if (!items[k].prediction) throw shim::InputError(items[k].error);
      print_line(candles[end + k - 1].timestamp, *items[k].prediction);
    }
  }
}

int run_predict(const PredictOptions& options) {
  const std::vector<shim::Candle> candles = shim::shim_candles(read_candles_csv(options.csv));
  const shim::ContextValues context = read_context(options.context_file);
  try {
    const shim::Shim model(options.model_dir, {.intra_op_threads = options.threads, .watch = false});
    if (options.all) {
      predict_all(model, candles, context);
    } else {
      const shim::Prediction p = model.predict({candles, context});
      print_line(candles.back().timestamp, p);
    }
  } catch (const shim::InputError& e) {
    throw DataError(fmt::format("{}: {}", options.csv, e.what()));
  } catch (const shim::ModelError& e) {
    throw DataError(e.what());  // names the model file and what to do
  }
  return 0;
}
#else
int run_predict(const PredictOptions&) { refuse_without_torch(); }
#endif

}  // namespace

Command add_predict_command(CLI::App& app) {
  auto options = std::make_shared<PredictOptions>();
  CLI::App* sub = app.add_subcommand(
      "predict", "Predict with an exported model from a token's candle CSV (JSON lines on stdout)");
  sub->add_option("--model", options->model_dir, "export directory, or a model directory whose `current` names one")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--csv", options->csv, "the token's candles since launch: timestamp,open,high,low,close,volume")
      ->required()
      ->check(CLI::ExistingFile);
  sub->add_option("--context", options->context_file,
                  "JSON object of every context field (number, or null when unknown); default: all unknown")
      ->check(CLI::ExistingFile);
  sub->add_flag("--all", options->all, "a line for every window end, not only the last");
  sub->add_option("--threads", options->threads, "LibTorch intra-op threads (default 1)")->check(CLI::PositiveNumber);
  return {sub, [options] { return run_predict(*options); }};
}

}  // namespace snipe::cli

// snipe evaluate: an export against its run's baselines on a data set it never saw
// (other tokens, another market): per binary head, the ROC-AUC and PR-AUC of the model,
// logistic regression and gradient-boosted trees on every usable example.

#include <fmt/format.h>

#include "cli/command.h"
#include "shared/core/atomic_file.h"
#if SNIPE_WITH_TORCH
#include "trainer/export/score_export.h"
#endif

namespace snipe::cli {
namespace {

struct EvaluateOptions {
  std::string export_dir;  // a trained export (with baselines/)
  std::string data_dir;    // a data set written by `snipe collect`
  std::string out;         // JSON report; empty: none
  std::string predictions; // CSV of every example's probabilities; empty: none
  int threads = 1;         // LibTorch and XGBoost threads
  int every = 1;           // score windows ending on every k-th row
};

#if SNIPE_WITH_TORCH
void print_head(const char* head, const trainer::HeadScores& s) {
  const auto pair = [](const trainer::BinaryMetrics& m) {
    return fmt::format("{:.3f} / {:.3f}", m.roc_auc, m.pr_auc);
  };
  fmt::print("  {:<10} served {}   sequence model alone {}   logistic {}   xgboost {}\n", head, pair(s.model),
             pair(s.sequence), pair(s.logistic), pair(s.xgboost));
}

int run_evaluate(const EvaluateOptions& options) {
  const trainer::ExportScores scores =
      trainer::score_export(options.export_dir, options.data_dir, options.threads, options.every);
  fmt::print("{} tokens, {} examples (ROC-AUC / PR-AUC):\n", scores.tokens, scores.examples);
  print_head("profitable", scores.profitable);
  print_head("rug", scores.rug);
  if (!options.out.empty()) write_file_atomically(options.out, trainer::to_json(scores).dump(2) + "\n");
  if (!options.predictions.empty()) write_file_atomically(options.predictions, trainer::predictions_csv(scores));
  return 0;
}
#else
int run_evaluate(const EvaluateOptions&) { refuse_without_torch(); }
#endif

}  // namespace

Command add_evaluate_command(CLI::App& app) {
  auto options = std::make_shared<EvaluateOptions>();
  CLI::App* sub = app.add_subcommand(
      "evaluate", "Score an export and its run's baselines on a data set it never saw (per head ROC-AUC, PR-AUC)");
  sub->add_option("--export", options->export_dir, "export directory written by `snipe train`")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--data", options->data_dir, "data directory written by `snipe collect`")
      ->required()
      ->check(CLI::ExistingDirectory);
  sub->add_option("--out", options->out, "also write the scores as JSON to this file");
  sub->add_option("--predictions", options->predictions,
                  "also write every example's probabilities (each head: served, sequence, logistic, xgboost) as "
                  "CSV to this file");
  sub->add_option("--every", options->every,
                  "score only windows that end on every k-th row of a token (default 1: all); windows one bar "
                  "apart are near-duplicates, so more tokens at k > 1 measure more for the same time")
      ->check(CLI::PositiveNumber);
  sub->add_option("--threads", options->threads, "LibTorch and XGBoost threads (default 1)")
      ->check(CLI::PositiveNumber);
  return {sub, [options] { return run_evaluate(*options); }};
}

}  // namespace snipe::cli

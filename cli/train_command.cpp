// snipe train: a collected data set -> a trained model, its checkpoints, metrics and test
// report, and the export the bot loads.

#include <cmath>

#include <fmt/format.h>

#include "cli/command.h"
#include "cli/stages.h"

namespace snipe::cli {
namespace {

struct TrainCommandOptions {
  CommonOptions common;
  std::string data_dir;  // DATA_DIR: a published data set
  std::string run_dir;   // RUN_DIR
  bool resume = false;   // require a checkpoint to continue from
  bool fresh = false;    // discard checkpoints and start afresh
};

int run_train_command(const TrainCommandOptions& options, Env& env) {
  const trainer::ResumeMode resume = options.fresh    ? trainer::ResumeMode::kFresh
                                     : options.resume ? trainer::ResumeMode::kRequire
                                                      : trainer::ResumeMode::kAuto;
  return run_mpi_job(options.common, {}, [&](const Config& config, const JobContext& context) {
    const trainer::TrainSummary summary =
        train_stage(config, context, options.data_dir, options.run_dir, resume, env);
    if (context.rank() == 0) print_train_summary(summary);
    return 0;
  });
}

}  // namespace

namespace {

// A metric: 3 decimals, or "n/a" where it is undefined (NaN).
std::string metric(double value) { return std::isnan(value) ? "n/a" : fmt::format("{:.3f}", value); }

}  // namespace

void print_train_summary(const trainer::TrainSummary& summary) {
  const trainer::MetricsRecord& test = summary.report.test;
  const trainer::TrainingReport& report = summary.report;
  fmt::print("trained {} epochs ({} steps{}{}); best epoch {}: val {} {}\n", summary.epochs_completed,
             summary.steps, summary.stopped_early ? ", stopped early" : "", summary.resumed ? ", resumed" : "",
             summary.best_epoch + 1, report.selection, metric(report.selection_score));
  fmt::print("  test: profitable ROC-AUC {}, PR-AUC {}; rug ROC-AUC {}; max_profit MAE {}\n",
             metric(test.profitable.roc_auc), metric(test.profitable.pr_auc), metric(test.rug.roc_auc),
             metric(test.max_profit.mae));
  for (const char* split : {"val", "test"}) {
    fmt::print("  {} against the best baseline: {}; {}\n", split,
               trainer::comparison_line("profitable", report.profitable_comparison(), split),
               trainer::comparison_line("rug", report.rug_comparison(), split));
  }
  fmt::print("  export: {}\n", summary.export_dir.string());
}

Command add_train_command(CLI::App& app, Env& env) {
  auto options = std::make_shared<TrainCommandOptions>();
  CLI::App* sub = app.add_subcommand(
      "train", "Train the attention-LSTM on a collected data set and export it for the bot");
  add_common_options(*sub, options->common);
  sub->add_option("--data", options->data_dir, "data directory written by `snipe collect`")->required();
  sub->add_option("--out", options->run_dir,
                  "run directory: checkpoints/, metrics.jsonl, report.json, export/")
      ->required();
  auto* resume = sub->add_flag("--resume", options->resume,
                               "continue from the newest checkpoint (an error if there is none); "
                               "without it a checkpoint is used when present");
  sub->add_flag("--fresh", options->fresh, "discard existing checkpoints and start afresh")->excludes(resume);
  return {sub, [options, &env] { return run_train_command(*options, env); }};
}

}  // namespace snipe::cli

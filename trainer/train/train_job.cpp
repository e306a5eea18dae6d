// The training job: data -> split -> scalers -> model -> epochs (checkpointed, early
// stopped) -> test report -> export.

#include "trainer/train/train_job.h"

#include <sched.h>

#include <algorithm>
#include <array>
#include <optional>
#include <sstream>
#include <tuple>
#include <chrono>
#include <cmath>
#include <fstream>
#include <thread>

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>
#include <torch/torch.h>

#include "shared/comm/communicator.h"
#include "shared/comm/job_context.h"
#include "shared/core/env.h"
#include "shared/core/errors.h"
#include "shared/core/hash.h"
#include "shared/core/progress.h"
#include "shared/features/context.h"
#include "shared/features/model_features.h"
#include "trainer/baselines/baselines.h"
#include "trainer/data/data_set.h"
#include "trainer/data/scalers.h"
#include "trainer/data/window_loader.h"
#include "trainer/export/export.h"
#include "trainer/model/attention_lstm.h"
#include "trainer/train/allocator.h"
#include "trainer/train/checkpoint.h"
#include "trainer/train/evaluate.h"
#include "trainer/train/gradient_reducer.h"
#include "trainer/train/metrics_log.h"
#include "trainer/train/serving.h"
#include "trainer/train/trainer.h"

namespace snipe::trainer {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

// ---- settings -------------------------------------------------------------------------

json options_json(const TrainJob& job) {
  const TrainOptions& t = job.train;
  const ModelOptions& m = job.model;
  const SplitOptions& s = job.split;
  return {
      {"split", {{"train_fraction", s.train_fraction}, {"val_fraction", s.val_fraction},
                 {"window", s.window}, {"embargo", s.embargo}, {"whole_tokens", s.whole_tokens},
                 {"seed", s.seed}}},
      {"model", {{"candle_features", m.candle_features}, {"indicator_features", m.indicator_features},
                 {"context_features", m.context_features}, {"lstm1_hidden", m.lstm1_hidden},
                 {"lstm2_hidden", m.lstm2_hidden}, {"heads", m.heads},
                 {"attention_dropout", m.attention_dropout}, {"pooling", pooling_name(m.pooling)},
                 {"context_hidden", m.context_hidden},
                 {"head_hidden", m.head_hidden}, {"head_dropout", m.head_dropout}}},
      {"train", {{"window", t.window}, {"batch_size", t.batch_size}, {"epochs", t.epochs}, {"seed", t.seed},
                 {"lr", t.lr}, {"min_lr", t.min_lr}, {"warmup_steps", t.warmup_steps},
                 {"weight_decay", t.weight_decay}, {"grad_clip", t.grad_clip},
                 {"loss_profitable_weight", t.loss.profitable_weight},
                 {"loss_max_profit_weight", t.loss.max_profit_weight},
                 {"loss_rug_weight", t.loss.rug_weight}, {"huber_delta", t.loss.huber_delta},
                 {"rug_class_weight_power", t.loss.rug_class_weight_power},
                 {"select", selection_name(t.select.criterion)}, {"select_rug_weight", t.select.rug_weight}}},
  };
}

// The job as it runs: the window and seed of the split are the training's, the feature
// counts are the data set's.
TrainJob resolved(TrainJob job) {
  job.split.window = job.train.window;
  job.split.seed = job.train.seed;
  job.model.candle_features = static_cast<std::int64_t>(kCandleFeatureCount);
  job.model.indicator_features = static_cast<std::int64_t>(kIndicatorFeatureCount);
  job.model.context_features = static_cast<std::int64_t>(kContextFeatureCount);
  return job;
}

// ---- data -----------------------------------------------------------------------------

// The split, refused when a side is empty: val drives early stopping, test the report.
Split checked_split(const DataSet& data, const TrainJob& job) {
  Split split = split_examples(data, job.split);
  const auto check = [&](const std::vector<std::uint32_t>& examples, const char* name) {
    if (!examples.empty()) return;
    throw DataError(fmt::format(
        "{}: the {} split is empty (train {}, val {}, test {} examples with window {}, embargo {}, "
        "horizon purge); HINT: collect longer series or more tokens, lower train.window or split.embargo, "
        "or set split.whole_tokens = true",
        job.data_dir.string(), name, split.train.size(), split.val.size(), split.test.size(),
        job.split.window, job.split.embargo));
  };
  check(split.train, "train");
  check(split.val, "val");
  check(split.test, "test");
  return split;
}

LoaderOptions loader_options(const TrainOptions& t, bool shuffle) {
  return {.batch_size = t.batch_size, .window = t.window, .seed = t.seed, .shuffle = shuffle,
          .drop_last = false, .prefetch = t.prefetch};
}

// ---- training state -------------------------------------------------------------------

std::vector<torch::Tensor> clone_all(const std::vector<torch::Tensor>& tensors) {
  std::vector<torch::Tensor> copies;
  copies.reserve(tensors.size());
  for (const auto& t : tensors) copies.push_back(t.detach().clone());
  return copies;
}

void copy_into(const std::vector<torch::Tensor>& targets, const std::vector<torch::Tensor>& values) {
  const torch::NoGradGuard no_grad;
  for (std::size_t i = 0; i < targets.size(); ++i) targets[i].copy_(values[i]);
}

// Early stopping on the selection score (selection.h). An undefined score (one class in
// val on every head it reads) never improves, except that the first epoch is always the
// first best.
bool improves(const CheckpointState& state, double score) {
  return state.best_epoch < 0 || (!std::isnan(score) && score > state.best_metric);
}

// How one binary head is served (serving.h), chosen on val from the model's and its
// baselines' probabilities (`val_tokens`: each val row's series); `val` and `test` become
// the served probabilities.
HeadServing serve_head(std::vector<float>& val, const std::vector<float>& val_y,
                       std::span<const std::uint32_t> val_tokens, std::vector<float>& test,
                       const std::vector<float>& test_y, const HeadModels& baselines) {
  const HeadInputs v{.model = val, .trees = baselines.trees_val, .logistic = baselines.logistic_val,
                     .labels = val_y, .tokens = val_tokens};
  const HeadInputs t{.model = test, .trees = baselines.trees_test, .logistic = baselines.logistic_test,
                     .labels = test_y};
  const HeadServing serving = choose_serving(v, t);
  std::vector<float> served_val = served(v, serving.weights, serving.temperature);
  test = served(t, serving.weights, serving.temperature);
  val = std::move(served_val);
  return serving;
}

// A head's blend weights and temperature, as metrics.jsonl's final record shows them.
json served_by(const HeadServing& s) {
  const json all = to_json(s);
  return {{"weights", all["weights"]}, {"temperature", all["temperature"]}};
}

// The baseline models as export files (export.h): baselines/<head>.<kind>.json.
std::vector<ExportFile> baseline_files(const Baselines& baselines) {
  std::vector<ExportFile> files;
  for (const auto& [head, models] : {std::pair<const char*, const HeadModels*>{"profitable", &baselines.profitable},
                                     {"rug", &baselines.rug}}) {
    files.push_back({baseline_file(head, "xgboost"), models->trees.to_json()});
    files.push_back({baseline_file(head, "logistic"), to_json(models->logistic).dump() + "\n"});
  }
  return files;
}

// "0.7412 (xgboost 0.7520)": the model's val AUC of a head beside its best baseline's.
std::string beside_baseline(double auc, const HeadBaselines& baselines) {
  const BaselineResult& best = baselines.best();
  return fmt::format("{:.4f} ({} {:.4f})", auc, best.name, best.val.roc_auc);
}

// ---- the ranks -----------------------------------------------------------------------

// The cores this rank may use: its CPU affinity when the launcher bound it (mpirun
// --bind-to core, srun --cpu-bind), otherwise this host's cores shared among its ranks.
int cores_of_this_rank(int ranks_on_host) {
  const int all = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) == 0) {
    const int bound = CPU_COUNT(&set);
    if (bound > 0 && bound < all) return bound;
  }
  return std::max(1, all / std::max(1, ranks_on_host));
}

int resolve_threads(int threads, int ranks_on_host) {
  return threads > 0 ? threads : cores_of_this_rank(ranks_on_host);
}

// Each rank's share of the global batch; the ranks must divide it.
std::size_t per_rank_batch(const TrainOptions& t, int world) {
  const auto w = static_cast<std::size_t>(world);
  if (t.batch_size % w != 0) {
    const std::size_t below = t.batch_size - t.batch_size % w;
    throw ConfigError(fmt::format(
        "train.batch_size = {} is the global batch, which the {} ranks share equally; it must be a multiple of {}; "
        "HINT: use {} or {}, or run on a number of ranks that divides {}",
        t.batch_size, world, world, below > 0 ? below : w, below + w, t.batch_size));
  }
  return t.batch_size / w;
}

// Logs, on rank 0, where every rank runs.
// Collective.
void log_layout(const JobContext& context, const Communicator& comm) {
  const std::string mine =
      fmt::format("rank {}: host {}, local rank {} of {}, {} threads, {} backend{}", context.rank(), context.host(),
                  context.local_rank(), context.local_size(), torch::get_num_threads(), comm.backend(),
                  comm.cuda_device() >= 0 ? fmt::format(", GPU {}", comm.cuda_device()) : "");
  const std::vector<std::string> all = allgather(context.comm(), mine);  // [rank]
  if (context.rank() == 0) spdlog::info("{} ranks:\n  {}", context.size(), fmt::join(all, "\n  "));
}

// ---- the job --------------------------------------------------------------------------

class Job {
 public:
  Job(const TrainJob& job, const JobContext& context, Env& env)
      : job_(resolved(job)),
        context_(context),
        env_(env),
        comm_(make_communicator(job_.distributed.comm, context)),
        lead_(comm_->rank() == 0),
        batch_per_rank_(per_rank_batch(job_.train, comm_->size())),
        data_(load_data_set(job_.data_dir)),
        split_(checked_split(data_, job_)),
        fit_share_(fitting_share(data_, split_.train, comm_->rank(), comm_->size())),
        scalers_(fit_scalers(data_, fit_share_, job_.train.window, *comm_)),
        class_weights_(balanced_class_weights(data_, fit_share_, *comm_)),
        run_key_(hex64(fnv1a(options_json(job_).dump() + data_.manifest.content_hash))),
        model_(build_attention_lstm(job_.model, job_.train.seed)),
        scaled_(scale_series_set(data_, scalers_)),
        train_loader_(data_, scaled_, split_.train, train_loader_options()),
        val_loader_(data_, scaled_, strided_share(split_.val, comm_->rank(), comm_->size()), eval_loader_options()),
        schedule_{.peak_lr = job_.train.lr, .min_lr = job_.train.min_lr,
                  .warmup_steps = job_.train.warmup_steps,
                  .total_steps = std::max<std::int64_t>(
                      job_.train.warmup_steps,
                      job_.train.epochs * static_cast<std::int64_t>(train_loader_.batches_per_epoch()))},
        reducer_(trainable_parameters(model_), *comm_, job_.distributed.bucket_mb),
        trainer_(model_, job_.train, class_weights_, schedule_, reducer_.hook(), comm_->rank()),
        best_(clone_all(trainer_.parameters())) {
    state_.run_key = run_key_;
    state_.threads = torch::get_num_threads();
    state_.world = comm_->size();
  }

  TrainSummary run() {
    log_layout(context_, *comm_);
    if (lead_) fs::create_directories(job_.run_dir);
    TrainSummary summary;
    summary.resumed = resume_if_asked();  // first: a refused resume must not touch the run's files
    if (!summary.resumed) broadcast_tensors(trainer_.parameters(), *comm_);
    fit_baselines_on_lead();
    std::optional<MetricsLog> metrics;
    if (lead_) {
      env_.write_file_atomically(job_.run_dir / "settings.toml", job_.settings_toml);
      metrics.emplace(job_.run_dir / "metrics.jsonl", state_.epoch);
      log_start();
    }
    while (state_.epoch < job_.train.epochs && state_.epochs_without_improvement < job_.train.patience) {
      const json record = train_epoch();
      if (metrics) metrics->append(record);
      checkpoint();
    }
    summary.stopped_early = state_.epoch < job_.train.epochs;
    copy_into(trainer_.parameters(), best_);
    summary.report = finish();
    if (metrics) metrics->append(final_record(summary.report));
    summary.epochs_completed = state_.epoch;
    summary.steps = state_.step;
    summary.best_epoch = state_.best_epoch;
    summary.best_val_auc = state_.best_metric;
    summary.export_dir = job_.run_dir / "export";
    summary.world = comm_->size();
    return summary;
  }

 private:
  fs::path checkpoint_dir() const { return job_.run_dir / "checkpoints"; }

  // Rank 0 fits the baselines (baselines.h) while the other ranks wait in a barrier that
  // sleeps, so the trees may use every core of this host; then every rank gets their
  // report. Deterministic, so a resumed run fits the same ones again.
  void fit_baselines_on_lead() {
    std::string report;
    if (lead_) {
      const int host_cores = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
      const int threads = std::clamp(torch::get_num_threads() * context_.local_size(), 1, host_cores);
      const auto start = env_.clock().now();
      baselines_.emplace(
          fit_baselines(data_, split_, {.window = job_.train.window, .threads = threads, .seed = job_.train.seed}));
      const double seconds = std::chrono::duration<double>(env_.clock().now() - start).count();
      report = to_json(baselines_->report).dump();
      spdlog::info("baselines ({} thread{}, {:.1f} s): val ROC-AUC profitable logistic {:.4f}, xgboost {:.4f}; rug "
                   "logistic {:.4f}, xgboost {:.4f}",
                   threads, threads == 1 ? "" : "s", seconds,
                   baselines_->report.profitable.results[0].val.roc_auc,
                   baselines_->report.profitable.results[1].val.roc_auc, baselines_->report.rug.results[0].val.roc_auc,
                   baselines_->report.rug.results[1].val.roc_auc);
    }
    comm_->barrier();
    broadcast_string(*comm_, report);
    const json parsed = json::parse(report);
    baseline_report_ = baseline_report_from_json(JsonFields(parsed, "the baselines of rank 0", "HINT: a bug"));
  }

  // The last record of metrics.jsonl: the best epoch against the baselines.
  json final_record(const TrainingReport& report) const {
    return {{"final", true},
            {"epoch", report.epochs_completed},
            {"best_epoch", report.best_epoch},
            {"selection", {{"criterion", report.selection}, {"score", metric_or_null(report.selection_score)}}},
            {"comparison", comparison_json(report)},
            {"serving",
             {{"profitable", served_by(report.profitable_serving)}, {"rug", served_by(report.rug_serving)}}}};
  }
  TrainingObjects objects() { return {model_, trainer_.optimizer(), best_}; }

  // This rank's share of each global batch (the distributed sampler).
  LoaderOptions train_loader_options() const {
    LoaderOptions o = loader_options(job_.train, true);
    o.batch_size = batch_per_rank_;
    o.rank = static_cast<std::size_t>(comm_->rank());
    o.world = static_cast<std::size_t>(comm_->size());
    o.pad_shards = job_.distributed.pad_shards;
    return o;
  }
  // Evaluation: this rank's strided share, in order.
  LoaderOptions eval_loader_options() const { return loader_options(job_.train, false); }

  // Rank 0 writes the checkpoint; the barrier after it tells every rank it is complete
  // (so a rank killed right after one leaves that checkpoint to resume from).
  void checkpoint() {
    if (lead_) save_checkpoint(checkpoint_dir(), state_, objects(), job_.train.keep_checkpoints);
    comm_->barrier();
  }

  // Rank 0 finds and reads the checkpoint and sends the state, parameters, optimizer
  // state and best weights to the other ranks. Returns whether the run resumed.
  bool resume_if_asked() {
    std::string state_bytes;  // empty: start afresh
    if (lead_) state_bytes = load_latest_checkpoint();
    broadcast_string(*comm_, state_bytes);
    if (state_bytes.empty()) return false;
    state_ = decode_checkpoint_state(state_bytes);
    const std::int64_t written_by = state_.world > 0 ? state_.world : 1;  // 0: before v3, one rank
    broadcast_tensors(trainer_.parameters(), *comm_);
    broadcast_optimizer();
    if (state_.best_epoch >= 0) {
      broadcast_tensors(best_, *comm_);
    } else {
      best_ = clone_all(trainer_.parameters());  // saved before any epoch ended
    }
    log_resume(written_by);
    state_.world = comm_->size();
    if (state_.threads != 0 && state_.threads != torch::get_num_threads()) state_.threads = torch::get_num_threads();
    return true;
  }

  // Rank 0: the newest checkpoint loaded into this rank's objects, and its state as bytes;
  // empty when starting afresh.
  std::string load_latest_checkpoint() {
    if (job_.resume == ResumeMode::kFresh) {
      fs::remove_all(checkpoint_dir());
      return {};
    }
    const auto latest = latest_checkpoint(checkpoint_dir());
    if (!latest && job_.resume == ResumeMode::kRequire) {
      throw DataError(fmt::format("{}: no checkpoint to resume from; HINT: drop --resume to start afresh",
                                  checkpoint_dir().string()));
    }
    if (!latest) return {};
    const CheckpointState loaded = load_checkpoint(*latest, run_key_, objects());
    spdlog::info("resuming from {}: epoch {}, batch {}, step {}", latest->string(), loaded.epoch + 1,
                 loaded.batches_done, loaded.step);
    return encode_checkpoint_state(loaded);
  }

  void broadcast_optimizer() {
    if (comm_->size() == 1) return;
    std::string bytes;
    if (lead_) {
      torch::serialize::OutputArchive archive;
      trainer_.optimizer().save(archive);
      std::ostringstream out;
      archive.save_to(out);
      bytes = std::move(out).str();
    }
    broadcast_string(*comm_, bytes);
    if (lead_) return;
    torch::serialize::InputArchive archive;
    std::istringstream in(bytes);
    archive.load_from(in);
    trainer_.optimizer().state().clear();
    trainer_.optimizer().load(archive);
  }

  // `written_by`: the ranks of the run that wrote the checkpoint (rank 0's view).
  void log_resume(std::int64_t written_by) const {
    if (!lead_) return;
    if (written_by != comm_->size()) {
      spdlog::info("the checkpoint was written by {} rank{} and this run has {}: the sampler re-shards the rest of "
                   "epoch {} and the epochs after it over {} rank{} (global batch {} = {} x {} per rank, as before)",
                   written_by, written_by == 1 ? "" : "s", comm_->size(), state_.epoch + 1, comm_->size(),
                   comm_->size() == 1 ? "" : "s", job_.train.batch_size, comm_->size(), batch_per_rank_);
    }
    if (state_.threads != 0 && state_.threads != torch::get_num_threads()) {
      spdlog::warn("the checkpoint was written with {} threads and this run uses {}: the result will differ in "
                   "the last bits from an uninterrupted run (set train.threads to {} for an exact resume)",
                   state_.threads, torch::get_num_threads(), state_.threads);
    }
  }

  void log_start() const {
    spdlog::info("training: {} train / {} val / {} test examples, window {}, global batch {} ({} ranks x {}), {} "
                 "batches per epoch, {} intra-op thread(s) per rank, {} gradient all-reduce{}, run key {}",
                 split_.train.size(), split_.val.size(), split_.test.size(), job_.train.window, job_.train.batch_size,
                 comm_->size(), batch_per_rank_, train_loader_.batches_per_epoch(), torch::get_num_threads(),
                 reducer_.buckets() == 1 ? "one fused" : fmt::format("{} buckets of", reducer_.buckets()),
                 reducer_.buckets() == 1 ? "" : fmt::format(" ~{} MB", job_.distributed.bucket_mb), run_key_);
  }

  // A diverged run stops here rather than train on and export NaN weights. Every rank
  // sees the same averaged loss and gradient, so every rank stops alike.
  void require_finite(const StepResult& step) const {
    if (std::isfinite(step.loss) && std::isfinite(step.grad_norm)) return;
    throw DataError(fmt::format("training diverged at epoch {}, step {}: loss {}, gradient norm {}; HINT: lower "
                                "train.lr or train.grad_clip, or check the data set for extreme values",
                                state_.epoch + 1, state_.step + 1, step.loss, step.grad_norm));
  }

  // The step's losses averaged over the ranks: the global batch's.
  void average_losses(StepResult& step) const {
    std::array<double, 4> terms{step.loss, step.profitable, step.max_profit, step.rug};
    comm_->allreduce(buffer_of(std::span(terms)), ReduceOp::kAverage);
    std::tie(step.loss, step.profitable, step.max_profit, step.rug) = std::tuple(terms[0], terms[1], terms[2], terms[3]);
  }

  void train_step(Batch& batch) {
    env_.reached(FaultPoint::kTrainStepStarting, state_.step + 1);
    StepResult step = trainer_.step(batch, state_.step);
    average_losses(step);
    require_finite(step);
    state_.epoch_loss_sum += step.loss;
    ++state_.step;
    ++state_.batches_done;
  }

  // Predictions of `split` gathered from every rank's share (`loader` holds this rank's).
  Predictions predict_split(WindowLoader& loader, const std::vector<std::uint32_t>& split) {
    return gather_predictions(predict(model_, loader, job_.train.window), split, *comm_);
  }

  // Trains the rest of epoch state_.epoch, evaluates on val and updates the best weights.
  json train_epoch() {
    const auto start = env_.clock().now();
    const std::size_t batches = train_loader_.batches_per_epoch();
    Progress progress(fmt::format("epoch {}/{}", state_.epoch + 1, job_.train.epochs), batches, lead_);
    progress.advance(static_cast<std::size_t>(state_.batches_done));
    train_loader_.start_epoch(static_cast<std::uint64_t>(state_.epoch), static_cast<std::size_t>(state_.batches_done));
    Batch batch;
    while (train_loader_.next(batch)) {
      train_step(batch);
      progress.advance();
      if (job_.train.checkpoint_every_steps > 0 && state_.step % job_.train.checkpoint_every_steps == 0 &&
          static_cast<std::size_t>(state_.batches_done) < batches) {
        checkpoint();
        env_.reached(FaultPoint::kTrainCheckpointWritten, state_.step);
      }
    }
    progress.finish();
    const double seconds = std::chrono::duration<double>(env_.clock().now() - start).count();
    const MetricsRecord val = evaluate_predictions(predict_split(val_loader_, split_.val), "val", state_.epoch + 1,
                                                   state_.step);
    const double score = selection_score(job_.train.select, val);
    const bool better = improves(state_, score);
    if (better) {
      best_ = clone_all(trainer_.parameters());
      state_.best_metric = score;
      state_.best_epoch = state_.epoch;
      state_.epochs_without_improvement = 0;
    } else {
      ++state_.epochs_without_improvement;
    }
    const double train_loss = state_.epoch_loss_sum / static_cast<double>(std::max<std::int64_t>(state_.batches_done, 1));
    if (lead_) {
      spdlog::info("epoch {}/{}: train loss {:.4f}, val ROC-AUC profitable {} rug {}, {} {:.4f}, {:.1f} s{}",
                   state_.epoch + 1, job_.train.epochs, train_loss,
                   beside_baseline(val.profitable.roc_auc, baseline_report_.profitable),
                   beside_baseline(val.rug.roc_auc, baseline_report_.rug), selection_name(job_.train.select.criterion),
                   score, seconds, better ? " (best)" : "");
    }
    ++state_.epoch;
    state_.batches_done = 0;
    state_.epoch_loss_sum = 0;
    json record = to_json(val);
    record["train_loss"] = train_loss;
    record["lr"] = schedule_.at(std::max<std::int64_t>(state_.step - 1, 0));  // of the epoch's last step
    record["seconds"] = seconds;
    record["best"] = better;
    record["selection"] = metric_or_null(score);
    const auto best = [](const HeadBaselines& head) {
      return json{{"best", head.best().name}, {"roc_auc", metric_or_null(head.best().val.roc_auc)}};
    };
    record["baselines"] = {{"profitable", best(baseline_report_.profitable)}, {"rug", best(baseline_report_.rug)}};
    return record;
  }

  // With the best weights loaded: every rank predicts its share of val and test; rank 0
  // chooses how each binary head is served (blend with its trees, temperature; on val),
  // reports the served heads against the baselines and exports; the others read its
  // report.
  TrainingReport finish() {
    WindowLoader test_loader(data_, scaled_, strided_share(split_.test, comm_->rank(), comm_->size()),
                             eval_loader_options());
    Predictions test_p = predict_split(test_loader, split_.test);
    Predictions val_p = predict_split(val_loader_, split_.val);
    std::string report_json;
    if (lead_) {
      const TrainingReport report = lead_report(val_p, test_p);
      log_final(report);
      report_json = to_json(report).dump(2) + "\n";
      env_.write_file_atomically(job_.run_dir / "report.json", report_json);
      torch::jit::Module portable = portable_attention_lstm(model_, job_.model);
      write_export(job_.run_dir / "export", portable, scalers_, metadata(report), baseline_files(*baselines_));
    }
    broadcast_string(*comm_, report_json);  // also tells every rank the export is in place
    return training_report_from_json(json::parse(report_json), "rank 0's report");
  }

  // Rank 0: the served heads' metrics from the gathered predictions (which become the
  // served probabilities) and the trees' on the same examples.
  TrainingReport lead_report(Predictions& val_p, Predictions& test_p) const {
    TrainingReport report{.best_epoch = state_.best_epoch + 1,
                          .epochs_completed = state_.epoch,
                          .steps = state_.step,
                          .ranks = comm_->size(),
                          .examples = split_sizes(),
                          .selection = std::string(selection_name(job_.train.select.criterion)),
                          .selection_score = state_.best_metric,
                          .baselines = baseline_report_};
    std::vector<std::uint32_t> val_tokens;  // the series of each val row
    for (const std::uint32_t e : val_p.examples) val_tokens.push_back(data_.examples[e].series);
    report.profitable_serving = serve_head(val_p.profitable, val_p.profitable_y, val_tokens, test_p.profitable,
                                           test_p.profitable_y, baselines_->profitable);
    report.rug_serving =
        serve_head(val_p.rug, val_p.rug_y, val_tokens, test_p.rug, test_p.rug_y, baselines_->rug);
    report.val = evaluate_predictions(val_p, "val", state_.best_epoch + 1, state_.step);
    report.test = evaluate_predictions(test_p, "test", state_.best_epoch + 1, state_.step);
    return report;
  }

  void log_final(const TrainingReport& report) const {
    const auto serving = [](const HeadServing& s) {
      return fmt::format("{}, T {:.2f} (val ROC-AUC {:.3f}, blends within {:.3f} of the best counted as good; "
                         "the model alone {:.3f})",
                         describe(s.weights), s.temperature, s.blend_val_auc, s.tolerance, s.sequence_val_auc);
    };
    spdlog::info("served: profitable by {}, rug by {}", serving(report.profitable_serving),
                 serving(report.rug_serving));
    spdlog::info("best epoch {} against the best baseline: val {}; {} | test {}; {}", report.best_epoch,
                 comparison_line("profitable", report.profitable_comparison(), "val"),
                 comparison_line("rug", report.rug_comparison(), "val"),
                 comparison_line("profitable", report.profitable_comparison(), "test"),
                 comparison_line("rug", report.rug_comparison(), "test"));
  }

  SplitSizes split_sizes() const {
    const auto size = [](const std::vector<std::uint32_t>& v) { return static_cast<std::int64_t>(v.size()); };
    return {.train = size(split_.train), .val = size(split_.val), .test = size(split_.test)};
  }

  ExportMetadata metadata(const TrainingReport& report) const;

  const TrainJob job_;
  const JobContext& context_;
  Env& env_;                                  // files, clock and crash points
  const std::unique_ptr<Communicator> comm_;  // first built, last destroyed
  const bool lead_;                           // rank 0: logs, checkpoints, report, export
  const std::size_t batch_per_rank_;
  const DataSet data_;
  const Split split_;
  const std::vector<std::uint32_t> fit_share_;  // this rank's train examples for the scalers
  const Scalers scalers_;
  const LabelWeights class_weights_;
  const std::string run_key_;
  torch::jit::Module model_;
  const std::shared_ptr<const ScaledSeriesSet> scaled_;  // shared by the three loaders
  WindowLoader train_loader_;
  WindowLoader val_loader_;
  const LrSchedule schedule_;
  GradientReducer reducer_;
  Trainer trainer_;
  std::vector<torch::Tensor> best_;  // the parameters at the best epoch (every rank holds them)
  std::optional<Baselines> baselines_;  // rank 0: the fitted baseline models
  BaselineReport baseline_report_;      // every rank: what they scored
  CheckpointState state_;            // the same on every rank
};

// The decision threshold of a head: its best-F1 threshold on val, 0.5 when undefined.
double threshold_of(const BinaryMetrics& m) {
  return std::isnan(m.best_f1.threshold) ? 0.5 : m.best_f1.threshold;
}

ExportMetadata Job::metadata(const TrainingReport& report) const {
  const MetricsRecord& val = report.val;
  const MetricsRecord& test = report.test;
  ExportMetadata metadata = make_export_metadata(static_cast<std::int64_t>(job_.train.window));
  metadata.created_at = utc_iso8601(env_.clock().unix_seconds());  // the Env's clock
  metadata.labels = data_.labels;
  metadata.thresholds = ExportThresholds{.profitable = threshold_of(val.profitable), .rug = threshold_of(val.rug)};
  const auto serving = [](const HeadServing& s, const char* head) {
    return ExportHeadServing{.weights = s.weights, .temperature = s.temperature,
                             .trees = baseline_file(head, "xgboost"), .logistic = baseline_file(head, "logistic")};
  };
  metadata.serving = ExportServing{.profitable = serving(report.profitable_serving, "profitable"),
                                   .rug = serving(report.rug_serving, "rug")};
  const json options = options_json(job_);
  metadata.provenance = {
      {"metrics", {{"val", to_json(val)}, {"test", to_json(test)}}},
      {"baselines", {{"comparison", comparison_json(report)}, {"metrics", to_json(report.baselines)}}},
      {"data", {{"dir", job_.data_dir.string()},
                {"manifest_hash", data_.manifest_hash},
                {"content_hash", data_.manifest.content_hash},
                {"generation", data_.manifest.generation}}},
      {"split", {{"options", options["split"]}, {"boundaries", split_.boundaries},
                 {"examples", to_json(split_sizes())}}},
      {"training", {{"options", options["train"]}, {"model", options["model"]},
                    {"best_epoch", state_.best_epoch + 1}, {"epochs_completed", state_.epoch},
                    {"steps", state_.step}, {"run_key", run_key_},
                    {"distributed", {{"ranks", comm_->size()}, {"backend", comm_->backend()},
                                     {"batch_per_rank", batch_per_rank_},
                                     {"bucket_mb", job_.distributed.bucket_mb},
                                     {"pad_shards", job_.distributed.pad_shards}}}}},
  };
  return metadata;
}

// For the life of a training job: TorchScript graphs run as written, without the
// profiling executor's specialisation, so the first steps after a resume compute exactly
// what the same steps of an uninterrupted run computed (bitwise resume). The process-wide
// setting is restored afterwards.
class UnoptimisedGraphs {
 public:
  UnoptimisedGraphs() : previous_(torch::jit::getGraphExecutorOptimize()) { torch::jit::setGraphExecutorOptimize(false); }
  ~UnoptimisedGraphs() { torch::jit::setGraphExecutorOptimize(previous_); }
  UnoptimisedGraphs(const UnoptimisedGraphs&) = delete;
  UnoptimisedGraphs& operator=(const UnoptimisedGraphs&) = delete;

 private:
  bool previous_;
};

}  // namespace

TrainSummary run_train_job(const TrainJob& job, const JobContext& context, Env& env) {
  torch::set_num_threads(resolve_threads(job.train.threads, context.local_size()));
  keep_freed_memory_for_reuse();
  const UnoptimisedGraphs unoptimised;
  Job running(job, context, env);
  return running.run();
}

}  // namespace snipe::trainer

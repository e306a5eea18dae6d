#include "cli/config/config.h"

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include <fmt/format.h>

#include "collector/simulator/market_preset.h"
#include "collector/sources/synthetic_source.h"
#include "shared/core/atomic_file.h"
#include "shared/core/errors.h"

namespace snipe {
namespace {

// The message of the ConfigError that parsing `text` throws ("" when none is thrown).
std::string config_error(const std::string& text) {
  try {
    parse_config(text, "test.toml");
  } catch (const ConfigError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, EmptyFileGivesTheDocumentedDefaults) {
  const Config config = parse_config("", "empty.toml");
  EXPECT_EQ(config.validation.interval_s, 300);
  EXPECT_EQ(config.labels.horizon, 24u);
  EXPECT_DOUBLE_EQ(config.validation.spike_ratio, 10.0);
  EXPECT_EQ(config.run.log.format, LogFormat::kText);
}

TEST(Config, ReadsEverySection) {
  const Config config = parse_config(R"(
    [run]
    log_level = "debug"
    log_format = "json"
    [source]
    kind = "csv"
    csv_dir = "/data/dumps"
    [synthetic]
    seed = 5
    tokens = 3
    [birdeye]
    keys_env = "MY_KEYS"
    tokens = ["So11", "Bonk"]
    requests_per_minute = 120
    fetch_context = false
    [geckoterminal]
    network = "base"
    pools = ["0xpool"]
    [http]
    max_attempts = 2
    [validation]
    interval_s = 60
    max_gap_intervals = 3
    [labels]
    horizon = 6
    take_profit = 0.5
    stop_loss = 0.25
    rug_drop = 0.9
    [output]
    dir = "/tmp/run"
  )", "full.toml");
  EXPECT_EQ(config.run.log.level, spdlog::level::debug);
  EXPECT_EQ(config.run.log.format, LogFormat::kJsonLines);
  EXPECT_EQ(config.source.kind, collector::SourceKind::kCsv);
  EXPECT_EQ(config.source.csv_dir, "/data/dumps");
  EXPECT_EQ(config.synthetic.seed, 5u);
  EXPECT_EQ(config.synthetic.tokens, 3u);
  EXPECT_EQ(config.birdeye.endpoint.keys_env, "MY_KEYS");
  EXPECT_EQ(config.birdeye.source.tokens, (std::vector<std::string>{"So11", "Bonk"}));
  EXPECT_DOUBLE_EQ(config.birdeye.endpoint.requests_per_minute, 120.0);
  EXPECT_FALSE(config.birdeye.source.fetch_context);
  EXPECT_EQ(config.geckoterminal.source.network, "base");
  EXPECT_EQ(config.geckoterminal.source.pools, (std::vector<std::string>{"0xpool"}));
  EXPECT_EQ(config.http.max_attempts, 2);
  EXPECT_EQ(config.validation.interval_s, 60);
  EXPECT_DOUBLE_EQ(config.validation.max_gap_intervals, 3.0) << "an integer is a valid number";
  EXPECT_EQ(config.labels.horizon, 6u);
  EXPECT_DOUBLE_EQ(config.labels.rug_drop, 0.9);
  EXPECT_EQ(config.output.dir, "/tmp/run");
}

TEST(Config, UnknownKeyIsRejectedWithItsLineAndTheKnownKeys) {
  const std::string message = config_error("[labels]\nhorizon = 5\nhorizn = 6\n");
  EXPECT_NE(message.find("test.toml:3"), std::string::npos) << message;
  EXPECT_NE(message.find("'horizn'"), std::string::npos) << message;
  EXPECT_NE(message.find("horizon"), std::string::npos) << message;
}

TEST(Config, UnknownSectionIsRejected) {
  EXPECT_NE(config_error("[lables]\nhorizon = 5\n").find("unknown section 'lables'"),
            std::string::npos);
}

TEST(Config, WrongTypeNamesFieldAndExpectedType) {
  const std::string message = config_error("[labels]\nhorizon = \"24\"\n");
  EXPECT_NE(message.find("labels.horizon must be an integer"), std::string::npos) << message;
}

TEST(Config, OutOfRangeValueNamesFieldValueAndRule) {
  const std::string message = config_error("[labels]\nstop_loss = 1.5\n");
  EXPECT_NE(message.find("labels.stop_loss = 1.5 must be in (0, 1)"), std::string::npos)
      << message;
  EXPECT_NE(config_error("[validation]\nmin_candles = -3\n").find("must not be negative"),
            std::string::npos);
  EXPECT_NE(config_error("[validation]\ninterval_s = 0\n").find("validation.interval_s = 0"),
            std::string::npos);
}

TEST(Config, CrossFieldRuleRugDeeperThanStopLoss) {
  EXPECT_NE(config_error("[labels]\nstop_loss = 0.5\nrug_drop = 0.3\n").find("labels.rug_drop"),
            std::string::npos);
}

TEST(Config, MinCandlesMustLeaveRoomForWarmupAndHorizon) {
  // 49 warm-up rows + a 24-candle horizon + 1: shorter accepted series yield no example.
  const std::string message = config_error("[validation]\nmin_candles = 60\n");
  EXPECT_NE(message.find("validation.min_candles = 60 must be >= 74"), std::string::npos) << message;
  EXPECT_EQ(config_error("[validation]\nmin_candles = 74\n"), "");
}

TEST(Config, SourceSpecificRequirements) {
  EXPECT_NE(config_error("[source]\nkind = \"csv\"\n").find("source.csv_dir"), std::string::npos);
  EXPECT_NE(config_error("[source]\nkind = \"geckoterminal\"\n").find("geckoterminal.pools"),
            std::string::npos);
  EXPECT_NE(config_error("[birdeye]\nbase_url = \"ftp://x\"\n").find("birdeye.base_url"),
            std::string::npos);
  EXPECT_NE(config_error("[synthetic]\nmin_candles = 500\nmax_candles = 400\n").find("synthetic.max_candles"),
            std::string::npos);
  EXPECT_NE(config_error("[http]\nbackoff_base_ms = 100\nbackoff_cap_ms = 50\n").find("http.backoff_cap_ms"),
            std::string::npos);
}

TEST(Config, WarnIsAcceptedAsTheUsualSpellingOfWarning) {
  EXPECT_EQ(parse_config("[run]\nlog_level = \"warn\"\n", "t.toml").run.log.level, spdlog::level::warn);
}

TEST(Config, BadEnumValueNamesTheField) {
  const std::string message = config_error("[run]\nlog_format = \"xml\"\n");
  EXPECT_NE(message.find("run.log_format"), std::string::npos) << message;
  EXPECT_NE(config_error("[source]\nkind = \"ftp\"\n").find("source.kind"), std::string::npos);
  EXPECT_NE(config_error("[model]\npooling = \"max\"\n").find("model.pooling"), std::string::npos);
  EXPECT_NE(config_error("[birdeye]\ntokens = \"So11\"\n").find("birdeye.tokens must be an array of strings"),
            std::string::npos);
}

TEST(Config, SyntheticPresetReadsEveryNameAndPrintsItBack) {
  using collector::simulator::Preset;
  EXPECT_EQ(parse_config("", "empty.toml").synthetic.preset, Preset::kDefault);
  for (const Preset preset : collector::simulator::kPresets) {
    const std::string line = fmt::format("preset = \"{}\"", collector::simulator::preset_name(preset));
    const Config config = parse_config("[synthetic]\n" + line + "\n", "preset.toml");
    EXPECT_EQ(config.synthetic.preset, preset) << line;
    EXPECT_NE(describe_config(config).find(line), std::string::npos) << line;
  }
}

TEST(Config, UnknownSyntheticPresetNamesFieldValueAndTheValidNames) {
  EXPECT_EQ(config_error("[synthetic]\npreset = \"rugpull\"\n"),
            "test.toml: synthetic.preset = \"rugpull\" must be one of default, context_rugs, "
            "precursor_rugs, rug_heavy, noisy, short_listings");
  EXPECT_NE(config_error("[synthetic]\npreset = 2\n").find("synthetic.preset must be a string"),
            std::string::npos);
}

TEST(Config, SyntaxErrorGivesLineAndColumn) {
  EXPECT_NE(config_error("[run]\nseed = = 1\n").find("test.toml:2:"), std::string::npos);
}

TEST(Config, DescribedConfigParsesBackToTheSameSettings) {
  Config original;
  original.run.log.format = LogFormat::kJsonLines;
  original.validation.spike_ratio = 4.5;
  original.birdeye.source.tokens = {"a\"quoted\"", "b"};
  original.synthetic.end_timestamp = 1767300000;
  original.labels.horizon = 7;
  original.output.dir = "somewhere/else";
  const Config again = parse_config(describe_config(original), "described.toml");
  EXPECT_EQ(again.run.log.format, LogFormat::kJsonLines);
  EXPECT_DOUBLE_EQ(again.validation.spike_ratio, 4.5);
  EXPECT_EQ(again.labels.horizon, 7u);
  EXPECT_EQ(again.output.dir, "somewhere/else");
  EXPECT_EQ(again.birdeye.source.tokens, original.birdeye.source.tokens);
  EXPECT_EQ(again.synthetic.end_timestamp, 1767300000);
  EXPECT_EQ(describe_config(again), describe_config(original));
}

TEST(Config, AbsentTrainingSectionsGiveTheStructDefaults) {
  const Config config = parse_config("[labels]\nhorizon = 24\n", "no_training.toml");
  const trainer::SplitOptions split;
  const trainer::ModelOptions model;
  const trainer::TrainOptions train;
  EXPECT_DOUBLE_EQ(config.split.train_fraction, split.train_fraction);
  EXPECT_DOUBLE_EQ(config.split.val_fraction, split.val_fraction);
  EXPECT_EQ(config.split.embargo, split.embargo);
  EXPECT_EQ(config.split.whole_tokens, split.whole_tokens);
  EXPECT_EQ(config.split.window, split.window);
  EXPECT_EQ(config.split.seed, split.seed);
  EXPECT_EQ(config.model.lstm1_hidden, model.lstm1_hidden);
  EXPECT_EQ(config.model.lstm2_hidden, model.lstm2_hidden);
  EXPECT_EQ(config.model.heads, model.heads);
  EXPECT_DOUBLE_EQ(config.model.attention_dropout, model.attention_dropout);
  EXPECT_EQ(config.model.context_hidden, model.context_hidden);
  EXPECT_EQ(config.model.head_hidden, model.head_hidden);
  EXPECT_DOUBLE_EQ(config.model.head_dropout, model.head_dropout);
  EXPECT_EQ(config.model.candle_features, model.candle_features);
  EXPECT_EQ(config.train.window, train.window);
  EXPECT_EQ(config.train.batch_size, train.batch_size);
  EXPECT_EQ(config.train.epochs, train.epochs);
  EXPECT_EQ(config.train.seed, train.seed);
  EXPECT_EQ(config.train.threads, train.threads);
  EXPECT_DOUBLE_EQ(config.train.lr, train.lr);
  EXPECT_DOUBLE_EQ(config.train.min_lr, train.min_lr);
  EXPECT_EQ(config.train.warmup_steps, train.warmup_steps);
  EXPECT_DOUBLE_EQ(config.train.weight_decay, train.weight_decay);
  EXPECT_DOUBLE_EQ(config.train.grad_clip, train.grad_clip);
  EXPECT_EQ(config.train.patience, train.patience);
  EXPECT_EQ(config.train.checkpoint_every_steps, train.checkpoint_every_steps);
  EXPECT_EQ(config.train.keep_checkpoints, train.keep_checkpoints);
  EXPECT_EQ(config.train.prefetch, train.prefetch);
  EXPECT_DOUBLE_EQ(config.train.loss.profitable_weight, train.loss.profitable_weight);
  EXPECT_DOUBLE_EQ(config.train.loss.max_profit_weight, train.loss.max_profit_weight);
  EXPECT_DOUBLE_EQ(config.train.loss.rug_weight, train.loss.rug_weight);
  EXPECT_DOUBLE_EQ(config.train.loss.huber_delta, train.loss.huber_delta);
}

TEST(Config, ReadsTheTrainingSections) {
  // One key of every type kind: double, std::size_t, bool, std::int64_t, std::uint64_t, int.
  const Config config = parse_config(R"(
    [split]
    train_fraction = 0.6
    val_fraction = 0.2
    embargo = 5
    whole_tokens = true
    [model]
    lstm1_hidden = 16
    lstm2_hidden = 6
    heads = 3
    attention_dropout = 0
    pooling = "mean_last"
    head_dropout = 0.5
    [train]
    window = 48
    batch_size = 32
    epochs = 7
    seed = 9
    threads = 2
    lr = 3e-4
    min_lr = 1e-6
    checkpoint_every_steps = 250
    keep_checkpoints = 1
    loss_rug_weight = 2.5
    huber_delta = 0.25
    rug_class_weight_power = 0.5
  )", "training.toml");
  EXPECT_DOUBLE_EQ(config.split.train_fraction, 0.6);
  EXPECT_DOUBLE_EQ(config.split.val_fraction, 0.2);
  EXPECT_EQ(config.split.embargo, 5u);
  EXPECT_TRUE(config.split.whole_tokens);
  EXPECT_EQ(config.model.lstm1_hidden, 16);
  EXPECT_EQ(config.model.lstm2_hidden, 6);
  EXPECT_EQ(config.model.heads, 3) << "3 divides the attention width 2 * 6 = 12";
  EXPECT_DOUBLE_EQ(config.model.attention_dropout, 0.0);
  EXPECT_EQ(config.model.pooling, trainer::Pooling::kMeanLast);
  EXPECT_DOUBLE_EQ(config.model.head_dropout, 0.5);
  EXPECT_EQ(config.train.window, 48u);
  EXPECT_EQ(config.train.batch_size, 32u);
  EXPECT_EQ(config.train.epochs, 7);
  EXPECT_EQ(config.train.seed, 9u);
  EXPECT_EQ(config.train.threads, 2);
  EXPECT_DOUBLE_EQ(config.train.lr, 3e-4);
  EXPECT_DOUBLE_EQ(config.train.min_lr, 1e-6);
  EXPECT_EQ(config.train.checkpoint_every_steps, 250);
  EXPECT_EQ(config.train.keep_checkpoints, 1u);
  EXPECT_DOUBLE_EQ(config.train.loss.rug_weight, 2.5);
  EXPECT_DOUBLE_EQ(config.train.loss.huber_delta, 0.25);
  EXPECT_DOUBLE_EQ(config.train.loss.rug_class_weight_power, 0.5);
  EXPECT_EQ(config.split.window, trainer::SplitOptions{}.window) << "split.window is not a key";
}

TEST(Config, SplitWindowAndSeedAndFeatureCountsAreNotKeys) {
  EXPECT_NE(config_error("[split]\nwindow = 10\n").find("unknown key 'window' in [split]"),
            std::string::npos);
  EXPECT_NE(config_error("[split]\nseed = 1\n").find("unknown key 'seed' in [split]"),
            std::string::npos);
  EXPECT_NE(config_error("[model]\ncandle_features = 4\n").find("unknown key 'candle_features'"),
            std::string::npos);
}

TEST(Config, DescribedTrainingSectionsParseBackToTheSameSettings) {
  Config original;
  original.split.train_fraction = 0.55;
  original.split.val_fraction = 0.3;
  original.split.embargo = 0;
  original.split.whole_tokens = true;
  original.model.lstm1_hidden = 24;
  original.model.lstm2_hidden = 10;
  original.model.heads = 5;
  original.model.attention_dropout = 0.05;
  original.model.pooling = trainer::Pooling::kMeanLast;
  original.model.context_hidden = 7;
  original.model.head_hidden = 9;
  original.model.head_dropout = 0.0;
  original.train.window = 33;
  original.train.batch_size = 17;
  original.train.epochs = 11;
  original.train.seed = 1234567890123ULL;
  original.train.threads = 3;
  original.train.lr = 2.5e-4;
  original.train.min_lr = 1e-7;  // fmt prints "1e-07": a valid TOML float
  original.train.warmup_steps = 12;
  original.train.weight_decay = 0.0;
  original.train.grad_clip = 0.75;
  original.train.patience = 2;
  original.train.checkpoint_every_steps = 40;
  original.train.keep_checkpoints = 6;
  original.train.prefetch = 1;
  original.train.loss = {.profitable_weight = 0.0, .max_profit_weight = 1.5, .rug_weight = 0.125,
                         .huber_delta = 3.0};
  const Config again = parse_config(describe_config(original), "described.toml");
  EXPECT_DOUBLE_EQ(again.split.train_fraction, 0.55);
  EXPECT_DOUBLE_EQ(again.split.val_fraction, 0.3);
  EXPECT_EQ(again.split.embargo, 0u);
  EXPECT_TRUE(again.split.whole_tokens);
  EXPECT_EQ(again.model.lstm1_hidden, 24);
  EXPECT_EQ(again.model.lstm2_hidden, 10);
  EXPECT_EQ(again.model.heads, 5);
  EXPECT_DOUBLE_EQ(again.model.attention_dropout, 0.05);
  EXPECT_EQ(again.model.pooling, trainer::Pooling::kMeanLast);
  EXPECT_EQ(again.model.context_hidden, 7);
  EXPECT_EQ(again.model.head_hidden, 9);
  EXPECT_DOUBLE_EQ(again.model.head_dropout, 0.0);
  EXPECT_EQ(again.train.window, 33u);
  EXPECT_EQ(again.train.batch_size, 17u);
  EXPECT_EQ(again.train.epochs, 11);
  EXPECT_EQ(again.train.seed, 1234567890123ULL);
  EXPECT_EQ(again.train.threads, 3);
  EXPECT_DOUBLE_EQ(again.train.lr, 2.5e-4);
  EXPECT_DOUBLE_EQ(again.train.min_lr, 1e-7);
  EXPECT_EQ(again.train.warmup_steps, 12);
  EXPECT_DOUBLE_EQ(again.train.weight_decay, 0.0);
  EXPECT_DOUBLE_EQ(again.train.grad_clip, 0.75);
  EXPECT_EQ(again.train.patience, 2);
  EXPECT_EQ(again.train.checkpoint_every_steps, 40);
  EXPECT_EQ(again.train.keep_checkpoints, 6u);
  EXPECT_EQ(again.train.prefetch, 1u);
  EXPECT_DOUBLE_EQ(again.train.loss.profitable_weight, 0.0);
  EXPECT_DOUBLE_EQ(again.train.loss.max_profit_weight, 1.5);
  EXPECT_DOUBLE_EQ(again.train.loss.rug_weight, 0.125);
  EXPECT_DOUBLE_EQ(again.train.loss.huber_delta, 3.0);
}

TEST(Config, TrainingValuesOutOfRangeNameTheField) {
  const std::string split = config_error("[split]\ntrain_fraction = 0.8\nval_fraction = 0.2\n");
  EXPECT_NE(split.find("split.train_fraction + split.val_fraction = 1 must be < 1"),
            std::string::npos) << split;
  EXPECT_NE(config_error("[split]\nval_fraction = 0\n").find("split.val_fraction = 0 must be in (0, 1)"),
            std::string::npos);
  // 2 * lstm2_hidden = 2 * 5 = 10, which 4 (the default heads) does not divide.
  const std::string heads = config_error("[model]\nlstm2_hidden = 5\n");
  EXPECT_NE(heads.find("model.heads = 4 must be a divisor of the attention width"),
            std::string::npos) << heads;
  EXPECT_NE(config_error("[model]\nhead_dropout = 1.0\n").find("model.head_dropout = 1"),
            std::string::npos);
  const std::string min_lr = config_error("[train]\nlr = 1e-4\nmin_lr = 2e-4\n");
  EXPECT_NE(min_lr.find("train.min_lr = 0.0002 must be in [0, train.lr (0.0001)]"),
            std::string::npos) << min_lr;
  EXPECT_NE(config_error("[train]\nwindow = 1\n").find("train.window = 1 must be >= 2"),
            std::string::npos);
  EXPECT_NE(config_error("[train]\nloss_profitable_weight = 0\nloss_max_profit_weight = 0\n"
                         "loss_rug_weight = 0\n").find("must be > 0 (at least one head"),
            std::string::npos);
  EXPECT_NE(config_error("[train]\nrug_class_weight_power = 2\n")
                .find("train.rug_class_weight_power = 2 must be in [0, 1]"),
            std::string::npos);
  EXPECT_NE(config_error("[train]\nthreads = -1\n").find("train.threads = -1 must be >= 0"),
            std::string::npos);
  EXPECT_NE(config_error("[train]\nkeep_checkpoints = 0\n").find("train.keep_checkpoints = 0"),
            std::string::npos);
  EXPECT_NE(config_error("[train]\nbatch_size = -8\n").find("train.batch_size = -8 must not be negative"),
            std::string::npos);
}

TEST(Config, SharedModelRulesCarryTheirOrigin) {
  trainer::ModelOptions options;
  EXPECT_NO_THROW(trainer::validate_options(options, "model options"));
  options.heads = 0;
  try {
    trainer::validate_options(options, "model options");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("model options: model.heads = 0"), std::string::npos)
        << e.what();
  }
}

TEST(Config, TheSimulatorsOneRuleServesTheConfigAndTheSource) {
  // One rule per field: the config's refusal is the simulator's own validator speaking,
  // and a source built without a config is held to the same rule.
  const std::string from_config = config_error("[synthetic]\nmin_candles = 10\nmax_candles = 5\n");
  collector::simulator::SimulatorOptions options;
  options.min_candles = 10;
  options.max_candles = 5;
  try {
    collector::simulator::validate_options(options, "test.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_EQ(from_config, e.what());
  }
  try {
    collector::SyntheticSource source(options);
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("synthetic.max_candles = 5 must be >= synthetic.min_candles (10)"),
              std::string::npos)
        << e.what();
  }
}

TEST(Config, TheSourceGetsTheDataSetsBarSpacing) {
  const Config config = parse_config("[validation]\ninterval_s = 60\n", "test.toml");
  EXPECT_EQ(source_config(config).synthetic.interval_s, 60) << "simulated bars at validation.interval_s";
}

TEST(Config, ShippedConfigsLoad) {
  // Tests run from the repository root (see tests/CMakeLists.txt).
  const Config demo = load_config("configs/demo.toml");
  EXPECT_EQ(demo.source.kind, collector::SourceKind::kSynthetic) << "the main job runs without an API key";
  const Config tiny = load_config("configs/tiny.toml");
  EXPECT_LT(tiny.labels.horizon, demo.labels.horizon);
  EXPECT_LT(tiny.model.lstm1_hidden, demo.model.lstm1_hidden) << "tiny trains a small model";
  EXPECT_LT(tiny.train.epochs, demo.train.epochs);
  EXPECT_EQ(demo.synthetic.preset, collector::simulator::Preset::kDefault);
}

TEST(Config, DemoConfigListsEveryPresetName) {
  const std::string demo = read_file("configs/demo.toml");
  const std::size_t key = demo.find("\npreset = \"default\"");
  ASSERT_NE(key, std::string::npos) << "[synthetic] preset is missing from configs/demo.toml";
  const std::string line = demo.substr(key + 1, demo.find('\n', key + 1) - key - 1);
  for (const auto preset : collector::simulator::kPresets) {
    const std::string_view name = collector::simulator::preset_name(preset);
    EXPECT_NE(line.find(name), std::string::npos) << "'" << line << "' does not name " << name;
  }
}

TEST(Config, MissingFileTellsWhatToDo) {
  try {
    load_config("configs/absent.toml");
    FAIL() << "expected ConfigError";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("configs/absent.toml"), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("--config"), std::string::npos);
  }
}

}  // namespace
}  // namespace snipe

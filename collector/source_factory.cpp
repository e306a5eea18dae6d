#include "collector/source_factory.h"

#include "collector/simulator/market_simulator.h"
#include "collector/sources/csv_source.h"
#include "collector/sources/synthetic_source.h"

namespace snipe::collector {

std::unique_ptr<Source> make_source(const Config& config, const MpiContext& mpi) {
  (void)mpi;
  switch (config.source.kind) {
    case SourceKind::kSynthetic: {
      simulator::SimulatorOptions options = config.synthetic;
      options.interval_s = config.validation.interval_s;  // bars at the data set's spacing
      return std::make_unique<SyntheticSource>(options);
    }
    case SourceKind::kCsv:
      return std::make_unique<CsvSource>(config.source.csv_dir);
    case SourceKind::kBirdeye:
    case SourceKind::kGeckoTerminal:
      break;
  }
  throw ConfigError(fmt::format("source '{}' is not wired yet", source_kind_name(config.source.kind)));
}

}  // namespace snipe::collector

#include "shared/features/labels_json.h"

#include <fmt/format.h>

namespace snipe {

nlohmann::json to_json(const LabelOptions& l) {
  return {{"horizon", l.horizon}, {"take_profit", l.take_profit}, {"stop_loss", l.stop_loss},
          {"rug_drop", l.rug_drop}};
}

LabelOptions labels_from_json(const JsonFields& f) {
  const std::int64_t horizon = f.integer("horizon");
  if (horizon < 1) f.refuse("horizon", fmt::format("is {}; it must be >= 1", horizon));
  return {.horizon = static_cast<std::size_t>(horizon), .take_profit = f.number("take_profit"),
          .stop_loss = f.number("stop_loss"), .rug_drop = f.number("rug_drop")};
}

}  // namespace snipe

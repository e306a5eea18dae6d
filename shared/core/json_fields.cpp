#include "shared/core/json_fields.h"

#include <fmt/format.h>

#include "shared/core/errors.h"

namespace snipe {

using nlohmann::json;

JsonFields::JsonFields(const json& object, std::string source, std::string hint)
    : JsonFields(object, std::move(source), std::move(hint), "") {}

JsonFields::JsonFields(const json& object, std::string source, std::string hint, std::string path)
    : object_(&object), source_(std::move(source)), hint_(std::move(hint)), path_(std::move(path)) {
  if (!object.is_object()) {
    throw DataError(fmt::format("{}: {} must be a JSON object, is {}; {}", source_,
                                path_.empty() ? "the document" : "field " + path_, object.dump(), hint_));
  }
}

std::string JsonFields::pointer(std::string_view key) const { return fmt::format("{}/{}", path_, key); }

void JsonFields::refuse(std::string_view key, std::string_view problem) const {
  throw DataError(fmt::format("{}: field {} {}; {}", source_, pointer(key), problem, hint_));
}

bool JsonFields::has(std::string_view key) const { return object_->contains(key); }

const json& JsonFields::value(std::string_view key) const {
  const auto it = object_->find(key);
  if (it == object_->end()) refuse(key, "is missing");
  return *it;
}

const json& JsonFields::typed(std::string_view key, bool ok(const json&), const char* kind) const {
  const json& v = value(key);
  if (!ok(v)) refuse(key, fmt::format("must be {}, is {}", kind, v.dump()));
  return v;
}

std::string JsonFields::string(std::string_view key) const {
  return typed(key, [](const json& v) { return v.is_string(); }, "a string").get<std::string>();
}

std::int64_t JsonFields::integer(std::string_view key) const {
  return typed(key, [](const json& v) { return v.is_number_integer(); }, "an integer").get<std::int64_t>();
}

double JsonFields::number(std::string_view key) const {
  return typed(key, [](const json& v) { return v.is_number(); }, "a number").get<double>();
}

bool JsonFields::boolean(std::string_view key) const {
  return typed(key, [](const json& v) { return v.is_boolean(); }, "true or false").get<bool>();
}

std::optional<double> JsonFields::number_or_null(std::string_view key) const {
  const json& v = typed(key, [](const json& j) { return j.is_number() || j.is_null(); }, "a number or null");
  return v.is_null() ? std::nullopt : std::optional(v.get<double>());
}

std::optional<std::int64_t> JsonFields::integer_or_null(std::string_view key) const {
  const json& v =
      typed(key, [](const json& j) { return j.is_number_integer() || j.is_null(); }, "an integer or null");
  return v.is_null() ? std::nullopt : std::optional(v.get<std::int64_t>());
}

std::vector<std::string> JsonFields::strings(std::string_view key) const {
  const json& v = typed(key, [](const json& j) { return j.is_array(); }, "an array of strings");
  std::vector<std::string> out;
  for (const json& item : v) {
    if (!item.is_string()) refuse(fmt::format("{}/{}", key, out.size()), "must be a string, is " + item.dump());
    out.push_back(item.get<std::string>());
  }
  return out;
}

JsonFields JsonFields::object(std::string_view key) const {
  const json& v = typed(key, [](const json& j) { return j.is_object(); }, "an object");
  return JsonFields(v, source_, hint_, pointer(key));
}

std::vector<JsonFields> JsonFields::objects(std::string_view key) const {
  const json& v = typed(key, [](const json& j) { return j.is_array(); }, "an array");
  std::vector<JsonFields> out;
  for (std::size_t i = 0; i < v.size(); ++i) {
    out.push_back(JsonFields(v[i], source_, hint_, fmt::format("{}/{}", pointer(key), i)));
  }
  return out;
}

json parse_json(std::string_view text, std::string_view source, std::string_view hint) {
  try {
    return json::parse(text);
  } catch (const json::parse_error& e) {
    throw DataError(fmt::format("{}: not valid JSON ({}); {}", source, e.what(), hint));
  }
}

}  // namespace snipe

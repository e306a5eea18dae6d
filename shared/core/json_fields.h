#pragma once
// Typed reads of a JSON file's fields, for the structs that files are parsed into
// (manifest.json, metadata.json, report.json, a rank's summary). Each refusal is a
// DataError naming the file, the field as a JSON pointer ("/tokens/listed") and what to
// do, so a from_json reads as a list of fields and never as a chain of string lookups.
// Values; thread-compatible.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace snipe {

class JsonFields {
 public:
  // `object` must outlive this reader. `source` names the file (or message) in errors;
  // `hint` ends every error ("HINT: run `snipe collect` again"). Throws DataError when
  // `object` is not a JSON object.
  JsonFields(const nlohmann::json& object, std::string source, std::string hint);

  // The field `key`, refused when missing or of another type. Numbers convert only
  // within their kind: an integer field refuses 1.5 and "1".
  std::string string(std::string_view key) const;
  std::int64_t integer(std::string_view key) const;
  double number(std::string_view key) const;
  bool boolean(std::string_view key) const;
  // A number, or nullopt where the file holds null (an undefined metric).
  std::optional<double> number_or_null(std::string_view key) const;
  std::optional<std::int64_t> integer_or_null(std::string_view key) const;
  std::vector<std::string> strings(std::string_view key) const;
  // The raw value (for a field this reader passes through untyped).
  const nlohmann::json& value(std::string_view key) const;
  bool has(std::string_view key) const;

  // A nested object, or each object of an array, read with the same source and hint.
  JsonFields object(std::string_view key) const;
  std::vector<JsonFields> objects(std::string_view key) const;

  // "/a/b" of `key` below this object.
  std::string pointer(std::string_view key) const;
  // Throws DataError "SOURCE: field POINTER <problem>; HINT".
  [[noreturn]] void refuse(std::string_view key, std::string_view problem) const;

 private:
  JsonFields(const nlohmann::json& object, std::string source, std::string hint, std::string path);
  const nlohmann::json& typed(std::string_view key, bool ok(const nlohmann::json&), const char* kind) const;

  const nlohmann::json* object_;
  std::string source_;
  std::string hint_;
  std::string path_;  // JSON pointer of object_ in the file ("" at the top)
};

// The value, or null where there is none (an undefined rate, an empty time range).
template <class T>
nlohmann::json or_null(const std::optional<T>& value) {
  return value ? nlohmann::json(*value) : nlohmann::json(nullptr);
}

// `text` parsed, or a DataError "SOURCE: not valid JSON (...); HINT".
nlohmann::json parse_json(std::string_view text, std::string_view source, std::string_view hint);

}  // namespace snipe

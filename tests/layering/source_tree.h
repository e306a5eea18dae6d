#pragma once
// Reads the project's own includes from the source tree, for the layering tests: which
// file includes which header, with the line, so a broken rule names the place to fix.

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

namespace snipe::testing {

struct Include {
  std::string file;    // relative to the source root: "shared/core/log.cpp"
  int line = 0;        // 1-based
  std::string header;  // as written between the quotes or angle brackets
  bool angled = false; // <...> rather than "..."
};

// The #include directive on `text`, if it is one ("  #  include <x>" counts too).
inline bool parse_include(std::string_view text, Include& out) {
  const auto skip_blanks = [&](std::size_t i) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    return i;
  };
  std::size_t i = skip_blanks(0);
  if (i >= text.size() || text[i] != '#') return false;
  i = skip_blanks(i + 1);
  constexpr std::string_view kInclude = "include";
  if (text.substr(i, kInclude.size()) != kInclude) return false;
  i = skip_blanks(i + kInclude.size());
  if (i >= text.size() || (text[i] != '"' && text[i] != '<')) return false;
  const char close = text[i] == '"' ? '"' : '>';
  const std::size_t end = text.find(close, i + 1);
  if (end == std::string_view::npos) return false;
  out.header = std::string(text.substr(i + 1, end - i - 1));
  out.angled = close == '>';
  return true;
}

// Every include of every .h/.cpp/.cc under root/folder (recursively), in a stable order.
inline std::vector<Include> includes_under(const std::filesystem::path& root, std::string_view folder) {
  std::vector<std::filesystem::path> files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root / folder)) {
    const auto ext = entry.path().extension();
    if (entry.is_regular_file() && (ext == ".h" || ext == ".cpp" || ext == ".cc")) files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());
  std::vector<Include> found;
  for (const auto& path : files) {
    std::ifstream in(path);
    std::string text;
    for (int line = 1; std::getline(in, text); ++line) {
      Include include;
      if (!parse_include(text, include)) continue;
      include.file = std::filesystem::relative(path, root).string();
      include.line = line;
      found.push_back(std::move(include));
    }
  }
  return found;
}

// The first path component of a quoted project include ("collector/x.h" -> "collector").
inline std::string top_folder(std::string_view header) {
  const std::size_t slash = header.find('/');
  return slash == std::string_view::npos ? std::string() : std::string(header.substr(0, slash));
}

}  // namespace snipe::testing

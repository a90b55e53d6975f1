// Checks on a spec's raw text, run before any YAML parsing.
//
// yaml-cpp recurses once per nesting level and trusts its input's encoding, so the
// things that could crash or mislead it are caught here first: size, binary data,
// invalid UTF-8, control characters, tabs used for indentation and nesting deeper
// than kMaxSpecDepth. Pure functions; safe from any thread.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace sweep {

// Specs are small; anything larger is a mistake (or an attack) and is refused.
inline constexpr size_t kMaxSpecBytes = 4u << 20;
// Deepest nesting of mappings, lists and flow brackets a spec may use.
inline constexpr int kMaxSpecDepth = 64;

struct TextIssue {
  int line = 0;  // 1-based
  int col = 0;   // 1-based, in bytes
  std::string message;
  // Fatal issues mean the text must not be handed to the YAML parser at all.
  bool fatal = false;
};

// Every problem found in the text, in position order. Fatal issues (size, NUL,
// invalid UTF-8, control characters, nesting too deep) end the scan early; tab
// indentation and lines starting with ',' outside brackets are reported per line and
// are not fatal.
std::vector<TextIssue> CheckSpecText(std::string_view text);

}  // namespace sweep

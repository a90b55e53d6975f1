// Raw-text checks for spec files.
//
// Two passes over the bytes. The first validates the encoding (UTF-8, no NUL, no
// C0 control characters but tab/LF/CR) and stops at the first bad byte: past that
// point line and column numbers mean little. The second estimates nesting depth line
// by line without parsing YAML: the number of open indentation levels, plus the
// "- " sequence markers that open a level on the same line, plus open flow brackets
// ([ and {) outside quotes and comments. The estimate errs on the high side only for
// odd layouts far beyond anything a sweep spec needs, so a limit of kMaxSpecDepth
// keeps yaml-cpp's recursion bounded without rejecting real specs. Block scalars
// (| and >) and multi-line quoted strings are skipped, since their content is text.
#include "orchestrator/spec/spec_text_checks.h"

#include <cstdio>

namespace sweep {
namespace {

std::string Hex(unsigned char c) {
  char buf[8];
  std::snprintf(buf, sizeof buf, "0x%02x", c);
  return buf;
}

// Length of the valid UTF-8 sequence starting at s[i], or 0 when invalid.
size_t Utf8SequenceLength(std::string_view s, size_t i) {
  const auto b = [&](size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char c = b(0);
  if (c < 0x80) return 1;
  size_t len;
  unsigned int cp;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
    cp = c & 0x1F;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    cp = c & 0x0F;
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    cp = c & 0x07;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    if ((b(k) & 0xC0) != 0x80) return 0;
    cp = (cp << 6) | (b(k) & 0x3F);
  }
  // Overlong forms, surrogates and code points past U+10FFFF are invalid.
  if ((len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) || cp > 0x10FFFF ||
      (cp >= 0xD800 && cp <= 0xDFFF))
    return 0;
  return len;
}

bool CheckEncoding(std::string_view text, std::vector<TextIssue>& issues) {
  int line = 1, col = 1;
  for (size_t i = 0; i < text.size();) {
    const unsigned char c = static_cast<unsigned char>(text[i]);
    std::string problem;
    if (c == 0) {
      problem = "binary data (a NUL byte); a spec must be YAML text";
    } else if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f) {
      problem = "control character " + Hex(c) + ": a spec must be YAML text, not binary data";
    } else if (c >= 0x80 && Utf8SequenceLength(text, i) == 0) {
      problem = "invalid UTF-8 (byte " + Hex(c) + "); a spec must be UTF-8 text";
    }
    if (!problem.empty()) {
      issues.push_back({line, col, problem, true});
      return false;
    }
    if (c == '\n') {
      ++line;
      col = 1;
      ++i;
      continue;
    }
    i += c < 0x80 ? 1 : Utf8SequenceLength(text, i);
    ++col;
  }
  return true;
}

struct DepthScanner {
  std::vector<int> indents;           // open indentation levels
  int flow = 0;                       // open [ and { brackets
  char quote = 0;                     // open quote character spanning lines, or 0
  int block_scalar_parent = -1;       // indentation of the key owning a | or > scalar
  int quote_line = 0, quote_col = 0;  // where the open quote started

  // Scans one line; returns the column (1-based) where the limit was passed, or 0.
  int ScanLine(std::string_view s, int line) {
    size_t indent = 0;
    while (indent < s.size() && s[indent] == ' ') ++indent;
    const bool blank = indent == s.size() || s[indent] == '#' || s[indent] == '\r';
    if (block_scalar_parent >= 0) {
      if (blank || static_cast<int>(indent) > block_scalar_parent) return 0;
      block_scalar_parent = -1;
    }
    if (blank && quote == 0) return 0;
    size_t p = indent;
    int dashes = 0;
    if (quote == 0 && flow == 0) {
      while (!indents.empty() && indents.back() > static_cast<int>(indent)) indents.pop_back();
      if (indents.empty() || indents.back() < static_cast<int>(indent))
        indents.push_back(static_cast<int>(indent));
      while (p < s.size() && s[p] == '-' && (p + 1 == s.size() || s[p + 1] == ' ')) {
        ++dashes;
        ++p;
        while (p < s.size() && s[p] == ' ') ++p;
      }
    }
    const int base = static_cast<int>(indents.size()) + dashes;
    if (base + flow > kMaxSpecDepth) return static_cast<int>(indent) + 1;
    size_t last_content = std::string_view::npos;
    for (size_t i = quote ? 0 : p; i < s.size(); ++i) {
      const char c = s[i];
      if (quote) {
        if (quote == '"' && c == '\\') {
          ++i;
        } else if (c == quote) {
          if (quote == '\'' && i + 1 < s.size() && s[i + 1] == '\'') {
            ++i;
          } else {
            quote = 0;
          }
        }
        last_content = i;
        continue;
      }
      // Outside brackets a quote or bracket only opens at the start of a token; inside
      // them, after any flow indicator too ("[[", "{a: 'x'}", "{"k":"v"}").
      const bool after_space = i == p || i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t';
      const bool token_start =
          after_space ||
          (flow > 0 && (s[i - 1] == '[' || s[i - 1] == '{' || s[i - 1] == ',' || s[i - 1] == ':'));
      if (c == '#' && (i == 0 || s[i - 1] == ' ' || s[i - 1] == '\t')) break;
      if ((c == '"' || c == '\'') && token_start) {
        quote = c;
        quote_line = line;
        quote_col = static_cast<int>(i) + 1;
      } else if ((c == '[' || c == '{') && (after_space || flow > 0)) {
        ++flow;
        if (base + flow > kMaxSpecDepth) return static_cast<int>(i) + 1;
      } else if ((c == ']' || c == '}') && flow > 0) {
        --flow;
      }
      if (c != ' ' && c != '\t' && c != '\r') last_content = i;
    }
    // A block scalar indicator ("key: |", "- >-") makes the following lines text.
    if (quote == 0 && flow == 0 && last_content != std::string_view::npos) {
      size_t e = last_content;
      while (e > p && (s[e] == '-' || s[e] == '+' || (s[e] >= '0' && s[e] <= '9'))) --e;
      if ((s[e] == '|' || s[e] == '>') && (e == 0 || s[e - 1] == ' '))
        block_scalar_parent = static_cast<int>(indent);
    }
    return 0;
  }
};

}  // namespace

std::vector<TextIssue> CheckSpecText(std::string_view text) {
  std::vector<TextIssue> issues;
  if (text.size() > kMaxSpecBytes) {
    issues.push_back(
        {0, 0,
         "spec is " + std::to_string(text.size()) + " bytes, over the 4 MiB limit for a spec file",
         true});
    return issues;
  }
  if (!CheckEncoding(text, issues)) return issues;

  DepthScanner depth;
  int line = 1;
  size_t start = 0;
  if (text.substr(0, 3) == "\xEF\xBB\xBF") start = 3;  // byte order mark
  while (start <= text.size()) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view s = text.substr(start, end - start);
    // Tabs may appear inside values, never in the indentation YAML reads.
    if (depth.quote == 0 && depth.block_scalar_parent < 0) {
      size_t i = 0;
      while (i < s.size() && (s[i] == ' ' || s[i] == '\t')) ++i;
      const size_t tab = s.substr(0, i).find('\t');
      if (tab != std::string_view::npos && i < s.size() && s[i] != '#' && s[i] != '\r')
        issues.push_back({line, static_cast<int>(tab) + 1,
                          "tab character in indentation; YAML indentation must use spaces", false});
    }
    // yaml-cpp 0.7 misreads a line that starts with ',' outside brackets (it reports
    // endless empty documents), so it is caught here.
    if (depth.quote == 0 && depth.block_scalar_parent < 0 && depth.flow == 0) {
      const size_t first = s.find_first_not_of(' ');
      if (first != std::string_view::npos && s[first] == ',')
        issues.push_back({line, static_cast<int>(first) + 1,
                          "unexpected ',' outside a [...] or {...} list", false});
    }
    if (int col = depth.ScanLine(s, line)) {
      issues.push_back({line, col,
                        "nesting deeper than " + std::to_string(kMaxSpecDepth) +
                            " levels; a sweep spec never needs this much",
                        true});
      return issues;
    }
    if (end == text.size()) break;
    start = end + 1;
    ++line;
  }
  // yaml-cpp quietly ends an unterminated quoted scalar at the end of the text.
  if (depth.quote != 0)
    issues.push_back({depth.quote_line, depth.quote_col,
                      std::string("this ") + (depth.quote == '"' ? "double" : "single") +
                          "-quoted string is never closed",
                      true});
  return issues;
}

}  // namespace sweep

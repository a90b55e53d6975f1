// Display quoting. Safe characters are an allow-list so anything unusual (spaces,
// $, ;, quotes, globs, non-ASCII) is quoted.
#include "base/shell_quote.h"

#include <cctype>

namespace sweep {

std::string ShellQuoteForDisplay(const std::string& word) {
  if (word.empty()) return "''";
  bool safe = true;
  for (unsigned char c : word) {
    if (!(std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '/' || c == '=' || c == ':' ||
          c == ',' || c == '+' || c == '@' || c == '%')) {
      safe = false;
      break;
    }
  }
  if (safe) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'')
      out += "'\\''";
    else
      out += c;
  }
  return out + "'";
}

std::string ShellJoinForDisplay(const std::vector<std::string>& argv) {
  std::string out;
  for (const std::string& a : argv) {
    if (!out.empty()) out += ' ';
    out += ShellQuoteForDisplay(a);
  }
  return out;
}

}  // namespace sweep

// Unit parsing for durations and sizes: a decimal number (digits with at most one
// '.') followed by a unit from a fixed table. Hand-written rather than std::regex so that
// arbitrary spec text costs linear time and no recursion.
#include "orchestrator/spec/spec_units.h"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <string>

namespace sweep {
namespace {

// Length of the decimal number at the start of `s` ("12", "1.5", ".5"), 0 if none.
size_t NumberLength(std::string_view s) {
  size_t i = 0, digits = 0, dots = 0;
  for (; i < s.size(); ++i) {
    if (s[i] >= '0' && s[i] <= '9') {
      ++digits;
    } else if (s[i] == '.' && dots == 0) {
      ++dots;
    } else {
      break;
    }
  }
  return digits > 0 ? i : 0;
}

double ToDouble(std::string_view s) { return std::strtod(std::string(s).c_str(), nullptr); }

}  // namespace

std::optional<double> ParseDuration(std::string_view text) {
  if (text.empty()) return std::nullopt;
  const size_t whole = NumberLength(text);
  double total = 0;
  if (whole == text.size()) {
    total = ToDouble(text);
  } else {
    size_t i = 0;
    while (i < text.size()) {
      const size_t n = NumberLength(text.substr(i));
      if (n == 0) return std::nullopt;
      size_t k = i + n;
      while (k < text.size() && std::isalpha(static_cast<unsigned char>(text[k]))) ++k;
      const std::string_view unit = text.substr(i + n, k - i - n);
      double scale = 0;
      if (unit == "ms") scale = 0.001;
      if (unit == "s") scale = 1;
      if (unit == "m") scale = 60;
      if (unit == "h") scale = 3600;
      if (unit == "d") scale = 86400;
      if (scale == 0) return std::nullopt;
      total += ToDouble(text.substr(i, n)) * scale;
      i = k;
    }
  }
  if (!std::isfinite(total) || total < 0 || total > 1e9) return std::nullopt;
  return total;
}

std::optional<uint64_t> ParseByteSize(std::string_view text) {
  const size_t n = NumberLength(text);
  if (n == 0) return std::nullopt;
  std::string unit;
  for (size_t k = n; k < text.size(); ++k) {
    if (text[k] == ' ' && unit.empty()) continue;
    unit += static_cast<char>(std::tolower(static_cast<unsigned char>(text[k])));
  }
  if (!unit.empty() && unit.back() == 'b' && unit != "b") unit.pop_back();
  double scale = 0;
  if (unit.empty() || unit == "b") scale = 1;
  if (unit == "k") scale = 1e3;
  if (unit == "m") scale = 1e6;
  if (unit == "g") scale = 1e9;
  if (unit == "t") scale = 1e12;
  if (unit == "ki") scale = 1024.0;
  if (unit == "mi") scale = 1024.0 * 1024;
  if (unit == "gi") scale = 1024.0 * 1024 * 1024;
  if (unit == "ti") scale = 1024.0 * 1024 * 1024 * 1024;
  if (scale == 0) return std::nullopt;
  const double v = std::round(ToDouble(text.substr(0, n)) * scale);
  if (!(v >= 0 && v < 9.2e18)) return std::nullopt;
  return static_cast<uint64_t>(v);
}

}  // namespace sweep

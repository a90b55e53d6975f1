// TextTable: collects sanitized cells, then lays them out at render time.
//
// Layout: each column's natural width is the widest of its header and cells, capped
// by max_cell_width_. When a terminal width is given and the lines are too long, the
// widest column loses one position at a time (never below min_column_width_ nor
// below one) until the lines fit or nothing can shrink: that takes space from the
// long free-text columns (paths, params) before short ones. Cells are elided with a
// single '…' (U+2026) so the width arithmetic stays in code points.
#include "orchestrator/report/text_table.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <numeric>

namespace sweep {
namespace {

constexpr const char* kEllipsis = "\xE2\x80\xA6";     // U+2026
constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD
constexpr size_t kGap = 2;

// Length of the valid UTF-8 sequence starting at s[i], or 0 when it is invalid.
size_t Utf8SequenceLength(const std::string& s, size_t i) {
  auto c = static_cast<unsigned char>(s[i]);
  size_t len;
  unsigned char min_second = 0x80, max_second = 0xBF;
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) {
    len = 2;
  } else if (c >= 0xE0 && c <= 0xEF) {
    len = 3;
    if (c == 0xE0) min_second = 0xA0;  // overlong
    if (c == 0xED) max_second = 0x9F;  // surrogates
  } else if (c >= 0xF0 && c <= 0xF4) {
    len = 4;
    if (c == 0xF0) min_second = 0x90;
    if (c == 0xF4) max_second = 0x8F;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  auto second = static_cast<unsigned char>(s[i + 1]);
  if (second < min_second || second > max_second) return 0;
  for (size_t k = 2; k < len; ++k) {
    auto b = static_cast<unsigned char>(s[i + k]);
    if (b < 0x80 || b > 0xBF) return 0;
  }
  return len;
}

}  // namespace

std::string SanitizeForTerminal(const std::string& s, bool keep_newlines) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 || c == 0x7F) {
      if (c == '\n') {
        out += keep_newlines ? "\n" : "\\n";
      } else if (c == '\t') {
        out += "\\t";
      } else if (c == '\r') {
        out += "\\r";
      } else {
        char buf[8];
        std::snprintf(buf, sizeof buf, "\\x%02x", c);
        out += buf;
      }
      ++i;
      continue;
    }
    size_t len = Utf8SequenceLength(s, i);
    if (len == 0) {
      out += kReplacement;
      ++i;
      continue;
    }
    // C1 control characters (U+0080..U+009F) can also drive terminals.
    if (len == 2 && c == 0xC2 && static_cast<unsigned char>(s[i + 1]) < 0xA0) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", static_cast<unsigned char>(s[i + 1]));
      out += buf;
    } else {
      out.append(s, i, len);
    }
    i += len;
  }
  return out;
}

size_t DisplayWidth(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) {
    if ((c & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::string Elide(const std::string& s, size_t width) {
  if (DisplayWidth(s) <= width) return s;
  if (width == 0) return "";
  // Keep width - 1 code points, then the ellipsis.
  size_t kept = 0, i = 0;
  while (i < s.size()) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
      if (kept == width - 1) break;
      ++kept;
    }
    ++i;
  }
  return s.substr(0, i) + kEllipsis;
}

bool LooksNumeric(const std::string& cell) {
  if (cell.empty() || cell == "-" || cell == "NaN" || cell == "Infinity" || cell == "-Infinity") {
    return true;
  }
  const char* begin = cell.c_str();
  char* end = nullptr;
  std::strtod(begin, &end);
  // strtod also accepts "nan", "inf" and hex; we want plain decimal numbers only.
  bool plain = std::all_of(cell.begin(), cell.end(), [](char c) {
    return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
  });
  return plain && end == begin + cell.size();
}

TextTable::TextTable(std::vector<std::string> headers) : align_(headers.size(), Align::kAuto) {
  for (auto& h : headers) headers_.push_back(SanitizeForTerminal(h));
}

void TextTable::SetAlign(size_t column, Align align) {
  if (column < align_.size()) align_[column] = align;
}

void TextTable::AddRow(std::vector<std::string> cells) {
  cells.resize(headers_.size());
  for (auto& c : cells) c = SanitizeForTerminal(c);
  rows_.push_back(std::move(cells));
}

std::string TextTable::Render(size_t terminal_width) const {
  const size_t n = headers_.size();
  if (n == 0) return "";
  std::vector<size_t> width(n);
  std::vector<bool> right(n);
  for (size_t c = 0; c < n; ++c) {
    width[c] = DisplayWidth(headers_[c]);
    bool numeric = true, any = false;
    for (const auto& row : rows_) {
      width[c] = std::max(width[c], DisplayWidth(row[c]));
      if (!row[c].empty() && row[c] != "-") any = true;
      if (!LooksNumeric(row[c])) numeric = false;
    }
    if (max_cell_width_ > 0) width[c] = std::min(width[c], std::max<size_t>(max_cell_width_, 1));
    right[c] = align_[c] == Align::kRight || (align_[c] == Align::kAuto && numeric && any);
  }
  if (terminal_width > 0) {
    auto total = [&] {
      return std::accumulate(width.begin(), width.end(), size_t{0}) + kGap * (n - 1);
    };
    size_t floor_width = std::max<size_t>(min_column_width_, 1);
    while (total() > terminal_width) {
      auto widest = std::max_element(width.begin(), width.end());
      if (*widest <= floor_width) break;
      --*widest;
    }
  }
  std::string out;
  auto emit = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (size_t c = 0; c < n; ++c) {
      std::string cell = Elide(cells[c], width[c]);
      size_t pad = width[c] - DisplayWidth(cell);
      if (c > 0) line.append(kGap, ' ');
      if (right[c]) line.append(pad, ' ');
      line += cell;
      if (!right[c]) line.append(pad, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line;
    out += '\n';
  };
  emit(headers_);
  std::vector<std::string> rule(n);
  for (size_t c = 0; c < n; ++c) rule[c] = std::string(width[c], '-');
  emit(rule);
  for (const auto& row : rows_) emit(row);
  return out;
}

}  // namespace sweep

// Aligned text tables for terminals.
//
// Columns are separated by two spaces; the header is followed by a rule of dashes.
// Numeric columns (every non-empty cell a number, "NaN", "Infinity" or a placeholder
// like "-") are right-aligned, others left-aligned, unless set explicitly. Cells are
// sanitized (control characters escaped, invalid UTF-8 replaced) and widths counted
// in code points (wide East Asian characters count as one: an approximation). A cell
// longer than the column width is cut and ends in '…'. Trailing spaces are trimmed.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

namespace sweep {

enum class Align { kAuto, kLeft, kRight };

class TextTable {
 public:
  // One header per column; the column count is fixed by it.
  explicit TextTable(std::vector<std::string> headers);

  void SetAlign(size_t column, Align align);
  // Widest a cell of any column may print before it is elided (default 48; 0 = none).
  void SetMaxCellWidth(size_t width) { max_cell_width_ = width; }
  // Narrowest a column is shrunk to when fitting a terminal (default 6).
  void SetMinColumnWidth(size_t width) { min_column_width_ = width; }

  // Adds a row; missing cells are empty, extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  size_t rows() const { return rows_.size(); }

  // The table as text, one line per row, each ending in '\n'. With terminal_width > 0
  // the widest columns are narrowed (down to the minimum width) until each line
  // fits; a table that cannot fit even then is printed at the minimum widths.
  std::string Render(size_t terminal_width = 0) const;

 private:
  std::vector<std::string> headers_;
  std::vector<Align> align_;
  std::vector<std::vector<std::string>> rows_;
  size_t max_cell_width_ = 48;
  size_t min_column_width_ = 6;
};

// Replaces control characters by visible escapes (\n, \t, \r, \x1b ...) and each byte
// of invalid UTF-8 by U+FFFD, so that stored text cannot drive the terminal. With
// keep_newlines, '\n' passes through (multi-line text printed as lines).
std::string SanitizeForTerminal(const std::string& s, bool keep_newlines = false);

// Width of valid UTF-8 text in code points.
size_t DisplayWidth(const std::string& s);

// The text cut to at most `width` code points, ending in '…' when it was cut.
std::string Elide(const std::string& s, size_t width);

// True for cells a numeric column may hold: numbers, NaN/Infinity, "-" and "".
bool LooksNumeric(const std::string& cell);

}  // namespace sweep

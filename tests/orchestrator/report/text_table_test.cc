#include "orchestrator/report/text_table.h"

#include <gtest/gtest.h>

#include <sstream>

namespace sweep {
namespace {

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out.push_back(line);
  return out;
}

TEST(TextTable, AlignsTextLeftAndNumbersRight) {
  TextTable t({"NAME", "VALUE"});
  t.AddRow({"alpha", "1.5"});
  t.AddRow({"b", "-20"});
  t.AddRow({"gamma", "NaN"});
  EXPECT_EQ(t.Render(),
            "NAME   VALUE\n"
            "-----  -----\n"
            "alpha    1.5\n"
            "b        -20\n"
            "gamma    NaN\n");
}

TEST(TextTable, MixedColumnsAreLeftAlignedUnlessSetRight) {
  TextTable t({"A", "B"});
  t.AddRow({"1", "x"});
  t.AddRow({"no value", "y"});
  EXPECT_EQ(Lines(t.Render())[2], "1         x");
  t.SetAlign(0, Align::kRight);
  EXPECT_EQ(Lines(t.Render())[2], "       1  x");
}

TEST(TextTable, ElidesLongCellsWithAnEllipsis) {
  TextTable t({"PATH"});
  t.SetMaxCellWidth(8);
  t.AddRow({"/a/very/long/path"});
  auto lines = Lines(t.Render());
  EXPECT_EQ(lines[2], "/a/very\xE2\x80\xA6");
  EXPECT_EQ(DisplayWidth(lines[2]), 8u);
}

TEST(TextTable, ShrinksTheWidestColumnToFitTheTerminal) {
  TextTable t({"ID", "PARAMS", "NOTE"});
  t.AddRow({"t-1", std::string(30, 'p'), "short"});
  std::string wide = t.Render();
  EXPECT_EQ(DisplayWidth(Lines(wide)[2]), 3 + 2 + 30 + 2 + 5u);
  auto lines = Lines(t.Render(30));
  for (const auto& l : lines) EXPECT_LE(DisplayWidth(l), 30u) << l;
  EXPECT_EQ(lines[2].substr(0, 5), "t-1  ");
  EXPECT_NE(lines[2].find("\xE2\x80\xA6"), std::string::npos);
  EXPECT_NE(lines[2].find("short"), std::string::npos);
}

TEST(TextTable, NeverShrinksBelowTheMinimumWidth) {
  TextTable t({"AAAAAAAA", "BBBBBBBB"});
  t.AddRow({"12345678", "abcdefgh"});
  auto lines = Lines(t.Render(5));
  EXPECT_EQ(lines[0], "AAAAA\xE2\x80\xA6  BBBBB\xE2\x80\xA6");
}

TEST(TextTable, EscapesControlCharactersAndInvalidUtf8) {
  TextTable t({"V"});
  t.AddRow({"a\nb\x1b[31m"});
  t.AddRow({std::string("x\xff", 2)});
  auto lines = Lines(t.Render());
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(lines[2], "a\\nb\\x1b[31m");
  EXPECT_EQ(lines[3], "x\xEF\xBF\xBD");
}

TEST(TextTable, MissingCellsAreEmptyAndTrailingSpacesTrimmed) {
  TextTable t({"A", "B", "C"});
  t.AddRow({"x"});
  auto lines = Lines(t.Render());
  EXPECT_EQ(lines[2], "x");
  EXPECT_EQ(t.rows(), 1u);
}

TEST(Elide, CountsCodePointsNotBytes) {
  EXPECT_EQ(Elide("héllo", 5), "héllo");
  EXPECT_EQ(Elide("héllo", 3), "hé\xE2\x80\xA6");
  EXPECT_EQ(Elide("abc", 0), "");
  EXPECT_EQ(DisplayWidth("héllo"), 5u);
}

TEST(SanitizeForTerminal, KeepsValidUtf8AndOptionallyNewlines) {
  EXPECT_EQ(SanitizeForTerminal("ünï ✓"), "ünï ✓");
  EXPECT_EQ(SanitizeForTerminal("a\tb\r"), "a\\tb\\r");
  EXPECT_EQ(SanitizeForTerminal("a\nb", true), "a\nb");
  EXPECT_EQ(SanitizeForTerminal(std::string("\xC0\xAF")), "\xEF\xBF\xBD\xEF\xBF\xBD");  // overlong
  EXPECT_EQ(SanitizeForTerminal("\xC2\x9B"), "\\u009b");                                // C1 CSI
}

TEST(LooksNumeric, AcceptsPlainNumbersAndPlaceholders) {
  EXPECT_TRUE(LooksNumeric("1e-05"));
  EXPECT_TRUE(LooksNumeric("-3"));
  EXPECT_TRUE(LooksNumeric("Infinity"));
  EXPECT_TRUE(LooksNumeric("-"));
  EXPECT_FALSE(LooksNumeric("nan"));
  EXPECT_FALSE(LooksNumeric("0x10"));
  EXPECT_FALSE(LooksNumeric("1.5 s"));
  EXPECT_FALSE(LooksNumeric("adam"));
}

}  // namespace
}  // namespace sweep

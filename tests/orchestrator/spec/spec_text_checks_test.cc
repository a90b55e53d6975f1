#include "orchestrator/spec/spec_text_checks.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

std::string Nested(int levels) {
  std::string text;
  for (int i = 0; i < levels; ++i) text += std::string(i, ' ') + "k:\n";
  return text;
}

TEST(CheckSpecText, OrdinarySpecHasNoIssues) {
  EXPECT_TRUE(
      CheckSpecText("method: random  # comment with [ and {\n"
                    "parameters:\n"
                    "  lr: {min: 0.1, max: 1}\n"
                    "  name:\n"
                    "    values: ['it''s', \"a \\\" b\", caf\xC3\xA9, \xF0\x9F\x98\x80]\n"
                    "description: |\n"
                    "  \tTabs inside a block scalar are text.\n"
                    "  [[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[\n")
          .empty());
}

TEST(CheckSpecText, ByteOrderMarkIsAccepted) {
  EXPECT_TRUE(CheckSpecText("\xEF\xBB\xBFmethod: grid\n").empty());
}

TEST(CheckSpecText, DepthUpToTheLimitPassesAndOneMoreFails) {
  EXPECT_TRUE(CheckSpecText(Nested(kMaxSpecDepth)).empty());
  auto issues = CheckSpecText(Nested(kMaxSpecDepth + 1));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_TRUE(issues[0].fatal);
  EXPECT_EQ(issues[0].line, kMaxSpecDepth + 1);
  EXPECT_EQ(issues[0].col, kMaxSpecDepth + 1);
}

TEST(CheckSpecText, FlowBracketsCountTowardsDepth) {
  EXPECT_TRUE(CheckSpecText("a: " + std::string(63, '[') + std::string(63, ']')).empty());
  auto issues = CheckSpecText("a: " + std::string(64, '['));
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].col, 3 + 64);
}

TEST(CheckSpecText, BracketsInsideQuotesAndPlainWordsDoNotCount) {
  EXPECT_TRUE(
      CheckSpecText("a: \"" + std::string(100, '[') + "\"\nb: x" + std::string(100, '{') + "\n")
          .empty());
}

TEST(CheckSpecText, TabsInIndentationAreReportedPerLineButNotFatal) {
  auto issues = CheckSpecText("a:\n\tb: 1\n  c: \"x\ty\"\n \td: 2\n");
  ASSERT_EQ(issues.size(), 2u);
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_EQ(issues[0].col, 1);
  EXPECT_EQ(issues[1].line, 4);
  EXPECT_EQ(issues[1].col, 2);
  EXPECT_FALSE(issues[0].fatal);
}

TEST(CheckSpecText, EncodingProblemsAreFatalWithTheirPosition) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"a: 1\nb: x\xC0\xAF\n", "invalid UTF-8 (byte 0xc0)"},   // overlong '/'
      {"a: \xED\xA0\x80\n", "invalid UTF-8 (byte 0xed)"},      // surrogate
      {"a: \xF4\x90\x80\x80\n", "invalid UTF-8 (byte 0xf4)"},  // past U+10FFFF
      {"a: \xE2\x82\n", "invalid UTF-8 (byte 0xe2)"},          // truncated
      {std::string("a: 1\0", 5), "binary data (a NUL byte)"},
      {"a: \x1b[31m\n", "control character 0x1b"},
  };
  for (const auto& [text, want] : cases) {
    auto issues = CheckSpecText(text);
    ASSERT_EQ(issues.size(), 1u) << want;
    EXPECT_TRUE(issues[0].fatal);
    EXPECT_NE(issues[0].message.find(want), std::string::npos) << issues[0].message;
  }
  auto issues = CheckSpecText("a: 1\nb: x\xC0\xAF\n");
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_EQ(issues[0].col, 5);
}

TEST(CheckSpecText, UnclosedQuoteIsReportedWhereItOpens) {
  auto issues = CheckSpecText("a: 1\nb: 'open\nc: 2\n");
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_EQ(issues[0].line, 2);
  EXPECT_EQ(issues[0].col, 4);
  EXPECT_NE(issues[0].message.find("single-quoted string is never closed"), std::string::npos);
}

TEST(CheckSpecText, OversizedTextIsRefusedBeforeAnyScan) {
  std::string text(kMaxSpecBytes + 1, 'a');
  auto issues = CheckSpecText(text);
  ASSERT_EQ(issues.size(), 1u);
  EXPECT_NE(issues[0].message.find("over the 4 MiB limit"), std::string::npos);
}

}  // namespace
}  // namespace sweep

#include "orchestrator/report/report_format.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sweep {
namespace {

TEST(FormatIsoTime, PrintsUtcWithMillisecondsAndEmptyForUnset) {
  EXPECT_EQ(FormatIsoTime(1700000000.25), "2023-11-14T22:13:20.250Z");
  EXPECT_EQ(FormatIsoTime(0), "");
  EXPECT_EQ(FormatIsoTime(std::nan("")), "");
  EXPECT_TRUE(JsonTime(0).is_null());
  EXPECT_EQ(JsonTime(1700000000).get<std::string>(), "2023-11-14T22:13:20.000Z");
}

TEST(FormatDuration, ScalesItsUnits) {
  EXPECT_EQ(FormatDuration(0.25), "250ms");
  EXPECT_EQ(FormatDuration(4.27), "4.2s");
  EXPECT_EQ(FormatDuration(59), "59s");
  EXPECT_EQ(FormatDuration(192), "3m12s");
  EXPECT_EQ(FormatDuration(3723), "1h02m03s");
  EXPECT_EQ(FormatDuration(2 * 86400 + 3 * 3600), "2d03h");
  EXPECT_EQ(FormatDuration(-5), "0s");
  EXPECT_EQ(FormatDuration(1e300), "11574074d01h");  // clamped, not undefined
  EXPECT_EQ(FormatDuration(HUGE_VAL), "0s");
}

TEST(JsonNumber, SpellsNonFiniteValuesAsStrings) {
  EXPECT_EQ(JsonNumber(0.5).dump(), "0.5");
  EXPECT_EQ(JsonNumber(std::nan("")).get<std::string>(), "NaN");
  EXPECT_EQ(JsonNumber(HUGE_VAL).get<std::string>(), "Infinity");
  EXPECT_EQ(JsonNumber(-HUGE_VAL).get<std::string>(), "-Infinity");
  EXPECT_TRUE(JsonNumber(std::optional<double>()).is_null());
  EXPECT_TRUE(std::isnan(*NumberFromJson(Value("NaN"))));
  EXPECT_EQ(*NumberFromJson(Value("-Infinity")), -HUGE_VAL);
  EXPECT_FALSE(NumberFromJson(Value("abc")).has_value());
}

TEST(FormatNumbers, ShortForTablesExactForExports) {
  EXPECT_EQ(FormatShortNumber(0.2134567891), "0.213457");
  EXPECT_EQ(FormatShortNumber(std::nan("")), "NaN");
  EXPECT_EQ(FormatExactNumber(0.1), "0.1");
  EXPECT_EQ(FormatExactNumber(0.2134567891), "0.2134567891");
  EXPECT_EQ(FormatExactNumber(1e-05), "1e-05");
  EXPECT_EQ(FormatExactNumber(-HUGE_VAL), "-Infinity");
}

TEST(FormatParam, StringsVerbatimOthersAsJson) {
  EXPECT_EQ(FormatParam(Value("a b")), "a b");
  EXPECT_EQ(FormatParam(Value(32)), "32");
  EXPECT_EQ(FormatParam(Value(0.001)), "0.001");
  EXPECT_EQ(FormatParam(Value(1.0)), "1.0");
  EXPECT_EQ(FormatParam(Value(1e-05)), "1e-05");
  EXPECT_EQ(FormatParam(Value(std::nan(""))), "NaN");
  EXPECT_EQ(FormatParam(Value(true)), "true");
  EXPECT_EQ(FormatParam(Value::array({1, "x"})), "[1,\"x\"]");
}

TEST(DumpJson, ReplacesInvalidUtf8InsteadOfThrowing) {
  Value v = {{"s", std::string("ok\xff")}};
  EXPECT_EQ(DumpJson(v, -1), "{\"s\":\"ok\xEF\xBF\xBD\"}");
}

TEST(CsvField, QuotesOnlyWhenNeeded) {
  EXPECT_EQ(CsvField("plain"), "plain");
  EXPECT_EQ(CsvField("a,b"), "\"a,b\"");
  EXPECT_EQ(CsvField("say \"hi\""), "\"say \"\"hi\"\"\"");
  EXPECT_EQ(CsvField("line\nbreak"), "\"line\nbreak\"");
  EXPECT_EQ(CsvField(""), "");
}

TEST(ShellQuote, QuotesForDisplayOnly) {
  EXPECT_EQ(ShellQuote("--lr=0.1"), "--lr=0.1");
  EXPECT_EQ(ShellQuote(""), "''");
  EXPECT_EQ(ShellQuote("; rm -rf ~ $(reboot)"), "'; rm -rf ~ $(reboot)'");
  EXPECT_EQ(ShellQuote("it's"), "'it'\\''s'");
  EXPECT_EQ(ShellJoin({"python", "train.py", "--name=a b"}), "python train.py '--name=a b'");
}

TEST(TrialStatusName, NamesEveryStatusAndKnowsWhichEnded) {
  std::vector<std::string> words;
  for (TrialStatus s : AllTrialStatuses()) words.push_back(TrialStatusName(s));
  EXPECT_EQ(words, (std::vector<std::string>{"queued", "running", "finished", "failed", "stopped",
                                             "lost"}));
  EXPECT_FALSE(IsTerminal(TrialStatus::kRunning));
  EXPECT_FALSE(IsTerminal(TrialStatus::kQueued));
  EXPECT_TRUE(IsTerminal(TrialStatus::kLost));
  EXPECT_STREQ(SweepStatusName(SweepStatus::kInterrupted), "interrupted");
  EXPECT_EQ(DescribeSignal(9), "killed by signal 9 (SIGKILL)");
  EXPECT_EQ(DescribeSignal(77), "killed by signal 77");
}

}  // namespace
}  // namespace sweep

#include "agents/runtime/metric_reader.h"

#include <gtest/gtest.h>

#include <cmath>
#include <fstream>
#include <limits>

#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::TempDir;

struct Point {
  std::string name;
  int64_t step;
  double value;
  bool operator==(const Point& o) const {
    return name == o.name && step == o.step &&
           (value == o.value || (std::isnan(value) && std::isnan(o.value)));
  }
};
std::ostream& operator<<(std::ostream& os, const Point& p) {
  return os << "{" << p.name << " @" << p.step << " = " << p.value << "}";
}

std::vector<Point> Simplify(const std::vector<ParsedPoint>& points) {
  std::vector<Point> out;
  for (const auto& p : points) out.push_back({p.name, p.step, p.value});
  return out;
}

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

TEST(MetricReader, ParsesJsonLinesWithNonFiniteLiteralsAndBooleans) {
  MetricReader r({});
  auto pts =
      r.ParseJsonLine(R"({"step": 3, "loss": 0.25, "acc": NaN, "up": Infinity, "down": -Infinity,)"
                      R"( "ok": true, "bad": false, "n": -12, "e": 1.5e-3})",
                      100.0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"loss", 3, 0.25},
                                               {"acc", 3, kNaN},
                                               {"up", 3, kInf},
                                               {"down", 3, -kInf},
                                               {"ok", 3, 1},
                                               {"bad", 3, 0},
                                               {"n", 3, -12},
                                               {"e", 3, 1.5e-3}}));
  EXPECT_EQ(pts[0].wall, 100.0);
  EXPECT_EQ(r.malformed_lines(), 0u);
}

TEST(MetricReader, IgnoresStringsNullsAndNestedValues) {
  MetricReader r({});
  auto pts = r.ParseJsonLine(
      R"({"note": "a \"quoted\" } string", "cfg": {"a": [1, {"b": "]"}]}, "x": null,)"
      R"( "list": [1, 2], "val\/loss": 2, "caf\u00e9": 1})",
      0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"val/loss", 0, 2}, {"caf\xc3\xa9", 0, 1}}));
  EXPECT_EQ(r.malformed_lines(), 0u);
}

TEST(MetricReader, AutoIncrementsStepsAndHonoursExplicitOnes) {
  MetricReader r({});
  EXPECT_EQ(r.ParseJsonLine(R"({"a": 1})", 0)[0].step, 0);
  EXPECT_EQ(r.ParseJsonLine(R"({"a": 2})", 0)[0].step, 1);
  EXPECT_EQ(r.ParseJsonLine(R"({"step": 10, "a": 3})", 0)[0].step, 10);
  EXPECT_EQ(r.ParseJsonLine(R"({"a": 4})", 0)[0].step, 11);
  EXPECT_EQ(r.ParseJsonLine(R"({"step": 4.0, "a": 5})", 0)[0].step, 4);
  // A line without metrics does not advance the counter.
  EXPECT_TRUE(r.ParseJsonLine(R"({"msg": "hello"})", 0).empty());
  EXPECT_TRUE(r.ParseJsonLine("   ", 0).empty());
  EXPECT_EQ(r.ParseJsonLine(R"({"a": 6})", 0)[0].step, 5);
  EXPECT_EQ(r.malformed_lines(), 0u);
}

TEST(MetricReader, TheStepKeyIsConfigurable) {
  MetricReadingOptions o;
  o.step_key = "_step";
  MetricReader r(o);
  auto pts = r.ParseJsonLine(R"({"_step": 7, "step": 1})", 0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"step", 7, 1}}));
}

TEST(MetricReader, RefusesEmptyControlAndOverlongNamesCountingEachLineOnce) {
  MetricReader r({});
  auto a = r.ParseJsonLine(R"({"": 1, "ok": 2, "bad\u0000x": 3})", 0);
  ASSERT_EQ(a.size(), 1u);  // the valid pair of the line is kept
  EXPECT_EQ(a[0].name, "ok");
  EXPECT_EQ(r.malformed_lines(), 1u);
  EXPECT_EQ(r.first_malformed(), "metric name refused (empty): \"\"");
  EXPECT_TRUE(r.ParseJsonLine(R"({"a\nb": 1})", 0).empty());
  EXPECT_TRUE(r.ParseStdoutLine(std::string(257, 'n') + "=1", 0).empty());
  EXPECT_EQ(r.ParseStdoutLine(std::string(256, 'n') + "=1", 0).size(), 1u);
  EXPECT_EQ(r.ParseStdoutLine("val/loss=0.5", 0).size(), 1u);
  EXPECT_EQ(r.malformed_lines(), 3u);

  MetricReader shown({});
  EXPECT_TRUE(shown.ParseJsonLine(R"({"a\nb": 1})", 0).empty());
  EXPECT_EQ(shown.first_malformed(),
            "metric name refused (contains a control character): \"a\\x0ab\"");
}

TEST(MetricReader, CountsMalformedLinesAndKeepsTheFirst) {
  MetricReader r({});
  const std::string first = "not json " + std::string(300, 'z');
  for (const std::string& bad :
       {first, std::string(R"({"loss": })"), std::string(R"({"loss": 1)"),
        std::string(R"({"loss": 1} trailing)"), std::string(R"([1, 2])"),
        std::string(R"({"loss": nan})"), std::string(R"({"step": 1.5, "a": 1})"),
        std::string("{\"a\": 01}"), std::string("{\"a\": \"unterminated}"),
        std::string("\xff\xfe{\x00}", 5)}) {
    EXPECT_TRUE(r.ParseJsonLine(bad, 0).empty()) << bad;
  }
  EXPECT_EQ(r.malformed_lines(), 10u);
  EXPECT_EQ(r.first_malformed(), first.substr(0, 200));
  // Good lines still parse after bad ones.
  EXPECT_EQ(r.ParseJsonLine(R"({"loss": 1})", 0).size(), 1u);
}

TEST(MetricReader, SurvivesDeepNestingAndHugeNumbers) {
  MetricReader r({});
  std::string deep = R"({"deep": )" + std::string(200000, '[') + std::string(200000, ']') +
                     R"(, "big": 1e400, "tiny": -1e-400, "x": 1})";
  auto pts = r.ParseJsonLine(deep, 0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"big", 0, kInf}, {"tiny", 0, -0.0}, {"x", 0, 1}}));
  EXPECT_TRUE(r.ParseJsonLine(R"({"deep": )" + std::string(100000, '['), 0).empty());
  EXPECT_EQ(r.malformed_lines(), 1u);
}

TEST(MetricReader, ALineOverTheBoundIsMalformed) {
  MetricReadingOptions o;
  o.max_line_bytes = 64;
  MetricReader r(o);
  EXPECT_TRUE(r.ParseJsonLine(R"({"a": ")" + std::string(100, 'x') + R"(", "b": 1})", 0).empty());
  EXPECT_EQ(r.malformed_lines(), 1u);
}

TEST(MetricReader, ReadsKeyValuePairsFromStdout) {
  MetricReader r({});
  auto pts = r.ParseStdoutLine(
      "epoch 3: val_loss=0.21 acc=0.93, val/loss=nan train.acc=inf lr=-1e-3 "
      "--wd=+2 path=/tmp/x name=abc pct=93% (f1=0.5) x==1",
      0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"val_loss", 0, 0.21},
                                               {"acc", 0, 0.93},
                                               {"val/loss", 0, kNaN},
                                               {"train.acc", 0, kInf},
                                               {"lr", 0, -1e-3},
                                               {"wd", 0, 2},
                                               {"f1", 0, 0.5}}));
  EXPECT_TRUE(r.ParseStdoutLine("no pairs here, just text", 0).empty());
  EXPECT_TRUE(r.ParseStdoutLine("", 0).empty());
  EXPECT_EQ(r.malformed_lines(), 0u);
  auto next = r.ParseStdoutLine("step=9 loss=1", 0);
  EXPECT_EQ(Simplify(next), (std::vector<Point>{{"loss", 9, 1}}));
}

TEST(MetricReader, StepsAreSharedBetweenTheChannels) {
  MetricReader r({});
  EXPECT_EQ(r.ParseJsonLine(R"({"step": 4, "a": 1})", 0)[0].step, 4);
  EXPECT_EQ(r.ParseStdoutLine("b=2", 0)[0].step, 5);
  EXPECT_EQ(r.ParseJsonLine(R"({"a": 1})", 0)[0].step, 6);
}

TEST(MetricReader, UsesACustomStdoutPattern) {
  MetricReadingOptions o;
  o.stdout_pattern = R"((\w+):\s*(\S+))";
  MetricReader r(o);
  auto pts = r.ParseStdoutLine("loss: 0.5 acc: high top1:0.9", 0);
  EXPECT_EQ(Simplify(pts), (std::vector<Point>{{"loss", 0, 0.5}, {"top1", 0, 0.9}}));
  // Over-long lines are not fed to std::regex at all.
  EXPECT_TRUE(r.ParseStdoutLine("a: 1 " + std::string(100000, 'b'), 0).empty());
}

TEST(MetricReader, ValidatesPatterns) {
  EXPECT_FALSE(MetricReader::ValidatePattern("").has_value());
  EXPECT_FALSE(MetricReader::ValidatePattern(R"((\w+)=(\S+))").has_value());
  auto one_group = MetricReader::ValidatePattern(R"((\w+)=\S+)");
  ASSERT_TRUE(one_group.has_value());
  EXPECT_NE(one_group->find("2 groups"), std::string::npos) << *one_group;
  auto invalid = MetricReader::ValidatePattern("(unclosed");
  ASSERT_TRUE(invalid.has_value());
  EXPECT_NE(invalid->find("not a valid regex"), std::string::npos) << *invalid;
}

TEST(MetricReader, HostileStdoutLinesAreHarmless) {
  MetricReader r({});
  std::string noise;
  for (int i = 0; i < 100000; ++i) noise.push_back(static_cast<char>(i * 7919 % 256));
  r.ParseStdoutLine(noise, 0);
  // A 1 MiB name is refused (names are at most 256 bytes) and counted, not kept.
  auto pts = r.ParseStdoutLine(std::string(1 << 20, 'a') + "=1", 0);
  EXPECT_TRUE(pts.empty());
  EXPECT_GE(r.malformed_lines(), 1u);
}

TEST(ValidUtf8, ReplacesEachInvalidByteAndKeepsValidText) {
  EXPECT_EQ(ValidUtf8("plain ascii"), "plain ascii");
  EXPECT_EQ(ValidUtf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"),
            "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  const std::string r = "\xef\xbf\xbd";
  EXPECT_EQ(ValidUtf8(std::string("a\xff") + "b"), "a" + r + "b");
  EXPECT_EQ(ValidUtf8("\xc3"), r);                          // truncated sequence
  EXPECT_EQ(ValidUtf8("\xc0\xaf"), r + r);                  // overlong '/'
  EXPECT_EQ(ValidUtf8("\xed\xa0\x80"), r + r + r);          // a UTF-16 surrogate
  EXPECT_EQ(ValidUtf8("\xf4\x90\x80\x80"), r + r + r + r);  // past U+10FFFF
  EXPECT_EQ(ValidUtf8(std::string("nul\0ok", 6)), std::string("nul\0ok", 6));
}

TEST(MetricReader, MetricNamesAreValidUtf8) {
  MetricReader r({});
  auto pts = r.ParseJsonLine("{\"lo\xffss\": 1}", 0);
  ASSERT_EQ(pts.size(), 1u);
  EXPECT_EQ(pts[0].name, "lo\xef\xbf\xbdss");
  r.ParseJsonLine("\xff garbage", 0);
  EXPECT_EQ(r.first_malformed(), "\xef\xbf\xbd garbage");
}

void Append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::app | std::ios::binary) << text;
}

TEST(FileTailer, ReadsOnlyCompleteNewLinesAndKeepsThePartialOne) {
  TempDir dir;
  FileTailer t(dir / "m.jsonl");
  EXPECT_TRUE(t.ReadLines().empty());  // the file does not exist yet
  Append(dir / "m.jsonl", "one\ntwo\nthr");
  EXPECT_EQ(t.ReadLines(), (std::vector<std::string>{"one", "two"}));
  EXPECT_TRUE(t.ReadLines().empty());
  Append(dir / "m.jsonl", "ee\n\nfour");
  EXPECT_EQ(t.ReadLines(), (std::vector<std::string>{"three", ""}));
  EXPECT_EQ(t.ReadLines(/*final=*/true), (std::vector<std::string>{"four"}));
  EXPECT_TRUE(t.ReadLines(true).empty());
}

TEST(FileTailer, SkipsAndCountsLinesOverTheBound) {
  TempDir dir;
  FileTailer t(dir / "m.jsonl", 100);
  Append(dir / "m.jsonl", "short\n" + std::string(50, 'x'));
  EXPECT_EQ(t.ReadLines(), (std::vector<std::string>{"short"}));
  Append(dir / "m.jsonl", std::string(200000, 'y'));  // passes the bound mid-stream
  EXPECT_TRUE(t.ReadLines().empty());
  Append(dir / "m.jsonl", "tail of the long one\nafter\n" + std::string(150, 'z'));
  EXPECT_EQ(t.ReadLines(), (std::vector<std::string>{"after"}));
  EXPECT_EQ(t.skipped_long_lines(), 1u);
  EXPECT_TRUE(t.ReadLines(true).empty());
  EXPECT_EQ(t.skipped_long_lines(), 2u);
}

TEST(FileTailer, StartsOverWhenTheFileShrinks) {
  TempDir dir;
  FileTailer t(dir / "m.jsonl");
  Append(dir / "m.jsonl", "aaaaaaaaaa\nbbbbbbbbbb\n");
  EXPECT_EQ(t.ReadLines().size(), 2u);
  std::ofstream(dir / "m.jsonl", std::ios::trunc) << "new\n";
  EXPECT_EQ(t.ReadLines(), (std::vector<std::string>{"new"}));
}

TEST(FileTailer, StreamsABacklogInBoundedSlices) {
  TempDir dir;
  std::string text;
  for (int i = 0; i < 100000; ++i) text += "{\"step\": " + std::to_string(i) + "}\n";
  Append(dir / "m.jsonl", text);
  FileTailer t(dir / "m.jsonl");
  size_t total = 0, calls = 0;
  std::string last;
  while (size_t n = t.ReadLines([&](std::string_view l) { last = l; }, false, 256 * 1024)) {
    total += n;
    ++calls;
  }
  EXPECT_EQ(total, 100000u);
  EXPECT_GT(calls, 3u);
  EXPECT_EQ(last, "{\"step\": 99999}");
}

}  // namespace
}  // namespace sweep

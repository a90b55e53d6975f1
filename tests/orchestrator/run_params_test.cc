// ParseArgvParams / ArgvValue: how `sweep run` reads params from a command line.
#include "orchestrator/run_params.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(ArgvValue, TypesIntegersFloatsBooleansAndStrings) {
  EXPECT_EQ(ArgvValue("3"), 3);
  EXPECT_TRUE(ArgvValue("-3").is_number_integer());
  EXPECT_EQ(ArgvValue("0.1"), 0.1);
  EXPECT_EQ(ArgvValue("1e-3"), 1e-3);
  EXPECT_TRUE(ArgvValue("1.0").is_number_float());
  EXPECT_EQ(ArgvValue("True"), true);
  EXPECT_EQ(ArgvValue("false"), false);
  EXPECT_EQ(ArgvValue("adam"), "adam");
  EXPECT_EQ(ArgvValue("nan"), "nan");
  EXPECT_EQ(ArgvValue("inf"), "inf");
  EXPECT_EQ(ArgvValue("0x10"), "0x10");
  EXPECT_EQ(ArgvValue(""), "");
  EXPECT_EQ(ArgvValue("99999999999999999999"), 1e20);  // past int64: a float
}

TEST(ParseArgvParams, ReadsSpaceAndEqualsFormsFlagsAndNegativeNumbers) {
  Value p = ParseArgvParams({"train.py", "--lr", "0.1", "--opt=adam", "--verbose", "--seed", "-3",
                             "--shift", "-0.5", "--name=a=b", "--last"});
  EXPECT_EQ(p, Value::parse(R"({"lr":0.1,"opt":"adam","verbose":true,"seed":-3,"shift":-0.5,
                                "name":"a=b","last":true})"));
}

TEST(ParseArgvParams, LastRepeatWinsAndDoubleDashEndsFlags) {
  Value p = ParseArgvParams({"--lr", "1", "--lr=2", "--", "--lr", "3"});
  EXPECT_EQ(p, Value::parse(R"({"lr":2})"));
}

TEST(ParseArgvParams, SkipsPositionalsShortFlagsAndBadKeys) {
  Value p = ParseArgvParams({"fit", "-k", "3", "--=x", "--a b=1", "--ok", "yes", "--"});
  EXPECT_EQ(p, Value::parse(R"({"ok":"yes"})"));
}

TEST(ParseArgvParams, AFlagFollowedByAFlagIsTrue) {
  Value p = ParseArgvParams({"--dry-run", "--batch-size", "32"});
  EXPECT_EQ(p, Value::parse(R"({"dry-run":true,"batch-size":32})"));
}

}  // namespace
}  // namespace sweep

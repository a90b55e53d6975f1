#include "orchestrator/spec/spec_units.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

TEST(ParseDuration, ReadsSecondsAndUnitPairs) {
  EXPECT_EQ(ParseDuration("45"), 45);
  EXPECT_EQ(ParseDuration("2.5"), 2.5);
  EXPECT_EQ(ParseDuration("90s"), 90);
  EXPECT_EQ(ParseDuration("30m"), 1800);
  EXPECT_EQ(ParseDuration("2h"), 7200);
  EXPECT_EQ(ParseDuration("1h30m"), 5400);
  EXPECT_EQ(ParseDuration("1.5h"), 5400);
  EXPECT_EQ(ParseDuration("250ms"), 0.25);
  EXPECT_EQ(ParseDuration("1d2h"), 93600);
}

TEST(ParseDuration, RejectsMalformedText) {
  for (const char* bad : {"", "h", "1x", "1 h", "-5s", "1..5s", "5s3", "1e3s", "99999999999d"})
    EXPECT_EQ(ParseDuration(bad), std::nullopt) << bad;
}

TEST(ParseByteSize, ReadsDecimalAndBinaryUnits) {
  EXPECT_EQ(ParseByteSize("1024"), 1024u);
  EXPECT_EQ(ParseByteSize("500MB"), 500000000u);
  EXPECT_EQ(ParseByteSize("500mb"), 500000000u);
  EXPECT_EQ(ParseByteSize("2GiB"), 2147483648u);
  EXPECT_EQ(ParseByteSize("10k"), 10000u);
  EXPECT_EQ(ParseByteSize("1.5 GB"), 1500000000u);
  EXPECT_EQ(ParseByteSize("7B"), 7u);
}

TEST(ParseByteSize, RejectsMalformedOrHugeSizes) {
  for (const char* bad : {"", "MB", "5 parsecs", "1.2.3MB", "-1", "1e3", "10EB", "9999999TB"})
    EXPECT_EQ(ParseByteSize(bad), std::nullopt) << bad;
}

}  // namespace
}  // namespace sweep

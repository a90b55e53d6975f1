#include "orchestrator/controller/ids.h"

#include <gtest/gtest.h>

#include <set>

namespace sweep {
namespace {

TEST(NewSweepId, IsSixLowercaseBase36Characters) {
  for (int i = 0; i < 200; ++i) {
    std::string id = NewSweepId();
    ASSERT_EQ(id.size(), 6u) << id;
    for (char c : id) EXPECT_TRUE((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')) << id;
    EXPECT_TRUE(IsSweepId(id)) << id;
    EXPECT_NE(id, "latest");
  }
}

TEST(NewSweepId, RarelyRepeats) {
  std::set<std::string> ids;
  for (int i = 0; i < 2000; ++i) ids.insert(NewSweepId());
  // 2000 draws from 36^6 values: a repeat has probability ~1e-3.
  EXPECT_GE(ids.size(), 1999u);
}

TEST(NewSweepId, UsesTheWholeAlphabet) {
  std::set<char> seen;
  for (int i = 0; i < 500; ++i) {
    for (char c : NewSweepId()) seen.insert(c);
  }
  EXPECT_EQ(seen.size(), 36u);
}

TEST(TrialId, JoinsSweepIdAndNumber) {
  EXPECT_EQ(TrialId("k3x9q2", 0), "k3x9q2-0");
  EXPECT_EQ(TrialId("k3x9q2", 17), "k3x9q2-17");
}

TEST(IsSweepId, RejectsOtherShapes) {
  EXPECT_FALSE(IsSweepId("k3x9q"));
  EXPECT_FALSE(IsSweepId("k3x9q2a"));
  EXPECT_FALSE(IsSweepId("K3X9Q2"));
  EXPECT_FALSE(IsSweepId("k3x9q-"));
  EXPECT_FALSE(IsSweepId(""));
}

}  // namespace
}  // namespace sweep

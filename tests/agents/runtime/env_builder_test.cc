// EnvBuilder: a child's environment on top of this process's, and what a change of
// this process's environment does to the next one built.
#include "agents/runtime/env_builder.h"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <algorithm>

namespace sweep {
namespace {

int Count(const std::vector<std::string>& env, const std::string& prefix) {
  return static_cast<int>(std::count_if(
      env.begin(), env.end(), [&](const std::string& kv) { return kv.rfind(prefix, 0) == 0; }));
}

std::string Value(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& kv : env)
    if (kv.rfind(name + "=", 0) == 0) return kv.substr(name.size() + 1);
  return "<unset>";
}

TEST(EnvBuilder, StartsFromTheProcessEnvironmentAndOverridesInPlace) {
  ASSERT_EQ(::setenv("SWEEP_ENVB_A", "one", 1), 0);
  EnvBuilder b = EnvBuilder::FromEnviron();
  ASSERT_TRUE(b.Get("SWEEP_ENVB_A").has_value());
  EXPECT_EQ(*b.Get("SWEEP_ENVB_A"), "one");
  EXPECT_FALSE(b.Get("SWEEP_ENVB_NEW").has_value());
  b.Set("SWEEP_ENVB_A", "two");
  b.Set("SWEEP_ENVB_NEW", "x=y");  // a value may hold '='
  b.Set("SWEEP_ENVB_NEW", "z");    // set twice: still one entry, the last value
  EXPECT_EQ(*b.Get("SWEEP_ENVB_NEW"), "z");
  std::vector<std::string> env = std::move(b).Take();
  EXPECT_EQ(Count(env, "SWEEP_ENVB_A="), 1);
  EXPECT_EQ(Count(env, "SWEEP_ENVB_NEW="), 1);
  EXPECT_EQ(Value(env, "SWEEP_ENVB_A"), "two");
  EXPECT_EQ(Value(env, "SWEEP_ENVB_NEW"), "z");
  EXPECT_EQ(env.back(), "SWEEP_ENVB_NEW=z");  // appended names come last
  ::unsetenv("SWEEP_ENVB_A");
}

TEST(EnvBuilder, AChangeToTheProcessEnvironmentIsSeenByTheNextBuild) {
  ASSERT_EQ(::setenv("SWEEP_ENVB_B", "before", 1), 0);
  EXPECT_EQ(Value(EnvBuilder::FromEnviron().Take(), "SWEEP_ENVB_B"), "before");
  // Unchanged environment: the same answer (from the kept parse).
  EXPECT_EQ(Value(EnvBuilder::FromEnviron().Take(), "SWEEP_ENVB_B"), "before");
  ASSERT_EQ(::setenv("SWEEP_ENVB_B", "after", 1), 0);
  EXPECT_EQ(Value(EnvBuilder::FromEnviron().Take(), "SWEEP_ENVB_B"), "after");
  ASSERT_EQ(::unsetenv("SWEEP_ENVB_B"), 0);
  EXPECT_EQ(Value(EnvBuilder::FromEnviron().Take(), "SWEEP_ENVB_B"), "<unset>");
  ASSERT_EQ(::setenv("SWEEP_ENVB_C", "added", 1), 0);
  EXPECT_EQ(Value(EnvBuilder::FromEnviron().Take(), "SWEEP_ENVB_C"), "added");
  ::unsetenv("SWEEP_ENVB_C");
}

TEST(EnvBuilder, BuildersDoNotShareTheirChanges) {
  EnvBuilder a = EnvBuilder::FromEnviron();
  EnvBuilder b = EnvBuilder::FromEnviron();
  a.Set("SWEEP_ENVB_ONLY_A", "1");
  EXPECT_FALSE(b.Get("SWEEP_ENVB_ONLY_A").has_value());
  EXPECT_EQ(Value(std::move(b).Take(), "SWEEP_ENVB_ONLY_A"), "<unset>");
}

}  // namespace
}  // namespace sweep

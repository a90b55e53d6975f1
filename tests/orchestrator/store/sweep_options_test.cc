#include "orchestrator/store/sweep_options.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

// What `sweep launch --listen` wrote before SweepOptions existed, key for key.
constexpr const char* kLaunchJson =
    R"({"workers":2,"gpus":"0,1","max_trials":null,"space_size":12,"run_cap":null,)"
    R"("summary":"best","slurm_agents":3,"listen":"0.0.0.0:7000","token_file":"/t/tok",)"
    R"("lease_interval_s":5.0,"lease_timeout_s":30.0,"tls_cert":"/c.pem","tls_key":"/k.pem"})";

TEST(SweepOptions, ReadsWhatLaunchWroteAndWritesItBackByteForByte) {
  Value json = Value::parse(kLaunchJson);
  SweepOptions o = ParseSweepOptions(json);
  EXPECT_EQ(o.workers, 2);
  EXPECT_EQ(o.gpus, "0,1");
  EXPECT_FALSE(o.max_trials.has_value());
  EXPECT_EQ(o.space_size, 12u);
  EXPECT_EQ(o.summary, "best");
  EXPECT_EQ(o.slurm_agents, 3);
  EXPECT_EQ(o.listen, "0.0.0.0:7000");
  EXPECT_EQ(o.token_file, "/t/tok");
  EXPECT_EQ(o.lease_timeout_s, 30.0);
  EXPECT_EQ(o.tls_key, "/k.pem");
  EXPECT_EQ(SweepOptionsToJson(o).dump(), json.dump());
}

TEST(SweepOptions, KeepsKeysItDoesNotKnow) {
  Value json = Value::parse(R"({"workers":1,"future":{"x":[1,2]}})");
  SweepOptions o = ParseSweepOptions(json);
  EXPECT_EQ(SweepOptionsToJson(o)["future"], json["future"]);
}

TEST(SweepOptions, WrongTypesReadAsAbsentAndNonObjectsAsDefaults) {
  SweepOptions o = ParseSweepOptions(
      Value::parse(R"({"workers":"two","max_trials":-3,"summary":7,"listen":1})"));
  EXPECT_FALSE(o.workers.has_value());
  EXPECT_FALSE(o.max_trials.has_value());
  EXPECT_EQ(o.summary, "last");
  EXPECT_EQ(o.listen, "");
  EXPECT_EQ(ParseSweepOptions(Value()), SweepOptions{});
  EXPECT_EQ(ParseSweepOptions(Value::parse("[1]")), SweepOptions{});
}

// The one rule the CLI (`sweep ls`, `status`) and the dashboard share.
TEST(PlannedTrials, IsTheSmallestPositiveCapAndUnboundedWithoutOne) {
  SweepOptions o;
  EXPECT_FALSE(PlannedTrials(o).has_value());
  o.max_trials = 50;
  EXPECT_EQ(PlannedTrials(o), 50u);
  o.space_size = 12;
  EXPECT_EQ(PlannedTrials(o), 12u);
  o.run_cap = 7;
  EXPECT_EQ(PlannedTrials(o), 7u);
  o.run_cap = 0;  // never recorded by launch: ignored rather than "nothing planned"
  EXPECT_EQ(PlannedTrials(o), 12u);
  EXPECT_FALSE(PlannedTrials(ParseSweepOptions(Value::parse(R"({"space_size":2.5})"))));
}

}  // namespace
}  // namespace sweep

#include "agents/protocol/trial_messages.h"

#include <gtest/gtest.h>

namespace sweep {
namespace {

Result<Message> RoundTrip(const Message& m) {
  Result<std::string> bytes = EncodeMessage(m);
  if (!bytes.ok()) return bytes.status();
  Result<Frame> frame = DecodeFrame(*bytes);
  if (!frame.ok()) return frame.status();
  return DecodeMessage(*frame);
}

TEST(TrialMessages, ALaunchCrossesTheWireAndLandsUnderTheAgentsRoot) {
  TrialLaunch l;
  l.sweep_id = "s";
  l.trial_id = "t3";
  l.argv = {"python3", "train.py", "--lr=0.01"};
  l.trial_dir = "/controller/.sweep/s/trials/t3";
  l.params = {{"lr", 0.01}};
  l.env = {{"WANDB_MODE", "offline"}};
  l.gpus = "1";
  l.timeout_s = 120;
  l.stop_grace_s = 4;
  l.reading.stdout_pairs = false;
  l.reading.step_key = "epoch";
  l.max_log_bytes = 1 << 20;
  l.metrics_poll_s = 0.25;
  Result<Message> m = RoundTrip(AssignFromLaunch(l, "L9", "s/trials/t3", ""));
  ASSERT_TRUE(m.ok()) << m.status().message();
  const AssignMsg& a = std::get<AssignMsg>(*m);
  EXPECT_EQ(a.lease_id, "L9");
  const TrialLaunch back = LaunchFromAssign(a, "/agent/work", "/agent/python");
  EXPECT_EQ(back.trial_dir, "/agent/work/s/trials/t3");
  EXPECT_EQ(back.workdir, "/agent/work");
  EXPECT_EQ(back.python_client_dir, "/agent/python");
  EXPECT_EQ(back.argv, l.argv);
  EXPECT_EQ(back.params, l.params);
  EXPECT_EQ(back.env, l.env);
  EXPECT_EQ(back.gpus, l.gpus);
  EXPECT_EQ(back.timeout_s, 120);
  EXPECT_EQ(back.stop_grace_s, 4);
  EXPECT_FALSE(back.reading.stdout_pairs);
  EXPECT_EQ(back.reading.step_key, "epoch");
  EXPECT_EQ(back.max_log_bytes, 1u << 20);
  EXPECT_EQ(back.metrics_poll_s, 0.25);
}

TEST(TrialMessages, EveryEndKindSurvivesTheWire) {
  for (auto kind : {TrialEnd::Kind::kExited, TrialEnd::Kind::kSignaled, TrialEnd::Kind::kTimedOut,
                    TrialEnd::Kind::kStopped, TrialEnd::Kind::kSpawnFailed}) {
    TrialEnd end;
    end.kind = kind;
    end.exit.exit_code = kind == TrialEnd::Kind::kExited ? 3 : -1;
    end.exit.signal = kind == TrialEnd::Kind::kSignaled ? 11 : 0;
    end.reason = "why";
    end.stderr_tail = "Traceback ...";
    end.malformed_lines = 2;
    end.first_malformed = "{oops";
    end.started_at = 10.5;
    end.ended_at = 12.25;
    Result<Message> m = RoundTrip(FinishedFromEnd("t", "L", end));
    ASSERT_TRUE(m.ok()) << m.status().message();
    Result<TrialEnd> back = EndFromFinished(std::get<FinishedMsg>(*m));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(back->kind, kind);
    EXPECT_EQ(back->exit.exit_code, end.exit.exit_code);
    EXPECT_EQ(back->exit.signal, end.exit.signal);
    EXPECT_EQ(back->reason, "why");
    EXPECT_EQ(back->stderr_tail, "Traceback ...");
    EXPECT_EQ(back->malformed_lines, 2u);
    EXPECT_EQ(back->first_malformed, "{oops");
    EXPECT_EQ(back->ended_at, 12.25);
  }
  FinishedMsg bad;
  bad.kind = "vanished";
  EXPECT_FALSE(EndFromFinished(bad).ok());
}

TEST(TrialMessages, ProvenanceRequestAndResultCrossBothWays) {
  TrialLaunch l;
  l.sweep_id = "s";
  l.trial_id = "t";
  l.argv = {"true"};
  l.params = Value::object();
  l.provenance.enabled = true;
  l.provenance.program = "train.py";
  l.provenance.data_hash_cache = "/controller/cache.json";
  l.system_metrics_interval_s = 3;
  Result<Message> m = RoundTrip(AssignFromLaunch(l, "L", "t", ""));
  ASSERT_TRUE(m.ok()) << m.status().message();
  const TrialLaunch back = LaunchFromAssign(std::get<AssignMsg>(*m), "/agent", "");
  EXPECT_TRUE(back.provenance.enabled);
  EXPECT_EQ(back.provenance.program, "train.py");
  EXPECT_NE(back.provenance.data_hash_cache, "/controller/cache.json");
  EXPECT_EQ(back.system_metrics_interval_s, 3);

  TrialEnd end;
  end.pid = 777;
  end.provenance = {{"code", {{"commit", "abc"}}}, {"env_hash", "h"}};
  Result<Message> f = RoundTrip(FinishedFromEnd("t", "L", end));
  ASSERT_TRUE(f.ok()) << f.status().message();
  Result<TrialEnd> e = EndFromFinished(std::get<FinishedMsg>(*f));
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e->pid, 777);
  EXPECT_EQ(e->provenance, end.provenance);
}

TEST(TrialMessages, AnOversizedDiffIsLeftOutWithAWarningSoTheFrameFits) {
  TrialEnd end;
  end.provenance = {{"code",
                     {{"commit", "abc"},
                      {"diff", {{"sha256", "d1"}, {"size", 300000}}},
                      {"diff_body", std::string(300000, 'x')}}},
                    {"env", {{"packages", {"numpy==1"}}, {"python", "3.11"}}},
                    {"warnings", Value::array()}};
  const uint32_t limit = 256 * 1024;
  const FinishedMsg f = FinishedFromEnd("t", "L", end, limit);
  EXPECT_LE(EncodePayload(f).size() + kFrameHeaderBytes, limit);
  EXPECT_TRUE(EncodeMessage(f, limit).ok());
  EXPECT_FALSE(f.provenance["code"].contains("diff_body"));
  EXPECT_EQ(f.provenance["code"]["diff"]["sha256"], "d1");  // what changed is still known
  EXPECT_EQ(f.provenance["code"]["diff"]["omitted"], true);
  EXPECT_EQ(f.provenance["env"]["python"], "3.11");  // small enough after the diff went
  ASSERT_EQ(f.provenance["warnings"].size(), 1u);
  EXPECT_NE(f.provenance["warnings"][0].get<std::string>().find("diff"), std::string::npos);

  // A provenance that fits is sent whole.
  end.provenance["code"]["diff_body"] = "small";
  EXPECT_EQ(FinishedFromEnd("t", "L", end, limit).provenance, end.provenance);
}

TEST(TrialMessages, ProvenanceTooLargeEvenWithoutTheDiffKeepsOnlyItsWarnings) {
  TrialEnd end;
  end.provenance = {{"env", {{"vars", std::string(400000, 'v')}}}, {"warnings", {"earlier"}}};
  const uint32_t limit = 256 * 1024;
  const FinishedMsg f = FinishedFromEnd("t", "L", end, limit);
  EXPECT_TRUE(EncodeMessage(f, limit).ok());
  EXPECT_FALSE(f.provenance.contains("env"));
  ASSERT_EQ(f.provenance["warnings"].size(), 2u);
  EXPECT_EQ(f.provenance["warnings"][0], "earlier");
}

}  // namespace
}  // namespace sweep

#include "agents/protocol/messages.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <string>

namespace sweep {
namespace {

Result<Message> RoundTrip(const Message& m) {
  Result<std::string> bytes = EncodeMessage(m);
  if (!bytes.ok()) return bytes.status();
  Result<Frame> frame = DecodeFrame(*bytes);
  if (!frame.ok()) return frame.status();
  return DecodeMessage(*frame);
}

Status DecodeJson(MessageType t, const std::string& payload) {
  Result<Message> m = DecodeMessage(Frame{t, payload});
  return m.ok() ? Status::Ok() : m.status();
}

AssignMsg SampleAssign() {
  AssignMsg a;
  a.sweep_id = "s1";
  a.trial_id = "t-7";
  a.lease_id = "L7";
  a.argv = {"python3", "train.py", "--lr=0.1"};
  a.env = {{"A", "1"}, {"B", "x=y"}};
  a.params = Value::parse(R"({"lr":0.1,"layers":[1,2],"opt":{"name":"adam"}})");
  a.trial_dir = "trials/t-7";
  a.workdir = "src";
  a.timeout_s = 60;
  a.stop_grace_s = 3;
  a.reading.stdout_pairs = false;
  a.reading.stdout_pattern = "(\\w+)=(\\S+)";
  a.reading.max_line_bytes = 4096;
  a.reading.step_key = "epoch";
  a.gpus = "0,2";
  a.max_log_bytes = 1 << 20;
  a.metrics_poll_s = 0.5;
  return a;
}

TEST(Messages, EveryMessageRoundTripsFieldForField) {
  HelloMsg hello{kProtocolVersion,     "gpu-a", "node1",
                 std::string(64, 'a'), "0.2.0", "abc1234-dirty"};
  ChallengeMsg ch{kProtocolVersion,     "ctl",   std::string(64, 'b'),
                  std::string(64, 'c'), "0.2.0", "abc1234"};
  ReadyMsg ready;
  ready.slots = 4;
  ready.gpus = {"0", "1"};
  ready.host = {{"hostname", "node1"}, {"cpus", 32}};
  ready.running = {{"t1", "L1"}, {"t2", "L2"}};
  FinishedMsg fin{"t1",   "L1",       "signaled", -1,  9,  "killed by SIGKILL",
                  "tail", "bad line", 3,          1.5, 2.5};
  const std::vector<Message> all = {hello,
                                    ch,
                                    AuthMsg{std::string(64, 'd')},
                                    AuthOkMsg{"agent-1", 5, 30},
                                    ready,
                                    SampleAssign(),
                                    StartedMsg{"t1", "L1", 4242, 1700000000.25},
                                    MetricsMsg{"t1", "L1", {{"loss", 3, 0.25, 1700000001.5}}},
                                    LogMsg{"t1", "L1", "stderr", 100, "warning\n"},
                                    fin,
                                    StopMsg{"t1", "L1", "early stop", 2},
                                    HeartbeatMsg{{"L1", "L2"}, 17.5},
                                    LeaseRenewedMsg{{"L1"}, {"L2"}},
                                    AttachOkMsg{"t1", "L1"},
                                    AttachRefusedMsg{"t2", "L2", "re-queued"},
                                    ByeMsg{"shutting down"}};
  ASSERT_EQ(all.size(), 16u);
  for (const Message& m : all) {
    Result<Message> back = RoundTrip(m);
    ASSERT_TRUE(back.ok()) << MessageTypeName(TypeOf(m)) << ": " << back.status().message();
    EXPECT_EQ(back->index(), m.index());
    EXPECT_EQ(EncodePayload(*back), EncodePayload(m)) << MessageTypeName(TypeOf(m));
  }
  const AssignMsg a = std::get<AssignMsg>(*RoundTrip(SampleAssign()));
  EXPECT_EQ(a.argv[2], "--lr=0.1");
  EXPECT_EQ(a.env[1].second, "x=y");
  EXPECT_EQ(a.params["opt"]["name"], "adam");
  EXPECT_EQ(a.params.begin().key(), "lr");  // spec order kept
  EXPECT_EQ(a.gpus, std::optional<std::string>("0,2"));
  EXPECT_FALSE(a.reading.stdout_pairs);
  EXPECT_EQ(a.reading.max_line_bytes, 4096u);
  EXPECT_EQ(a.reading.step_key, "epoch");
  EXPECT_EQ(std::get<ReadyMsg>(*RoundTrip(ready)).running[1].lease_id, "L2");
  EXPECT_EQ(std::get<FinishedMsg>(*RoundTrip(fin)).signal, 9);
}

TEST(Messages, AssignWithoutGpusMeansUnmanaged) {
  AssignMsg a = SampleAssign();
  a.gpus.reset();
  EXPECT_FALSE(std::get<AssignMsg>(*RoundTrip(a)).gpus.has_value());
  a.gpus = "";
  EXPECT_EQ(std::get<AssignMsg>(*RoundTrip(a)).gpus, std::optional<std::string>(""));
}

TEST(Messages, AssignCarriesProvenanceOptionsOnlyWhenCaptureIsOn) {
  AssignMsg a = SampleAssign();
  EXPECT_FALSE(std::get<AssignMsg>(*RoundTrip(a)).provenance.enabled);
  a.provenance.enabled = true;
  a.provenance.git = false;
  a.provenance.packages = false;
  a.provenance.program = "train.py";
  a.provenance.env_vars = {"CUDA_*"};
  a.provenance.max_diff_bytes = 1234;
  a.provenance.artifacts = {"*.pt"};
  a.provenance.artifact_max_bytes = 99;
  a.provenance.artifact_max_files = 7;
  a.provenance.data = {"/data/train.csv"};
  a.provenance.data_hash_cache = "/controller/cache.json";
  a.system_metrics_interval_s = 2.5;
  const AssignMsg back = std::get<AssignMsg>(*RoundTrip(a));
  EXPECT_TRUE(back.provenance.enabled);
  EXPECT_FALSE(back.provenance.git);
  EXPECT_TRUE(back.provenance.env);
  EXPECT_FALSE(back.provenance.packages);
  EXPECT_EQ(back.provenance.program, "train.py");
  EXPECT_EQ(back.provenance.env_vars, std::vector<std::string>{"CUDA_*"});
  EXPECT_EQ(back.provenance.max_diff_bytes, 1234u);
  EXPECT_EQ(back.provenance.artifacts, std::vector<std::string>{"*.pt"});
  EXPECT_EQ(back.provenance.artifact_max_bytes, 99u);
  EXPECT_EQ(back.provenance.artifact_max_files, 7u);
  EXPECT_EQ(back.provenance.data, std::vector<std::string>{"/data/train.csv"});
  EXPECT_EQ(back.provenance.data_hash_cache, "");  // a local path never travels
  EXPECT_EQ(back.system_metrics_interval_s, 2.5);
}

TEST(Messages, FinishedCarriesProvenanceAndPid) {
  FinishedMsg f;
  f.trial_id = "t1";
  f.lease_id = "L1";
  f.kind = "exited";
  f.exit_code = 0;
  EXPECT_TRUE(std::get<FinishedMsg>(*RoundTrip(f)).provenance.is_null());
  f.pid = 4242;
  f.provenance = {{"code", {{"commit", "abc"}}}, {"warnings", Value::array()}};
  const FinishedMsg back = std::get<FinishedMsg>(*RoundTrip(f));
  EXPECT_EQ(back.pid, 4242);
  EXPECT_EQ(back.provenance["code"]["commit"], "abc");
  Frame bad{MessageType::kFinished,
            R"({"trial_id":"t","lease_id":"L","kind":"exited","exit_code":0,"signal":0,)"
            R"("provenance":[1]})"};
  Result<Message> r = DecodeMessage(bad);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("finished.provenance"), std::string::npos);
}

TEST(Messages, NonFiniteMetricValuesSurvive) {
  const double inf = std::numeric_limits<double>::infinity();
  MetricsMsg m{"t", "L", {{"a", 0, std::nan(""), 1}, {"b", 1, inf, 1}, {"c", 2, -inf, 1}}};
  const auto back = std::get<MetricsMsg>(*RoundTrip(m));
  EXPECT_TRUE(std::isnan(back.points[0].value));
  EXPECT_EQ(back.points[1].value, inf);
  EXPECT_EQ(back.points[2].value, -inf);
  EXPECT_EQ(back.points[2].step, 2);
}

TEST(Messages, LogCarriesArbitraryBytesUnchanged) {
  const char kRaw[] = "line\n\0\xff\xfe{\"x\":";
  std::string data(kRaw, sizeof kRaw - 1);
  ASSERT_EQ(data.size(), 13u);
  data.push_back('\0');
  LogMsg log{"t", "L", "stdout", 1u << 31, data};
  const auto back = std::get<LogMsg>(*RoundTrip(log));
  EXPECT_EQ(back.data, data);
  EXPECT_EQ(back.offset, 1u << 31);
  log.data.assign(kMaxLogChunkBytes + 1, 'x');
  Result<Message> big = RoundTrip(log);
  ASSERT_FALSE(big.ok());
  EXPECT_NE(big.status().message().find("log.data"), std::string::npos);
  log.data = "x";
  log.stream = "stdin";
  EXPECT_NE(RoundTrip(log).status().message().find("log.stream"), std::string::npos);
}

TEST(Messages, InvalidUtf8InTrialTextIsReplacedNotFatal) {
  FinishedMsg f{"t", "L", "exited", 1, 0, "exited with code 1", "bad \xff\xfe bytes", "", 0, 0, 0};
  Result<Message> back = RoundTrip(f);
  ASSERT_TRUE(back.ok()) << back.status().message();
  EXPECT_NE(std::get<FinishedMsg>(*back).stderr_tail.find("bad "), std::string::npos);
}

TEST(Messages, MalformedJsonIsAnErrorNamingTheMessage) {
  const Status st = DecodeJson(MessageType::kAssign, "{\"trial_id\": ");
  ASSERT_FALSE(st.ok());
  EXPECT_EQ(st.message(), "assign: payload is not valid JSON");
  EXPECT_EQ(DecodeJson(MessageType::kBye, "[1]").message(), "bye: expected a JSON object");
}

TEST(Messages, WrongFieldTypesNameTheField) {
  Value j = Value::parse(EncodePayload(SampleAssign()));
  j["argv"][1] = 5;
  EXPECT_EQ(DecodeJson(MessageType::kAssign, j.dump()).message(),
            "assign.argv[1]: expected a string");
  j = Value::parse(EncodePayload(SampleAssign()));
  j["timeout_s"] = "60";
  EXPECT_EQ(DecodeJson(MessageType::kAssign, j.dump()).message(),
            "assign.timeout_s: expected a number");
  j = Value::parse(EncodePayload(SampleAssign()));
  j["env"] = Value::array({Value::array({"A"})});
  EXPECT_NE(DecodeJson(MessageType::kAssign, j.dump()).message().find("assign.env[0]"),
            std::string::npos);
  j = Value::parse(EncodePayload(SampleAssign()));
  j["reading"]["metrics_file"] = 1;
  EXPECT_EQ(DecodeJson(MessageType::kAssign, j.dump()).message(),
            "assign.reading.metrics_file: expected true or false");
  EXPECT_EQ(DecodeJson(MessageType::kReady,
                       R"({"slots":2,"gpus":[],"running":[{"trial_id":"t","lease_id":3}]})")
                .message(),
            "ready.running[0].lease_id: expected a string");
  EXPECT_EQ(DecodeJson(MessageType::kReady, R"({"slots":1e12,"gpus":[]})").message(),
            "ready.slots: expected an integer");
  EXPECT_EQ(DecodeJson(MessageType::kReady, R"({"slots":99999999999,"gpus":[]})").message(),
            "ready.slots: integer out of range");
  EXPECT_EQ(
      DecodeJson(MessageType::kMetrics,
                 R"({"trial_id":"t","lease_id":"L","points":[{"name":"a","step":0,"value":"x"}]})")
          .message(),
      "metrics.points[0].value: expected a number, \"nan\", \"inf\" or \"-inf\"");
  EXPECT_EQ(
      DecodeJson(MessageType::kFinished,
                 R"({"trial_id":"t","lease_id":"L","kind":"exploded","exit_code":0,"signal":0})")
          .message(),
      "finished.kind: unknown end kind 'exploded'");
}

TEST(Messages, MissingFieldsAndBadNoncesAreNamed) {
  EXPECT_EQ(
      DecodeJson(MessageType::kHello, R"({"version":1,"agent_name":"a","host":"h"})").message(),
      "hello.agent_nonce: missing");
  EXPECT_EQ(DecodeJson(MessageType::kHello,
                       R"({"version":1,"agent_name":"a","host":"h","agent_nonce":"abc"})")
                .message(),
            "hello.agent_nonce: expected 64 lowercase hex characters");
  EXPECT_EQ(
      DecodeJson(MessageType::kStop, R"({"trial_id":"","lease_id":"L","reason":"r"})").message(),
      "stop.trial_id: must not be empty");
  EXPECT_EQ(DecodeJson(MessageType::kAuthOk,
                       R"({"agent_id":"a","lease_interval_s":30,"lease_timeout_s":5})")
                .message(),
            "auth_ok.lease_interval_s: must be positive and below lease_timeout_s");
}

TEST(Messages, ReadyWithoutRunningIsAcceptedAsProtocolMdSays) {
  // protocol.md 3.5: `running?` is optional; an agent with nothing to re-attach may
  // leave it out.
  Result<Message> m = DecodeMessage(Frame{MessageType::kReady, R"({"slots":1,"gpus":[]})"});
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(std::get<ReadyMsg>(*m).slots, 1);
  EXPECT_TRUE(std::get<ReadyMsg>(*m).running.empty());
  EXPECT_EQ(DecodeJson(MessageType::kReady, R"({"slots":1,"gpus":[],"running":{}})").message(),
            "ready.running: expected an array");
}

TEST(Messages, TrialDirMustStayUnderTheAgentRoot) {
  for (const char* bad : {"", "/etc", "../x", "a/../../b", "a//b", "a/"}) {
    AssignMsg a = SampleAssign();
    a.trial_dir = bad;
    Result<Message> r = RoundTrip(a);
    ASSERT_FALSE(r.ok()) << bad;
    EXPECT_NE(r.status().message().find("assign.trial_dir"), std::string::npos);
  }
  AssignMsg a = SampleAssign();
  a.workdir = "/tmp";
  EXPECT_NE(RoundTrip(a).status().message().find("assign.workdir"), std::string::npos);
  EXPECT_TRUE(IsSafeRelativePath("trials/..hidden/x"));
}

TEST(Messages, DeeplyNestedJsonIsRefusedWithoutRecursion) {
  const std::string deep(200000, '[');
  EXPECT_EQ(DecodeJson(MessageType::kAssign, deep).message(), "assign: JSON nested too deeply");
  AssignMsg a = SampleAssign();
  Value v = 1;
  for (int i = 0; i < 40; ++i) v = Value::array({v});
  a.params = {{"nested", v}};
  EXPECT_TRUE(RoundTrip(a).ok());
}

TEST(Messages, UnknownFieldsAreIgnoredForForwardCompatibility) {
  EXPECT_TRUE(DecodeJson(MessageType::kBye, R"({"reason":"x","new_field":[1,2]})").ok());
}

}  // namespace
}  // namespace sweep

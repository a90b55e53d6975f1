// End-to-end tests of remote agents: the real `sweep launch --listen` controller and
// real `sweep agent` processes on 127.0.0.1, real trials, a real store. Leases are
// short (0.5 s heartbeats, 3 s timeout) so that expiry cases run in seconds; every
// wait is a generous hang guard, never a timing assertion.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "tests/agents/tls_test_util.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

// The trial: sleeps, fails when its agent's environment says so, reports loss, and
// leaves a marker named after its trial id when it runs to the end.
const char kTrial[] = R"PY(import json, os, sys, time
p = json.load(open(os.environ["SWEEP_PARAMS"]))
time.sleep(float(p.get("sleep", 0)))
if os.environ.get("FAIL_HERE"):
    sys.stderr.write("this node is broken\n")
    sys.exit(4)
print("progress=1", flush=True)
print(f"loss={(p['x'] - 3) ** 2}", flush=True)
open(os.path.join(os.environ["MARK_DIR"], os.environ["SWEEP_TRIAL_ID"]), "w").write("done")
)PY";

bool WaitFor(const std::function<bool()>& cond, double timeout_s) {
  return testing::WaitUntil(cond, timeout_s, 0.05);
}

class RemoteTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.path() + "/trial.py", kTrial);
    std::filesystem::create_directories(marks());
  }
  void TearDown() override {
    for (pid_t pid : children_) {
      ::kill(-pid, SIGKILL);
      ::kill(pid, SIGKILL);
      testing::WaitChild(pid, 10);
    }
  }
  std::string Spec(const std::string& body) {
    std::string path = dir_.path() + "/sweep.yaml";
    WriteFile(path,
              "program: trial.py\ninterpreter: /usr/bin/python3\n"
              "command: [\"${interpreter}\", \"${program}\"]\n" +
                  body);
    return path;
  }
  std::string store() const { return dir_.path() + "/store"; }
  std::string marks() const { return dir_.path() + "/marks"; }
  std::string token() const { return store() + "/agent.token"; }

  // Starts the controller in the background and returns the port it listens on.
  // Leases are short only where a test waits for one to expire; elsewhere they leave
  // room for a loaded machine (ASan, parallel tests) so no lease expires by accident.
  uint16_t StartController(const std::string& spec, int lease_timeout_s = 10) {
    std::vector<std::string> args = {"--store",          store(),
                                     "launch",           spec,
                                     "--listen",         "127.0.0.1:0",
                                     "--workers",        "0",
                                     "--lease-interval", lease_timeout_s < 10 ? "0.5" : "1",
                                     "--lease-timeout",  std::to_string(lease_timeout_s)};
    controller_err_ = dir_.path() + "/controller.err";
    controller_ = Start(args, "controller");
    return WaitPort(controller_err_);
  }
  uint16_t WaitPort(const std::string& err_path) {
    uint16_t port = 0;
    WaitFor(
        [&] {
          std::string err = ReadFile(err_path);
          const std::string key = "listening for agents on 127.0.0.1:";
          size_t at = err.find(key);
          if (at == std::string::npos) return false;
          port = static_cast<uint16_t>(std::stoi(err.substr(at + key.size())));
          return true;
        },
        60);
    EXPECT_NE(port, 0) << ReadFile(err_path);
    return port;
  }
  pid_t Start(const std::vector<std::string>& args, const std::string& name,
              std::map<std::string, std::string> env = {}) {
    CliOptions o;
    o.cwd = dir_.path();
    env["MARK_DIR"] = marks();
    o.env = env;
    pid_t pid = testing::StartSweep(args, o, dir_.path() + "/" + name + ".out",
                                    dir_.path() + "/" + name + ".err");
    children_.push_back(pid);
    return pid;
  }
  pid_t StartAgent(uint16_t port, const std::string& name, int workers,
                   std::map<std::string, std::string> env = {}) {
    return Start({"agent", "127.0.0.1:" + std::to_string(port), "--token-file", token(),
                  "--workers", std::to_string(workers), "--name", name},
                 name, env);
  }
  Json SweepJson(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", store()});
    bool is_export = args[2] == "export";
    if (!is_export) args.push_back("--json");
    CliOptions o;
    o.cwd = dir_.path();
    CliResult r = RunSweep(args, o);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    Json doc = Json::parse(r.out, nullptr, false);
    return is_export && doc.is_object() ? doc["trials"] : doc;
  }
  Json Trials() { return SweepJson({"export", "latest", "--format", "json"}); }
  int CountStatus(const std::string& status) {
    Json s = SweepJson({"status", "latest"});
    return s.is_object() ? s["counts"][status].get<int>() : 0;
  }
  // Every configuration finished exactly once.
  void ExpectEachXFinishedOnce(const Json& trials, int n) {
    std::multiset<int64_t> xs;
    for (const Json& t : trials)
      if (t["status"] == "finished") xs.insert(t["params"]["x"].get<int64_t>());
    std::multiset<int64_t> want;
    for (int i = 0; i < n; ++i) want.insert(i);
    EXPECT_EQ(xs, want);
  }
  std::string Grid(int n, double sleep) {
    std::string values;
    for (int i = 0; i < n; ++i) values += (i ? ", " : "") + std::to_string(i);
    return "method: grid\nmetric: {name: loss, goal: minimize}\nmax_failures: 100\n"
           "parameters:\n  x: {values: [" +
           values + "]}\n  sleep: {value: " + std::to_string(sleep) + "}\n";
  }

  testing::TempDir dir_;
  std::vector<pid_t> children_;
  pid_t controller_ = -1;
  std::string controller_err_;
};

// The curve rule through a remote agent: the agent's one slot runs the grid in order;
// x=3 reaches the budget first, then each worse configuration is stopped by the
// controller from the reports the agent forwards, its forecast recorded as the reason.
TEST_F(RemoteTest, CurveRuleStopsTrialsOnAnAgentAndRecordsTheForecast) {
  WriteFile(dir_.path() + "/trial.py", R"PY(import json, os, time
p = json.load(open(os.environ["SWEEP_PARAMS"]))
for step in range(8):
    print(f"loss={(p['x'] - 3) ** 2 + 1 / (step + 1)}", flush=True)
    time.sleep(0.3)
)PY");
  uint16_t port =
      StartController(Spec("method: grid\nmetric: {name: loss, goal: minimize}\n"
                           "early_terminate: {type: curve, max_iter: 8}\n"
                           "parameters:\n  x: {values: [3, 6, 0, 5]}\n"));
  ASSERT_NE(port, 0);
  pid_t a = StartAgent(port, "node-a", 1);
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  EXPECT_EQ(testing::WaitChild(a, 30), 0) << ReadFile(dir_.path() + "/node-a.err");
  children_.clear();
  Json trials = Trials();
  ASSERT_EQ(trials.size(), 4u) << trials;
  for (const Json& t : trials) {
    const int64_t x = t["params"]["x"].get<int64_t>();
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    EXPECT_EQ(shown["agent"], "node-a") << shown;
    if (x == 3) {
      EXPECT_EQ(t["status"], "finished") << t;
      continue;
    }
    EXPECT_EQ(t["status"], "stopped") << t;
    const std::string reason =
        shown["reason"].is_string() ? shown["reason"].get<std::string>() : "";
    EXPECT_NE(reason.find("curve: loss forecast at report 8 is"), std::string::npos) << shown;
  }
  EXPECT_EQ(SweepJson({"status", "latest"})["early_stopping"]["stopped"], 3);
}

TEST_F(RemoteTest, TwoAgentsFinishOneSweepWithoutDuplicates) {
  uint16_t port = StartController(Spec(Grid(12, 0.1)));
  ASSERT_NE(port, 0);
  EXPECT_EQ(std::filesystem::status(token()).permissions() & std::filesystem::perms::all,
            std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
  pid_t a = StartAgent(port, "node-a", 2);
  pid_t b = StartAgent(port, "node-b", 2);
  // A stranger speaking garbage, then an oversized frame, costs only its own connection.
  for (const std::string& junk :
       {std::string("GET / HTTP/1.1\r\n\r\n"), std::string("\xff\xff\xff\xff\x01", 5)}) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0)
      (void)!::write(fd, junk.data(), junk.size());
    ::close(fd);
  }
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  EXPECT_EQ(testing::WaitChild(a, 30), 0) << ReadFile(dir_.path() + "/node-a.err");
  EXPECT_EQ(testing::WaitChild(b, 30), 0) << ReadFile(dir_.path() + "/node-b.err");
  children_.clear();

  Json trials = Trials();
  ASSERT_EQ(trials.size(), 12u) << trials;
  ExpectEachXFinishedOnce(trials, 12);
  std::set<std::string> agents;
  for (const Json& t : trials) {
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    agents.insert(shown["agent"].get<std::string>());
    EXPECT_TRUE(shown["lease_id"].is_string()) << shown;
    EXPECT_TRUE(shown["placement"]["agent_id"].is_string()) << shown;
    EXPECT_GT(shown["pid"].get<int64_t>(), 0);
  }
  EXPECT_EQ(agents, (std::set<std::string>{"node-a", "node-b"}));
  Json status = SweepJson({"status", "latest"});
  ASSERT_EQ(status["agents"].size(), 2u) << status;
  EXPECT_EQ(status["agents"][0]["finished"].get<int>() + status["agents"][1]["finished"].get<int>(),
            12);
  EXPECT_EQ(status["agents"][0]["slots"], 2);
  // Each agent is announced with the slots its `ready` gave, never as "0 slot(s)".
  const std::string log = ReadFile(controller_err_);
  for (const char* name :
       {"(node-a) connected from 127.0.0.1:", "(node-b) connected from 127.0.0.1:"}) {
    size_t at = log.find(name);
    ASSERT_NE(at, std::string::npos) << log;
    const std::string line = log.substr(at, log.find('\n', at) - at);
    EXPECT_NE(line.find(": 2 slot(s)"), std::string::npos) << line;
  }
  EXPECT_EQ(log.find(" 0 slot(s)"), std::string::npos) << log;
  // stdout came back over the wire into the store's trial folder.
  CliOptions o;
  o.cwd = dir_.path();
  CliResult logs = RunSweep({"--store", store(), "logs", trials[0]["id"].get<std::string>()}, o);
  EXPECT_NE(logs.out.find("loss="), std::string::npos) << logs.out << logs.err;
  CliResult text = RunSweep({"--store", store(), "status", "latest"}, o);
  EXPECT_NE(text.out.find("node-a"), std::string::npos) << text.out;
  EXPECT_NE(ReadFile(controller_err_).find("exceeds the limit"), std::string::npos)
      << "the garbage connections were not reported";
}

TEST_F(RemoteTest, EightAgentsFinishOneSweepWithoutDuplicates) {
  uint16_t port = StartController(Spec(Grid(32, 0.05)));
  ASSERT_NE(port, 0);
  std::vector<pid_t> agents;
  for (int i = 0; i < 8; ++i) agents.push_back(StartAgent(port, "n" + std::to_string(i), 1));
  EXPECT_EQ(testing::WaitChild(controller_, 180), 0) << ReadFile(controller_err_);
  for (pid_t a : agents) EXPECT_EQ(testing::WaitChild(a, 30), 0);
  children_.clear();
  Json trials = Trials();
  EXPECT_EQ(trials.size(), 32u);
  ExpectEachXFinishedOnce(trials, 32);
  EXPECT_EQ(SweepJson({"status", "latest"})["agents"].size(), 8u);
}

TEST_F(RemoteTest, KilledAgentsTrialIsLostOnceAndFinishesElsewhere) {
  uint16_t port = StartController(Spec(Grid(3, 2.0)), 4);
  ASSERT_NE(port, 0);
  pid_t a = StartAgent(port, "doomed", 1);
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 1; }, 60));
  ::kill(a, SIGKILL);
  testing::WaitChild(a, 10);
  pid_t b = StartAgent(port, "healthy", 1);
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  EXPECT_EQ(testing::WaitChild(b, 30), 0);
  Json trials = Trials();
  ExpectEachXFinishedOnce(trials, 3);
  int lost = 0;
  for (const Json& t : trials) {
    if (t["status"] != "lost") continue;
    ++lost;
    Json shown = SweepJson({"show", t["id"].get<std::string>()});
    EXPECT_NE(shown["reason"].get<std::string>().find("lease"), std::string::npos) << shown;
    EXPECT_EQ(shown["agent"], "doomed");
  }
  EXPECT_EQ(lost, 1);
}

TEST_F(RemoteTest, AgentStoppedPastItsLeaseHasItsTrialStoppedNotCountedTwice) {
  uint16_t port = StartController(Spec(Grid(2, 12.0)), 4);
  ASSERT_NE(port, 0);
  pid_t a = StartAgent(port, "frozen", 1);
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 1; }, 60));
  Json first = Trials();
  std::string frozen_trial;
  for (const Json& t : first)
    if (t["status"] == "running") frozen_trial = t["id"];
  ASSERT_FALSE(frozen_trial.empty());
  ::kill(a, SIGSTOP);  // a network cut, as far as the controller can tell
  ASSERT_TRUE(WaitFor([&] { return CountStatus("lost") >= 1; }, 60));
  pid_t b = StartAgent(port, "spare", 1);
  ::kill(a, SIGCONT);
  EXPECT_EQ(testing::WaitChild(controller_, 180), 0) << ReadFile(controller_err_);
  testing::WaitChild(a, 30);
  testing::WaitChild(b, 30);
  Json trials = Trials();
  ExpectEachXFinishedOnce(trials, 2);
  Json shown = SweepJson({"show", frozen_trial});
  EXPECT_EQ(shown["status"], "lost") << shown;
  // The frozen agent was told to stop the attempt: it never ran to its end.
  EXPECT_FALSE(std::filesystem::exists(marks() + "/" + frozen_trial))
      << "the re-queued attempt ran to completion on the frozen agent too";
}

TEST_F(RemoteTest, ControllerKilledThenResumedReattachesRunningTrials) {
  std::string spec = Spec(Grid(4, 4.0));
  uint16_t port = StartController(spec);
  ASSERT_NE(port, 0);
  pid_t a = StartAgent(port, "steady", 2);
  ASSERT_TRUE(WaitFor([&] { return CountStatus("running") >= 2; }, 60));
  std::set<std::string> running_before;
  for (const Json& t : Trials())
    if (t["status"] == "running") running_before.insert(t["id"].get<std::string>());
  ::kill(controller_, SIGKILL);
  testing::WaitChild(controller_, 10);
  controller_err_ = dir_.path() + "/resume.err";
  controller_ = Start({"--store", store(), "resume", "latest"}, "resume");
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  EXPECT_EQ(testing::WaitChild(a, 30), 0) << ReadFile(dir_.path() + "/steady.err");
  children_.clear();
  Json trials = Trials();
  ExpectEachXFinishedOnce(trials, 4);
  for (const Json& t : trials) {
    EXPECT_NE(t["status"], "lost") << t;  // re-attached, not re-run
    if (running_before.count(t["id"].get<std::string>())) {
      EXPECT_EQ(t["status"], "finished");
    }
  }
  EXPECT_EQ(trials.size(), 4u);
  EXPECT_NE(ReadFile(controller_err_).find("re-attached"), std::string::npos)
      << ReadFile(controller_err_);
}

TEST_F(RemoteTest, AgentWithTheWrongTokenRunsNothing) {
  uint16_t port = StartController(Spec(Grid(1, 0)));
  ASSERT_NE(port, 0);
  std::string wrong = dir_.path() + "/wrong.token";
  WriteFile(wrong, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n", 0600);
  pid_t w = Start(
      {"agent", "127.0.0.1:" + std::to_string(port), "--token-file", wrong, "--give-up-after", "2"},
      "wrong");
  int rc = testing::WaitChild(w, 60);
  EXPECT_EQ(rc, 1) << ReadFile(dir_.path() + "/wrong.err");
  EXPECT_NE(ReadFile(dir_.path() + "/wrong.err").find("authentication"), std::string::npos);
  EXPECT_EQ(ReadFile(dir_.path() + "/wrong.err").find("0123456789abcdef"), std::string::npos);
  EXPECT_TRUE(std::filesystem::is_empty(marks()));
  CliOptions o;
  o.cwd = dir_.path();
  CliResult none = RunSweep({"agent", "127.0.0.1:" + std::to_string(port)}, o);
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("token"), std::string::npos) << none.err;
  pid_t ok = StartAgent(port, "good", 1);  // the sweep itself is unharmed
  EXPECT_EQ(testing::WaitChild(controller_, 60), 0) << ReadFile(controller_err_);
  testing::WaitChild(ok, 30);
  std::string log = ReadFile(controller_err_);
  EXPECT_EQ(log.find(ReadFile(token()).substr(0, 16)), std::string::npos) << "token in the log";
}

TEST_F(RemoteTest, FlappingAgentIsPausedAndTheSweepFinishesElsewhere) {
  uint16_t port = StartController(Spec(Grid(8, 0.3)));
  ASSERT_NE(port, 0);
  pid_t bad = StartAgent(port, "broken", 1, {{"FAIL_HERE", "1"}});
  ASSERT_TRUE(WaitFor([&] { return CountStatus("failed") >= 3; }, 60));
  pid_t good = StartAgent(port, "fine", 1);
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  testing::WaitChild(good, 30);
  testing::WaitChild(bad, 30);
  Json status = SweepJson({"status", "latest"});
  bool paused = false;
  for (const Json& a : status["agents"])
    if (a["name"] == "broken") paused = a["paused"].is_string();
  EXPECT_TRUE(paused) << status;
  EXPECT_EQ(status["counts"]["failed"], 3) << status;
  EXPECT_NE(ReadFile(controller_err_).find("paused"), std::string::npos);
  EXPECT_EQ(status["counts"]["finished"], 5) << status;
}

TEST_F(RemoteTest, TlsControllerServesTlsAgentsAndRefusesPlainOnes) {
  testing::CertFiles cert =
      testing::WriteSelfSignedCert(dir_.path(), "ctl", "DNS:localhost,IP:127.0.0.1");
  std::vector<std::string> args = {"--store",    store(),       "launch",    Spec(Grid(4, 0.1)),
                                   "--listen",   "127.0.0.1:0", "--workers", "0",
                                   "--tls-cert", cert.cert,     "--tls-key", cert.key};
  controller_err_ = dir_.path() + "/controller.err";
  controller_ = Start(args, "controller");
  uint16_t port = WaitPort(controller_err_);
  ASSERT_NE(port, 0);
  EXPECT_NE(ReadFile(controller_err_).find("--tls-ca"), std::string::npos)
      << "the printed agent command should carry --tls-ca";
  pid_t plain = Start({"agent", "127.0.0.1:" + std::to_string(port), "--token-file", token(),
                       "--give-up-after", "2", "--name", "plain"},
                      "plain");
  EXPECT_EQ(testing::WaitChild(plain, 60), 3) << ReadFile(dir_.path() + "/plain.err");
  pid_t tls = Start({"agent", "127.0.0.1:" + std::to_string(port), "--token-file", token(),
                     "--tls-ca", cert.cert, "--name", "tls"},
                    "tls");
  EXPECT_EQ(testing::WaitChild(controller_, 120), 0) << ReadFile(controller_err_);
  EXPECT_EQ(testing::WaitChild(tls, 30), 0) << ReadFile(dir_.path() + "/tls.err");
  children_.clear();
  ExpectEachXFinishedOnce(Trials(), 4);
  EXPECT_FALSE(std::filesystem::is_empty(marks()));
}

TEST_F(RemoteTest, ListenAddressErrorsExitTwoAndWriteNothing) {
  CliOptions o;
  o.cwd = dir_.path();
  std::string spec = Spec(Grid(1, 0));
  for (const char* bad : {"127.0.0.1:99999", "[::1", "host:http"}) {
    CliResult r = RunSweep({"--store", store(), "launch", spec, "--listen", bad}, o);
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("--listen"), std::string::npos) << r.err;
  }
  CliResult r = RunSweep({"--store", store(), "launch", spec, "--listen", "127.0.0.1:0",
                          "--lease-interval", "5", "--lease-timeout", "2"},
                         o);
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_FALSE(std::filesystem::exists(store())) << "something was written";
}

}  // namespace
}  // namespace sweep

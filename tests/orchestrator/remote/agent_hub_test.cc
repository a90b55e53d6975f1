// AgentHub against fake agents over real sockets on 127.0.0.1. A FakeAgent is the
// protocol's agent side built from the transport (Connector, Connection) and the
// AgentHandshake, scripted by the test: it records what the hub sends and sends what
// the test tells it to. Everything runs on the test thread's io_context, bounded by
// RunUntil's deadline (the hang guard). Lease intervals are short (0.2 s / 1 s).
#include "orchestrator/remote/agent_hub.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

namespace asio = boost::asio;

AuthToken Token(const std::string& seed) { return testing::TokenFromSeed(seed); }

using testing::RunUntil;

void RunFor(asio::io_context& io, double seconds) {
  RunUntil(
      io, [] { return false; }, seconds);
}

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// Everything the hub reported through its callbacks.
struct Recorder {
  std::vector<AgentInfo> agents;
  std::vector<std::string> events, lost, started;
  std::vector<std::pair<std::string, TrialEnd>> ends;
  std::vector<std::pair<std::string, std::vector<ParsedPoint>>> metrics;
  std::vector<std::string> logs;  // "trial stream offset data"
  std::vector<std::string> attach_asked;
  bool with_attach = true;                                      // false: the hub gets no on_attach
  std::function<bool(const std::string& trial)> attach_answer;  // unset: refuse
  int capacity = 0;

  AgentHubCallbacks Callbacks() {
    AgentHubCallbacks cb;
    cb.on_capacity = [this] { ++capacity; };
    cb.on_agent = [this](const AgentInfo& a) { agents.push_back(a); };
    cb.on_started = [this](const std::string& t, int64_t pid, double) {
      started.push_back(t + " " + std::to_string(pid));
    };
    cb.on_metrics = [this](const std::string& t, std::vector<ParsedPoint> p) {
      metrics.emplace_back(t, std::move(p));
    };
    cb.on_log = [this](const std::string& t, const std::string& s, uint64_t off,
                       std::string_view data) {
      logs.push_back(t + " " + s + " " + std::to_string(off) + " " + std::string(data));
    };
    cb.on_end = [this](const std::string& t, const TrialEnd& e) { ends.emplace_back(t, e); };
    cb.on_lost = [this](const std::string& t, const std::string& why) {
      lost.push_back(t + ": " + why);
    };
    if (with_attach) {
      cb.on_attach = [this](const AgentInfo&, const std::string& t, const std::string& l) {
        attach_asked.push_back(t + "/" + l);
        return attach_answer && attach_answer(t);
      };
    }
    cb.on_event = [this](const std::string& line) { events.push_back(line); };
    return cb;
  }
  bool EventWith(const std::string& part) const {
    for (const auto& e : events) {
      if (Contains(e, part)) return true;
    }
    return false;
  }
};

AgentHubOptions FastOptions() {
  AgentHubOptions o;
  o.lease_interval_s = 0.2;
  o.lease_timeout_s = 1.0;
  return o;
}

std::unique_ptr<AgentHub> StartHub(asio::io_context& io, Recorder& rec,
                                   AgentHubOptions options = FastOptions(),
                                   const std::string& token = "secret") {
  return AgentHub::Listen(io, Token(token), options, rec.Callbacks()).value();
}

ReadyMsg Ready(int slots, std::vector<std::string> gpus = {},
               std::vector<RunningTrial> running = {}) {
  ReadyMsg r;
  r.slots = slots;
  r.gpus = std::move(gpus);
  r.host = {{"hostname", "node"}};
  r.running = std::move(running);
  return r;
}

// The agent side of the protocol, scripted by the test.
struct FakeAgent {
  struct Script {
    std::string name = "agent-1";
    std::string token = "secret";
    ReadyMsg ready = Ready(2);
    int hello_version = kProtocolVersion;
    bool skip_controller_check = false;  // send a proof from our token without verifying
    std::string replay_proof;            // sent instead of the computed proof when set
    double heartbeat_s = 0.1;
  };

  FakeAgent(asio::io_context& io, uint16_t port, Script script)
      : script_(std::move(script)), timer_(io) {
    std::weak_ptr<int> alive = alive_;
    connector_ = std::make_unique<Connector>(
        io, "127.0.0.1", port, ConnectionOptions{}, BackoffOptions{0.01, 0.05, 2, 0.25},
        [this, alive](std::shared_ptr<Connection> c) {
          if (alive.expired()) return;
          conn = c;
          handshake_ = std::make_unique<AgentHandshake>(Token(script_.token), script_.name, "node");
          c->Start(
              [this, alive](Frame f) {
                if (!alive.expired()) OnFrame(std::move(f));
              },
              [this, alive](const Status& why) {
                if (alive.expired()) return;
                closed = true;
                close_reason = why.message();
              });
          HelloMsg hello = handshake_->hello();
          hello.version = script_.hello_version;
          sent_hello = hello;
          (void)c->Send(hello);
        });
    connector_->Start();
    Tick();
  }
  ~FakeAgent() {
    alive_.reset();
    timer_.cancel();
    connector_->Stop();
    if (conn) conn->Close(Status::Io("fake agent gone"));
  }

  void OnFrame(Frame f) {
    Result<Message> m = DecodeMessage(f);
    ASSERT_TRUE(m.ok()) << m.status().message();
    if (auto* ch = std::get_if<ChallengeMsg>(&*m)) {
      AuthMsg auth;
      if (script_.skip_controller_check) {
        auth.proof =
            ComputeProof(Token(script_.token), AuthRole::kAgent, MakeTranscript(sent_hello, *ch));
      } else {
        Result<AuthMsg> r = handshake_->OnChallenge(*ch);
        ASSERT_TRUE(r.ok()) << r.status().message();
        auth = *r;
      }
      if (!script_.replay_proof.empty()) auth.proof = script_.replay_proof;
      sent_proof = auth.proof;
      (void)conn->Send(auth);
    } else if (auto* ok = std::get_if<AuthOkMsg>(&*m)) {
      conn->SetAuthenticated();
      agent_id = ok->agent_id;
      authed = true;
      for (const auto& r : script_.ready.running) leases.insert(r.lease_id);
      (void)conn->Send(script_.ready);
    } else if (auto* a = std::get_if<AssignMsg>(&*m)) {
      assigns.push_back(*a);
      leases.insert(a->lease_id);
    } else if (auto* s = std::get_if<StopMsg>(&*m)) {
      stops.push_back(*s);
    } else if (auto* r = std::get_if<LeaseRenewedMsg>(&*m)) {
      renewals.push_back(*r);
    } else if (auto* ao = std::get_if<AttachOkMsg>(&*m)) {
      attached.push_back(ao->trial_id);
    } else if (auto* ar = std::get_if<AttachRefusedMsg>(&*m)) {
      refused.push_back(ar->trial_id + ": " + ar->reason);
      leases.erase(ar->lease_id);
    } else if (auto* bye = std::get_if<ByeMsg>(&*m)) {
      byes.push_back(bye->reason);
    }
  }

  void Tick() {
    timer_.expires_after(std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(script_.heartbeat_s)));
    timer_.async_wait([this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
      if (ec || alive.expired()) return;
      if (heartbeating && authed && conn && conn->open()) Heartbeat();
      Tick();
    });
  }
  void Heartbeat() {
    (void)conn->Send(HeartbeatMsg{std::vector<std::string>(leases.begin(), leases.end()), 0});
  }
  void Send(const Message& m) { ASSERT_TRUE(conn->Send(m).ok()); }
  void Finish(const AssignMsg& a, const std::string& kind = "exited", int code = 0) {
    FinishedMsg f;
    f.trial_id = a.trial_id;
    f.lease_id = a.lease_id;
    f.kind = kind;
    f.exit_code = code;
    f.reason = code == 0 ? "" : "exited with code " + std::to_string(code);
    Send(f);
    leases.erase(a.lease_id);
  }

  Script script_;
  asio::steady_timer timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);
  std::unique_ptr<Connector> connector_;
  std::unique_ptr<AgentHandshake> handshake_;
  std::shared_ptr<Connection> conn;
  HelloMsg sent_hello;
  std::string sent_proof, agent_id, close_reason;
  bool authed = false, closed = false, heartbeating = true;
  std::set<std::string> leases;
  std::vector<AssignMsg> assigns;
  std::vector<StopMsg> stops;
  std::vector<LeaseRenewedMsg> renewals;
  std::vector<std::string> attached, refused, byes;
};

// Writes bytes on a plain socket (optionally half-closing it) and notes when the hub
// closes the connection.
struct RawPeer {
  RawPeer(asio::io_context& io, uint16_t port, std::string bytes, bool half_close)
      : socket(io), data(std::move(bytes)) {
    socket.connect({asio::ip::make_address("127.0.0.1"), port});
    asio::async_write(socket, asio::buffer(data), [this, half_close](auto ec, size_t) {
      if (!ec && half_close) socket.shutdown(asio::ip::tcp::socket::shutdown_send, ec);
    });
    Read();
  }
  void Read() {
    socket.async_read_some(asio::buffer(buf), [this](boost::system::error_code ec, size_t) {
      if (ec) {
        closed = true;
        return;
      }
      Read();
    });
  }
  asio::ip::tcp::socket socket;
  std::string data;
  char buf[4096];
  bool closed = false;
};

TrialLaunch Launch(const std::string& trial) {
  TrialLaunch l;
  l.sweep_id = "s1";
  l.trial_id = trial;
  l.argv = {"python3", "train.py", "--lr", "0.1"};
  l.params = {{"lr", 0.1}, {"layers", 3}};
  l.trial_dir = "/controller/only/" + trial;
  return l;
}

// Starts a hub and one fake agent, waits until the agent is ready (its slots free).
struct Fixture {
  explicit Fixture(AgentHubOptions options = FastOptions(), FakeAgent::Script script = {}) {
    hub = StartHub(io, rec, options);
    agent = std::make_unique<FakeAgent>(io, hub->port(), script);
    ready = RunUntil(io, [&] { return !hub->FreeSlots().empty(); });
  }
  // Assigns trial on the first free slot and waits until the agent has it.
  AssignMsg AssignOne(const std::string& trial, const std::string& lease) {
    const auto slots = hub->FreeSlots();
    EXPECT_FALSE(slots.empty());
    if (slots.empty()) return {};
    const size_t before = agent->assigns.size();
    EXPECT_TRUE(hub->Assign(slots[0], Launch(trial), lease, "trials/" + trial, "").ok());
    EXPECT_TRUE(RunUntil(io, [&] { return agent->assigns.size() > before; }));
    return agent->assigns.empty() ? AssignMsg{} : agent->assigns.back();
  }
  asio::io_context io;
  Recorder rec;
  std::unique_ptr<AgentHub> hub;
  std::unique_ptr<FakeAgent> agent;
  bool ready = false;
};

TEST(AgentHub, AuthenticatedAgentIsReportedAndOffersItsSlotsInterleaved) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent::Script second;
  second.name = "agent-2";
  FakeAgent b(f.io, f.hub->port(), second);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.hub->FreeSlots().size() == 4; }));
  EXPECT_EQ(f.agent->agent_id, "a1");
  EXPECT_EQ(b.agent_id, "a2");
  const auto slots = f.hub->FreeSlots();
  std::vector<std::string> order;
  for (const auto& s : slots) order.push_back(s.agent_id + "/" + std::to_string(s.index));
  EXPECT_EQ(order, (std::vector<std::string>{"a1/0", "a2/0", "a1/1", "a2/1"}));
  EXPECT_FALSE(slots[0].gpus.has_value());
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.capacity >= 2; }));
  ASSERT_FALSE(f.rec.agents.empty());
  const auto agents = f.hub->Agents();
  ASSERT_EQ(agents.size(), 2u);
  EXPECT_EQ(agents[0].name, "agent-1");
  EXPECT_EQ(agents[0].host, "node");
  EXPECT_TRUE(agents[0].connected);
  EXPECT_EQ(agents[0].slots, 2);
  EXPECT_EQ(agents[0].facts["hostname"], "node");
  EXPECT_TRUE(f.rec.EventWith("agent a1 (node) connected"));
}

TEST(AgentHub, DividesAnAgentsGpusIntoSlots) {
  AgentHubOptions o = FastOptions();
  o.gpus_per_trial = 2;
  FakeAgent::Script s;
  s.ready = Ready(0, {"0", "1", "2", "3"});
  Fixture f(o, s);
  ASSERT_TRUE(f.ready);
  const auto slots = f.hub->FreeSlots();
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].gpus, std::optional<std::string>("0,1"));
  EXPECT_EQ(slots[1].gpus, std::optional<std::string>("2,3"));

  // An agent asking for fewer slots than its GPUs allow gets that many.
  FakeAgent::Script one;
  one.name = "agent-2";
  one.ready = Ready(1, {"a", "b", "c", "d", "e"});
  FakeAgent b(f.io, f.hub->port(), one);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.hub->FreeSlots().size() == 3; }));
  EXPECT_EQ(f.hub->Agents()[1].slots, 1);
  EXPECT_EQ(f.hub->FreeSlots()[1].gpus, std::optional<std::string>("a,b"));
}

TEST(AgentHub, AssignmentReachesTheAgentAndItsReportsReachTheCallbacks) {
  AgentHubOptions o = FastOptions();
  o.gpus_per_trial = 2;
  FakeAgent::Script s;
  s.ready = Ready(0, {"0", "1", "2", "3"});
  Fixture f(o, s);
  ASSERT_TRUE(f.ready);
  const RemoteSlot slot = f.hub->FreeSlots()[1];
  ASSERT_TRUE(f.hub->Assign(slot, Launch("t1"), "L1", "trials/t1", "code").ok());
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->assigns.size() == 1; }));
  const AssignMsg& a = f.agent->assigns[0];
  EXPECT_EQ(a.trial_id, "t1");
  EXPECT_EQ(a.lease_id, "L1");
  EXPECT_EQ(a.argv, (std::vector<std::string>{"python3", "train.py", "--lr", "0.1"}));
  EXPECT_EQ(a.params, (Value{{"lr", 0.1}, {"layers", 3}}));
  EXPECT_EQ(a.gpus, std::optional<std::string>("2,3"));
  EXPECT_EQ(a.trial_dir, "trials/t1");
  EXPECT_EQ(a.workdir, "code");
  ASSERT_EQ(f.hub->FreeSlots().size(), 1u);
  EXPECT_EQ(f.hub->FreeSlots()[0].index, 0);
  EXPECT_FALSE(f.hub->Assign(slot, Launch("t2"), "L2", "trials/t2", "").ok());  // taken
  EXPECT_FALSE(f.hub->Assign(f.hub->FreeSlots()[0], Launch("t3"), "L3", "../escape", "").ok());

  f.agent->Send(StartedMsg{"t1", "L1", 4242, 1.0});
  f.agent->Send(MetricsMsg{"t1", "L1", {ParsedPoint{"loss", 1, 0.5, 0}}});
  f.agent->Send(LogMsg{"t1", "L1", "stdout", 0, "hello\n"});
  f.agent->Finish(a);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.ends.size() == 1; }));
  EXPECT_EQ(f.rec.started, std::vector<std::string>{"t1 4242"});
  ASSERT_EQ(f.rec.metrics.size(), 1u);
  EXPECT_EQ(f.rec.metrics[0].second.at(0).name, "loss");
  EXPECT_EQ(f.rec.metrics[0].second.at(0).value, 0.5);
  EXPECT_EQ(f.rec.logs, std::vector<std::string>{"t1 stdout 0 hello\n"});
  EXPECT_EQ(f.rec.ends[0].first, "t1");
  EXPECT_TRUE(f.rec.ends[0].second.ok());
  EXPECT_EQ(f.rec.ends[0].second.pid, 4242);
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
  EXPECT_EQ(f.hub->Agents()[0].finished, 1u);
  EXPECT_EQ(f.hub->Agents()[0].running, 0);
  EXPECT_EQ(f.hub->stale_messages(), 0u);
}

TEST(AgentHub, HeartbeatsKeepALeaseAlivePastItsTimeout) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  f.AssignOne("t1", "L1");
  RunFor(f.io, 2.5);  // 2.5 x lease_timeout_s
  EXPECT_TRUE(f.rec.lost.empty());
  ASSERT_GE(f.agent->renewals.size(), 5u);
  EXPECT_EQ(f.agent->renewals.back().renewed, std::vector<std::string>{"L1"});
  EXPECT_TRUE(f.agent->renewals.back().revoked.empty());
  EXPECT_GT(f.hub->Agents()[0].last_heartbeat, 0);
  EXPECT_EQ(f.hub->Agents()[0].running, 1);
}

TEST(AgentHub, SilentAgentLosesItsLeaseOnceAndCannotReportOrReattachIt) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  f.rec.attach_answer = [](const std::string&) { return true; };  // must not be consulted
  const AssignMsg a = f.AssignOne("t1", "L1");
  f.agent->heartbeating = false;
  ASSERT_TRUE(RunUntil(
      f.io, [&] { return f.rec.lost.size() == 1; }, 5));
  EXPECT_TRUE(Contains(f.rec.lost[0], "t1: lease expired: agent a1 (node) silent for"))
      << f.rec.lost[0];
  EXPECT_TRUE(f.agent->closed);  // idle timeout: 3 x interval without a frame
  RunFor(f.io, 0.5);
  EXPECT_EQ(f.rec.lost.size(), 1u);
  EXPECT_FALSE(f.hub->Agents()[0].connected);

  // The agent comes back still running t1: refused, and its reports are dropped.
  FakeAgent::Script back;
  back.ready = Ready(2, {}, {RunningTrial{"t1", "L1"}});
  f.agent = std::make_unique<FakeAgent>(f.io, f.hub->port(), back);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->refused.size() == 1; }));
  EXPECT_EQ(f.agent->refused[0], "t1: re-queued");
  EXPECT_TRUE(f.rec.attach_asked.empty());
  EXPECT_EQ(f.agent->agent_id, "a1");
  f.agent->Finish(a);
  f.agent->leases.insert("L1");  // as if it still held it
  ASSERT_TRUE(RunUntil(f.io, [&] {
    return !f.agent->renewals.empty() && !f.agent->renewals.back().revoked.empty();
  }));
  EXPECT_EQ(f.agent->renewals.back().revoked, std::vector<std::string>{"L1"});
  EXPECT_EQ(f.hub->stale_messages(), 1u);
  EXPECT_TRUE(f.rec.ends.empty());
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
}

TEST(AgentHub, ReconnectWithinTheLeaseReattachesAndTheTrialContinues) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  f.rec.attach_answer = [](const std::string&) { return false; };
  const AssignMsg a = f.AssignOne("t1", "L1");
  f.agent.reset();  // the link drops; the trial keeps running on the agent
  ASSERT_TRUE(RunUntil(f.io, [&] { return !f.hub->Agents()[0].connected; }));
  FakeAgent::Script back;
  back.ready = Ready(2, {}, {RunningTrial{"t1", "L1"}});
  f.agent = std::make_unique<FakeAgent>(f.io, f.hub->port(), back);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->attached.size() == 1; }));
  EXPECT_EQ(f.agent->agent_id, "a1");
  EXPECT_EQ(f.hub->Agents().size(), 1u);
  EXPECT_EQ(f.hub->FreeSlots().size(), 1u);  // t1 still holds a slot
  RunFor(f.io, 1.5);                         // past the original expiry: renewed
  EXPECT_TRUE(f.rec.lost.empty());
  f.agent->Finish(a);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.ends.size() == 1; }));
  EXPECT_TRUE(f.rec.attach_asked.empty());
  EXPECT_EQ(f.hub->stale_messages(), 0u);
}

TEST(AgentHub, NewerConnectionOfTheSameAgentReplacesTheOlder) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent again(f.io, f.hub->port(), FakeAgent::Script{});
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->closed && again.authed; }));
  EXPECT_EQ(again.agent_id, "a1");
  RunFor(f.io, 0.3);
  EXPECT_EQ(f.hub->Agents().size(), 1u);
  EXPECT_TRUE(f.hub->Agents()[0].connected);
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
}

TEST(AgentHub, FreshHubAdoptsRunningTrialsTheControllerVouchesFor) {
  asio::io_context io;
  Recorder rec;
  rec.attach_answer = [](const std::string& trial) { return trial == "t1"; };
  auto hub = StartHub(io, rec);  // as after `sweep resume`: no leases held
  FakeAgent::Script s;
  s.ready = Ready(1, {}, {RunningTrial{"t1", "L1"}, RunningTrial{"t2", "L2"}});
  FakeAgent agent(io, hub->port(), s);
  ASSERT_TRUE(RunUntil(io, [&] { return agent.attached.size() + agent.refused.size() == 2; }));
  EXPECT_EQ(agent.attached, std::vector<std::string>{"t1"});
  EXPECT_EQ(agent.refused, std::vector<std::string>{"t2: re-queued"});
  EXPECT_EQ(rec.attach_asked, (std::vector<std::string>{"t1/L1", "t2/L2"}));
  EXPECT_TRUE(hub->FreeSlots().empty());  // t1 took the only slot
  EXPECT_EQ(hub->Agents()[0].running, 1);
  AssignMsg t1;
  t1.trial_id = "t1";
  t1.lease_id = "L1";
  agent.Finish(t1, "exited", 0);
  ASSERT_TRUE(RunUntil(io, [&] { return rec.ends.size() == 1; }));
  EXPECT_EQ(rec.ends[0].first, "t1");
  EXPECT_EQ(hub->FreeSlots().size(), 1u);

  // Without on_attach every unknown lease is refused.
  Recorder plain;
  plain.with_attach = false;
  auto hub2 = AgentHub::Listen(io, Token("secret"), FastOptions(), plain.Callbacks()).value();
  FakeAgent::Script s2;
  s2.name = "agent-9";
  s2.ready = Ready(1, {}, {RunningTrial{"t7", "L7"}});
  FakeAgent other(io, hub2->port(), s2);
  ASSERT_TRUE(RunUntil(io, [&] { return other.refused.size() == 1; }));
}

TEST(AgentHub, WrongTokenIsRefusedWithoutNamingTheToken) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent::Script bad;
  bad.name = "intruder";
  bad.token = "not-the-secret";
  bad.skip_controller_check = true;
  FakeAgent intruder(f.io, f.hub->port(), bad);
  ASSERT_TRUE(RunUntil(f.io, [&] { return intruder.closed; }));
  EXPECT_FALSE(intruder.authed);
  EXPECT_EQ(intruder.byes, std::vector<std::string>{"authentication failed"});
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.EventWith("failed authentication"); }));
  EXPECT_TRUE(f.rec.EventWith("agent at 127.0.0.1:"));
  for (const auto& e : f.rec.events) {
    EXPECT_FALSE(Contains(e, Token("secret").secret())) << e;
    EXPECT_FALSE(Contains(e, Token("not-the-secret").secret())) << e;
  }
  for (const auto& a : f.rec.agents) EXPECT_NE(a.name, "intruder");
  EXPECT_EQ(f.hub->Agents().size(), 1u);
}

TEST(AgentHub, ReplayedProofFromAnEarlierConnectionIsRefused) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent::Script replay;
  replay.name = "agent-1";
  replay.replay_proof = f.agent->sent_proof;  // recorded on the first connection
  FakeAgent attacker(f.io, f.hub->port(), replay);
  ASSERT_TRUE(RunUntil(f.io, [&] { return attacker.closed; }));
  EXPECT_FALSE(attacker.authed);
  EXPECT_EQ(attacker.byes, std::vector<std::string>{"authentication failed"});
  EXPECT_FALSE(f.agent->closed);  // the genuine session was not replaced
  EXPECT_TRUE(f.hub->Agents()[0].connected);
}

TEST(AgentHub, OtherProtocolVersionGetsByeAndIsClosed) {
  Fixture f;
  FakeAgent::Script v2;
  v2.name = "future";
  v2.hello_version = 2;
  FakeAgent future(f.io, f.hub->port(), v2);
  ASSERT_TRUE(RunUntil(f.io, [&] { return future.closed; }));
  ASSERT_EQ(future.byes.size(), 1u);
  EXPECT_TRUE(Contains(future.byes[0], "version 2")) << future.byes[0];
  EXPECT_TRUE(f.rec.EventWith("'future'"));
  EXPECT_EQ(f.hub->Agents().size(), 1u);
}

TEST(AgentHub, BadBytesCloseOnlyTheirOwnConnection) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  f.AssignOne("t1", "L1");
  RawPeer garbage(f.io, f.hub->port(), "GET / HTTP/1.1\r\n\r\n", false);
  RawPeer oversized(f.io, f.hub->port(), std::string("\xFF\xFF\xFF\xFF\x01", 5), false);
  RawPeer truncated(f.io, f.hub->port(), std::string("\x00\x00\x00\x64\x01{\"ver", 10), true);
  ASSERT_TRUE(
      RunUntil(f.io, [&] { return garbage.closed && oversized.closed && truncated.closed; }));
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.EventWith("truncated"); }));
  EXPECT_TRUE(f.rec.EventWith("exceeds the limit"));

  // An authenticated agent sending an unknown type or bad JSON loses only itself.
  FakeAgent::Script s2;
  s2.name = "agent-2";
  FakeAgent b(f.io, f.hub->port(), s2);
  ASSERT_TRUE(RunUntil(f.io, [&] { return b.authed; }));
  FakeAgent::Script s3;
  s3.name = "agent-3";
  FakeAgent c(f.io, f.hub->port(), s3);
  ASSERT_TRUE(RunUntil(f.io, [&] { return c.authed; }));
  (void)b.conn->SendFrame(static_cast<MessageType>(200), "{}");
  (void)c.conn->SendFrame(MessageType::kHeartbeat, "{\"lease_ids\":[1");
  ASSERT_TRUE(RunUntil(f.io, [&] { return b.closed && c.closed; }));
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.EventWith("agent a3 (node): protocol error"); }));

  const size_t before = f.agent->renewals.size();
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->renewals.size() >= before + 3; }));
  EXPECT_EQ(f.agent->renewals.back().renewed, std::vector<std::string>{"L1"});
  EXPECT_FALSE(f.agent->closed);
  EXPECT_TRUE(f.rec.lost.empty());
}

TEST(AgentHub, StopAndForgetTellTheAgentAndForgetDropsTheLeaseQuietly) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  const AssignMsg a = f.AssignOne("t1", "L1");
  const AssignMsg b = f.AssignOne("t2", "L2");
  f.hub->Stop("t1", "early stopped", 3);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->stops.size() == 1; }));
  EXPECT_EQ(f.agent->stops[0].lease_id, "L1");
  EXPECT_EQ(f.agent->stops[0].reason, "early stopped");
  EXPECT_EQ(f.agent->stops[0].grace_s, 3);
  f.agent->Finish(a, "stopped", -1);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.ends.size() == 1; }));
  EXPECT_EQ(f.rec.ends[0].second.kind, TrialEnd::Kind::kStopped);

  f.hub->Forget("t2");
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->stops.size() == 2; }));
  EXPECT_EQ(f.agent->stops[1].trial_id, "t2");
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
  f.agent->Finish(b, "stopped", -1);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.hub->stale_messages() == 1; }));
  RunFor(f.io, 1.3);  // past the lease timeout
  EXPECT_TRUE(f.rec.lost.empty());
  EXPECT_EQ(f.rec.ends.size(), 1u);
}

TEST(AgentHub, FastFailuresPauseTheAgentButRequestedStopsDoNot) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent::Script s2;
  s2.name = "agent-2";
  FakeAgent other(f.io, f.hub->port(), s2);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.hub->FreeSlots().size() == 4; }));
  auto run = [&](const std::string& trial, int code, bool stop_first) {
    const AssignMsg a = f.AssignOne(trial, "L-" + trial);
    if (stop_first) f.hub->Stop(trial, "Ctrl-C", 1);
    const size_t ends = f.rec.ends.size();
    f.agent->Finish(a, "exited", code);
    ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.ends.size() == ends + 1; }));
  };
  run("t1", 1, false);
  run("t2", 2, false);
  run("t3", 143, true);  // a requested stop is not the agent's fault
  EXPECT_TRUE(f.hub->Agents()[0].paused.empty());
  run("t4", 3, false);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.EventWith("paused"); }));
  const std::string why = f.hub->Agents()[0].paused;
  EXPECT_EQ(why, "3 trials failed within 60s on this agent: last: exited with code 3");
  EXPECT_TRUE(f.rec.EventWith("agent a1 (node) paused: " + why));
  bool reported = false;
  for (const AgentInfo& a : f.rec.agents) reported |= a.id == "a1" && a.paused == why;
  EXPECT_TRUE(reported);
  for (const RemoteSlot& s : f.hub->FreeSlots()) EXPECT_EQ(s.agent_id, "a2");
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
  EXPECT_FALSE(f.hub->Assign({"a1", 0, std::nullopt}, Launch("t5"), "L5", "trials/t5", "").ok());
}

TEST(AgentHub, AgentThatStopsATrialUnaskedIsShuttingDownAndGetsNoMoreWork) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  FakeAgent::Script s2;
  s2.name = "agent-2";
  FakeAgent other(f.io, f.hub->port(), s2);
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.hub->FreeSlots().size() == 4; }));
  const AssignMsg a = f.AssignOne("t1", "L-t1");
  f.agent->Finish(a, "stopped", -1);  // e.g. its Slurm job was cancelled: SIGTERM
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.rec.ends.size() == 1; }));
  for (const RemoteSlot& s : f.hub->FreeSlots()) EXPECT_EQ(s.agent_id, "a2");
  EXPECT_EQ(f.hub->FreeSlots().size(), 2u);
  EXPECT_TRUE(f.hub->Agents()[0].paused.empty());  // draining, not broken
}

TEST(AgentHub, CloseSaysByeToEveryAgentAndStopsAssigning) {
  Fixture f;
  ASSERT_TRUE(f.ready);
  const RemoteSlot slot = f.hub->FreeSlots()[0];
  f.hub->Close("sweep finished");
  ASSERT_TRUE(RunUntil(f.io, [&] { return f.agent->closed; }));
  EXPECT_EQ(f.agent->byes, std::vector<std::string>{"sweep finished"});
  EXPECT_TRUE(f.hub->FreeSlots().empty());
  EXPECT_FALSE(f.hub->Assign(slot, Launch("t1"), "L1", "trials/t1", "").ok());
  ASSERT_TRUE(RunUntil(f.io, [&] { return !f.hub->Agents()[0].connected; }));
}

}  // namespace
}  // namespace sweep

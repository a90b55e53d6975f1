// AgentHub's private state, shared by agent_hub.cc (connections, handshake, message
// dispatch) and agent_hub_leases.cc (slots, leases, expiry, flapping). Not part of
// the hub's contract: include orchestrator/remote/agent_hub.h instead.
#pragma once

#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "agents/protocol/version_check.h"
#include "orchestrator/remote/agent_hub.h"

namespace sweep {

using HubClock = std::chrono::steady_clock;

// "60s", "1.5s": for event lines.
std::string HubSeconds(double s);

struct AgentHub::Impl {
  struct Agent {
    AgentInfo info;
    uint64_t session = 0;  // id of its current authenticated session; 0 = disconnected
    bool ready = false;    // `ready` received on that session
    // It stopped a trial nobody asked it to stop: it is shutting down (SIGTERM, its
    // Slurm job cancelled), so it gets no new trial until it connects again.
    bool draining = false;
    std::vector<std::string> slot_trial;  // per slot: the trial holding it, "" = free
    std::vector<std::optional<std::string>> slot_gpus;
    int overflow = 0;  // adopted leases that found no free slot
    std::deque<HubClock::time_point> fast_failures;
    HubClock::time_point last_frame{};  // anything received from it
    bool build_warned = false;          // its build differs and an event said so
  };
  struct Session {
    uint64_t id = 0;
    std::shared_ptr<Connection> conn;
    std::unique_ptr<ControllerHandshake> handshake;
    enum class State { kAwaitHello, kAwaitAuth, kActive } state = State::kAwaitHello;
    std::string agent_name;      // from the hello
    std::string handshake_host;  // hello.host, kept for the Agent once authenticated
    PeerVersion version;         // from the hello, compared once authenticated
    Agent* agent = nullptr;      // once authenticated
    bool reported = false;       // an event line already says why it closes
  };
  struct Lease {
    std::string trial_id, lease_id;
    Agent* agent = nullptr;
    int slot = -1;  // -1: adopted beyond the agent's slots (counted in overflow)
    HubClock::time_point expiry, renewed, assigned;
    int64_t pid = 0;
    bool stop_requested = false;
    std::string stop_reason;
    double stop_grace_s = 10;
  };

  Impl(boost::asio::io_context& io, AuthToken token, AgentHubOptions options,
       AgentHubCallbacks callbacks);

  // agent_hub.cc: connections and messages.
  void OnAccept(std::shared_ptr<Connection> conn);
  void OnFrame(uint64_t session_id, Frame frame);
  void OnClose(uint64_t session_id, const Status& why);
  void HandleHello(Session& s, const HelloMsg& hello);
  // Says bye with code kByeProtocolVersion and a message naming both versions, then
  // closes: an agent of another protocol version (name "" when its hello did not decode).
  void RefuseVersion(Session& s, const std::string& name, const std::string& message);
  void HandleAuth(Session& s, const AuthMsg& auth);
  void HandleReady(Session& s, const ReadyMsg& ready);
  void HandleHeartbeat(Session& s, const HeartbeatMsg& hb);
  void ProtocolError(Session& s, const std::string& what);
  std::string Describe(const Agent& a) const;

  // agent_hub_leases.cc: slots, leases, expiry, flapping.
  void SetSlots(Agent& a, const ReadyMsg& ready);
  void AnswerRunning(Session& s, const std::vector<RunningTrial>& running);
  // Answers one ready.running entry when the hub knows its lease (or knows it ended);
  // false when on_attach must decide.
  bool AnswerKnown(Session& s, const RunningTrial& r);
  Session* SessionOf(const Agent& a);
  void Renew(Lease& lease);
  Lease* CurrentLease(const Session& s, const std::string& trial_id, const std::string& lease_id);
  void HandleFinished(Session& s, const FinishedMsg& msg);
  void TakeSlot(Lease& lease, int preferred);
  void ReleaseSlot(Lease& lease);
  void EndLease(const std::string& trial_id);  // forgets it; lease id stays "ended"
  void CheckExpiry();
  void ArmExpiryTimer();
  void RecordFailure(Agent& a, const TrialEnd& end);

  // options_.clock's readings (lease times; AgentInfo timestamps).
  HubClock::time_point Now() const { return clock_.Steady(); }
  double WallNow() const { return clock_.WallSeconds(); }

  // Runs f later on the io_context unless the hub is gone by then.
  void Post(std::function<void()> f);
  void PostEvent(std::string line);
  void PostAgent(const Agent& a);
  void PostCapacity();

  boost::asio::io_context& io_;
  AuthToken token_;
  AgentHubOptions options_;
  AgentHubCallbacks callbacks_;
  const Clock& clock_;
  std::unique_ptr<Server> server_;
  boost::asio::steady_timer expiry_timer_;
  std::shared_ptr<int> alive_ = std::make_shared<int>(0);  // weak copies guard callbacks
  bool closed_ = false;

  uint64_t next_session_ = 1;
  std::map<uint64_t, std::unique_ptr<Session>> sessions_;
  std::vector<std::unique_ptr<Agent>> agents_;  // in order of first appearance: a1, a2, ...
  std::map<std::string, Agent*> by_name_;
  std::unordered_map<std::string, Lease> leases_;                // by trial id: current leases
  std::unordered_map<std::string, std::string> trial_of_lease_;  // current lease id -> trial
  std::unordered_set<std::string> ended_leases_;                 // finished, expired or forgotten
  uint64_t stale_ = 0;
};

}  // namespace sweep

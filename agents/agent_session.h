// AgentSession: the state machine behind RunAgent (agents/agent.h).
//
// One object per `sweep agent` process. It owns the Connector, the current
// connection, the TrialRunner and every trial the agent holds a lease for, and
// decides per trial whether what the trial produces (metrics, log chunks, the end)
// goes out now or waits in that trial's buffer: it waits while the connection is down
// or, after a reconnect, until the controller answered attach_ok / attach_refused.
// Not thread-safe: construct it, call Run() and destroy it on one thread; everything
// runs on the io_context that Run() drives.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <string>

#include "agents/agent.h"
#include "agents/protocol/auth.h"
#include "agents/protocol/messages.h"
#include "agents/protocol/transport.h"
#include "agents/runtime/trial_runner.h"
#include "base/log.h"

namespace sweep {

class AgentSession {
 public:
  // io, token and log must outlive the session. Nothing happens before Run().
  AgentSession(boost::asio::io_context& io, AgentOptions options, AuthToken token,
               std::ostream& log);
  ~AgentSession();
  AgentSession(const AgentSession&) = delete;
  AgentSession& operator=(const AgentSession&) = delete;

  // Connects and serves until the sweep is over, a signal, authentication failure
  // or giving up; returns the exit code documented at RunAgent.
  int Run();

 private:
  // One trial's log file as it is read for `log` chunks.
  struct LogTail {
    const char* stream;
    std::string path;
    uint64_t file_pos = 0;  // next byte to read in the file
    uint64_t offset = 0;    // stream offset of that byte (sent or buffered so far)
  };
  // A trial this agent holds a lease for: running, or ended and not yet reported.
  struct Held {
    std::string trial_id, lease_id;
    int64_t pid = 0;
    bool running = true;          // the process has not ended yet
    bool attached = false;        // this connection's controller accepted it: send at once
    bool revoked = false;         // lease revoked or attach refused: report nothing more
    std::deque<Message> pending;  // metrics and log chunks in order, while detached
    size_t pending_log_bytes = 0;
    std::optional<FinishedMsg> finished;  // held until attached
    LogTail out{"stdout", "", 0, 0}, err{"stderr", "", 0, 0};
  };

  void OnConnected(std::shared_ptr<Connection> conn);
  void OnFrame(const std::shared_ptr<Connection>& conn, Frame frame);
  void OnClosed(const std::shared_ptr<Connection>& conn, const Status& why);
  void OnChallenge(const ChallengeMsg& m);
  void OnAuthOk(const AuthOkMsg& m);
  void OnAssign(const AssignMsg& m);
  void OnStop(const StopMsg& m);
  void OnLeaseRenewed(const LeaseRenewedMsg& m);
  void OnAttach(const std::string& trial_id, const std::string& lease_id, bool ok,
                const std::string& reason);
  void OnBye(const ByeMsg& m);

  void OnTrialMetrics(const std::string& trial_id, std::vector<ParsedPoint> points);
  void OnTrialEnd(const std::string& trial_id, const TrialEnd& end);
  // Sends (or holds, while detached) the `finished` of a trial that has ended.
  void ReportEnd(const std::string& trial_id, TrialEnd end);
  // Reports the ends held back by OnTrialEnd now: as `stopped` when the agent itself
  // was interrupted meanwhile, else as they were.
  void ReportDeferredEnds();
  // Stops a trial the controller no longer wants, or forgets it if it already ended.
  void Revoke(const std::string& trial_id, const std::string& why);

  // Sends m for h now when attached and connected, else buffers it (logs bounded).
  void Deliver(Held& h, Message m);
  void FlushPending(Held& h);
  // Reads what the trial's log files gained since the last read into `log` chunks,
  // at most max_bytes per stream (the oldest are skipped when more is waiting).
  void ReadLogs(Held& h, uint64_t max_bytes, bool skip_to_tail);
  void ReadLog(Held& h, LogTail& tail, uint64_t max_bytes, bool skip_to_tail);
  void BoundBufferedLogs();

  bool Ready() const { return authed_ && conn_ && conn_->open(); }
  Held* Find(const std::string& trial_id, const std::string& lease_id);
  void Send(const Message& m);
  void ScheduleHeartbeat();
  void ScheduleTick();
  void Tick();
  void WaitSignal();
  void MaybeFinishShutdown();
  // Ends Run() with code after a bye (when connected) and a short flush.
  void Exit(int code, const std::string& bye_reason);

  boost::asio::io_context& io_;
  AgentOptions options_;
  AuthToken token_;
  LineLog log_;  // through spdlog (base/log.h); the terminal writer prints to the given stream
  std::string hostname_;
  int slots_ = 1;
  std::unique_ptr<Connector> connector_;
  std::shared_ptr<Connection> conn_;
  std::unique_ptr<AgentHandshake> handshake_;
  bool authed_ = false;
  bool build_warned_ = false;  // the controller's build differs and the log said so
  double lease_interval_s_ = 5;
  std::chrono::steady_clock::time_point last_rx_;
  std::chrono::steady_clock::time_point idle_since_;  // unconnected with nothing running
  std::unique_ptr<TrialRunner> runner_;
  std::map<std::string, Held> held_;  // by trial id
  size_t buffered_log_bytes_ = 0;
  boost::asio::steady_timer heartbeat_timer_, tick_timer_, exit_timer_;
  // Trials killed by SIGTERM/SIGINT that nobody here asked to stop, held for a
  // moment: the agent may be getting the same signal (see OnTrialEnd).
  std::map<std::string, TrialEnd> deferred_ends_;
  boost::asio::steady_timer deferred_timer_;
  boost::asio::signal_set signals_;
  // Set once the agent winds down (sweep finished, signal, auth failure): the exit
  // code it returns when its last trial has ended.
  std::optional<int> shutdown_code_;
  std::string shutdown_bye_;
  bool exiting_ = false;
  int exit_code_ = 0;
};

}  // namespace sweep

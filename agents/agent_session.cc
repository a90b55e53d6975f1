// The agent's state machine (schemas/protocol.md, agent side).
//
// Per connection: hello -> challenge (the controller's proof is checked before
// anything derived from the token is sent; a wrong proof ends the process with
// exit 1) -> auth -> auth_ok -> ready, then heartbeats every lease interval. The
// Connection has no idle timer of its own (the interval is only known after
// auth_ok), so the heartbeat tick closes a link on which nothing arrived for
// 3 x interval.
// Per trial (held_): a trial is "attached" when the current connection's controller
// knows it: from the assign, or from attach_ok after a reconnect. Attached trials
// send at once; the others buffer metrics (all kept) and log chunks (bounded
// globally by max_buffered_bytes, oldest chunks dropped) and hold their `finished`.
// Log chunks come from reading the trial's stdout.log/stderr.log as they grow, so
// the TrialRunner stays the one code path that runs trials. A revoked or refused
// trial is stopped and then forgotten without another message.
// What trials produce is routed in agent_session_trials.cc.
// Winding down (bye "sweep finished", SIGINT/SIGTERM, a controller that fails
// authentication after a reconnect) stops the running trials, reports their ends
// when connected, then sends bye and leaves the io_context.
#include "agents/agent_session.h"

#include <unistd.h>

#include <boost/asio/post.hpp>
#include <csignal>
#include <filesystem>
#include <iomanip>

#include "agents/protocol/trial_messages.h"
#include "agents/protocol/version_check.h"

namespace sweep {
namespace {

using Clock = std::chrono::steady_clock;

std::chrono::steady_clock::duration Seconds(double s) {
  return std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(s));
}

double SecondsSince(Clock::time_point t) {
  return std::chrono::duration<double>(Clock::now() - t).count();
}

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Bytes a connection may have queued before the agent stops reading more log output
// into it (the transport drops a peer past its own, larger, limit).
constexpr size_t kMaxQueuedForLogs = 16u << 20;
// Log bytes read per stream and tick while connected; the rest waits for later ticks.
constexpr uint64_t kLogBytesPerTick = 1u << 20;

}  // namespace

AgentSession::AgentSession(boost::asio::io_context& io, AgentOptions options, AuthToken token,
                           std::ostream& log)
    : io_(io),
      options_(std::move(options)),
      token_(std::move(token)),
      // One write per line: std::cerr is unbuffered, and `<< line << std::endl` made
      // two system calls of each of the two lines every trial logs.
      log_("agent",
           [&log](LogLevel, const std::string& line) {
             std::string text;
             text.reserve(line.size() + 1);
             text.append(line).push_back('\n');
             log.write(text.data(), static_cast<std::streamsize>(text.size()));
             log.flush();
           }),
      heartbeat_timer_(io),
      tick_timer_(io),
      exit_timer_(io),
      deferred_timer_(io),
      signals_(io, SIGINT, SIGTERM) {
  char host[256] = {};
  ::gethostname(host, sizeof(host) - 1);
  hostname_ = host;
  if (options_.name.empty()) options_.name = hostname_ + ":" + std::to_string(::getpid());
  std::error_code ec;
  const auto root = std::filesystem::absolute(
      std::filesystem::path(options_.work_root.empty() ? "." : options_.work_root), ec);
  if (!ec) options_.work_root = root.lexically_normal().string();
  if (options_.work_root.size() > 1 && options_.work_root.back() == '/')
    options_.work_root.pop_back();
  slots_ = options_.workers > 0    ? options_.workers
           : options_.gpus.empty() ? 1
                                   : static_cast<int>(options_.gpus.size());
  TrialRunnerCallbacks cb;
  cb.on_metrics = [this](const std::string& id, std::vector<ParsedPoint> points) {
    OnTrialMetrics(id, std::move(points));
  };
  cb.on_end = [this](const std::string& id, const TrialEnd& end) { OnTrialEnd(id, end); };
  runner_ = std::make_unique<TrialRunner>(io_, std::move(cb));
}

AgentSession::~AgentSession() {
  if (connector_) connector_->Stop();
  if (conn_) conn_->Close(Status::Io("agent exiting"));
}

int AgentSession::Run() {
  ConnectionOptions copts = options_.connection;
  copts.idle_timeout_s = 0;  // enforced by the heartbeat tick once the interval is known
  connector_ = std::make_unique<Connector>(
      io_, options_.host, options_.port, copts, options_.backoff,
      [this](std::shared_ptr<Connection> c) { OnConnected(std::move(c)); },
      [this](const Status& why, double delay) {
        LogLine(log_, LogLevel::kWarn) << "agent: " << why.message() << "; retrying in "
                                       << std::fixed << std::setprecision(1) << delay << " s";
      });
  LogLine(log_, LogLevel::kInfo, true)
      << "agent " << options_.name << ": " << slots_ << " slot(s), "
      << (options_.gpus.empty() ? std::string("no GPUs")
                                : std::to_string(options_.gpus.size()) + " GPU(s)")
      << ", connecting to " << options_.host << ":" << options_.port;
  idle_since_ = Clock::now();
  connector_->Start();
  WaitSignal();
  ScheduleTick();
  io_.run();
  return exit_code_;
}

void AgentSession::OnConnected(std::shared_ptr<Connection> conn) {
  if (exiting_) return conn->Close(Status::Io("agent exiting"));
  conn_ = conn;
  authed_ = false;
  handshake_ = std::make_unique<AgentHandshake>(token_, options_.name, hostname_);
  std::weak_ptr<Connection> weak = conn;
  conn->Start(
      [this, weak](Frame f) {
        if (auto c = weak.lock()) OnFrame(c, std::move(f));
      },
      [this, weak](const Status& why) {
        if (auto c = weak.lock()) OnClosed(c, why);
      });
  last_rx_ = Clock::now();
  Send(handshake_->hello());
}

void AgentSession::OnFrame(const std::shared_ptr<Connection>& conn, Frame frame) {
  if (conn != conn_) return;
  last_rx_ = Clock::now();
  Result<Message> msg = DecodeMessage(frame);
  if (!msg.ok()) return conn->Close(Status::Io("from controller: " + msg.status().message()));
  Message& m = *msg;
  if (!authed_) {
    if (auto* c = std::get_if<ChallengeMsg>(&m)) return OnChallenge(*c);
    if (auto* ok = std::get_if<AuthOkMsg>(&m); ok && !handshake_) return OnAuthOk(*ok);
    if (auto* bye = std::get_if<ByeMsg>(&m)) return OnBye(*bye);  // e.g. the sweep is over
    return conn->Close(Status::Io(std::string("unexpected ") + MessageTypeName(frame.type) +
                                  " during the handshake"));
  }
  if (auto* a = std::get_if<AssignMsg>(&m)) return OnAssign(*a);
  if (auto* s = std::get_if<StopMsg>(&m)) return OnStop(*s);
  if (auto* r = std::get_if<LeaseRenewedMsg>(&m)) return OnLeaseRenewed(*r);
  if (auto* a = std::get_if<AttachOkMsg>(&m)) return OnAttach(a->trial_id, a->lease_id, true, "");
  if (auto* a = std::get_if<AttachRefusedMsg>(&m))
    return OnAttach(a->trial_id, a->lease_id, false, a->reason);
  if (auto* b = std::get_if<ByeMsg>(&m)) return OnBye(*b);
  LogLine(log_, LogLevel::kWarn) << "agent: ignoring unexpected " << MessageTypeName(frame.type)
                                 << " from the controller";
}

void AgentSession::OnChallenge(const ChallengeMsg& m) {
  if (!handshake_) return conn_->Close(Status::Io("second challenge from the controller"));
  Result<AuthMsg> auth = handshake_->OnChallenge(m);
  handshake_.reset();  // one proof per connection
  if (!auth.ok()) {
    LogLine(log_, LogLevel::kError, true)
        << "agent: " << conn_->peer() << ": " << auth.status().message()
        << "; refusing to run anything it sends";
    conn_->Close(auth.status());
    // A controller without the token, or one speaking another protocol version, will
    // not change by retrying: wind down instead of reconnecting.
    const bool wrong_version = auth.status().code() == ErrorCode::kUsage;
    if (wrong_version ||
        auth.status().message().find("controller failed authentication") != std::string::npos) {
      shutdown_code_ = wrong_version ? 2 : 1;
      shutdown_bye_ = "";
      connector_->Stop();
      runner_->StopAll("the controller failed authentication");
      MaybeFinishShutdown();
    }
    return;
  }
  if (!build_warned_) {
    // Once per agent process: a reconnect to the same controller says nothing new.
    if (auto warning = BuildMismatchWarning("controller " + conn_->peer(), "agent",
                                            PeerVersion{m.version, m.sweep_version, m.build})) {
      build_warned_ = true;
      LogLine(log_, LogLevel::kWarn) << "agent: warning: " << *warning;
    }
  }
  Send(*auth);
}

void AgentSession::OnAuthOk(const AuthOkMsg& m) {
  authed_ = true;
  conn_->SetAuthenticated();
  connector_->ResetBackoff();
  lease_interval_s_ = m.lease_interval_s;
  LogLine(log_, LogLevel::kInfo, true)
      << "agent: connected to " << conn_->peer() << " as " << m.agent_id;
  ReadyMsg ready;
  ready.slots = slots_;
  ready.gpus = options_.gpus;
  ready.host = AgentHostFacts();
  for (auto& [id, h] : held_) {
    h.attached = false;
    if (!h.revoked) ready.running.push_back({h.trial_id, h.lease_id});
  }
  if (!ready.running.empty())
    LogLine(log_, LogLevel::kInfo)
        << "agent: asking to re-attach " << ready.running.size() << " trial(s)";
  Send(ready);
  ScheduleHeartbeat();
}

void AgentSession::OnAssign(const AssignMsg& m) {
  auto refuse = [&](const std::string& why, TrialEnd::Kind kind = TrialEnd::Kind::kSpawnFailed) {
    TrialEnd end;
    end.kind = kind;
    end.reason = why;
    end.started_at = end.ended_at = WallNow();
    Send(FinishedFromEnd(m.trial_id, m.lease_id, end));
  };
  // `stopped` with no pid, not a failure: the controller re-queues a trial that an
  // agent stopped unasked, without counting the attempt, and sends this agent no more.
  if (shutdown_code_) return refuse("the agent is shutting down", TrialEnd::Kind::kStopped);
  if (held_.count(m.trial_id))
    return refuse("trial '" + m.trial_id + "' is already running on this agent");
  TrialLaunch launch = LaunchFromAssign(m, options_.work_root, options_.python_client_dir);
  launch.trial_dir = options_.work_root + "/.sweep-agent/" + m.trial_dir;
  Held& h = held_[m.trial_id];
  h.trial_id = m.trial_id;
  h.lease_id = m.lease_id;
  h.attached = true;
  h.out.path = launch.trial_dir + "/stdout.log";
  h.err.path = launch.trial_dir + "/stderr.log";
  runner_->Start(launch);
  const pid_t pid = runner_->Pid(m.trial_id);
  LogLine(log_, LogLevel::kInfo) << "agent: trial " << m.trial_id << ": " << launch.argv[0]
                                 << (pid > 0 ? " started, pid " + std::to_string(pid)
                                             : std::string(" failed to start"));
  if (pid > 0) {
    h.pid = pid;
    Send(StartedMsg{m.trial_id, m.lease_id, pid, WallNow()});
  }
}

void AgentSession::OnStop(const StopMsg& m) {
  if (Find(m.trial_id, m.lease_id)) runner_->Stop(m.trial_id, m.reason);
}

void AgentSession::OnLeaseRenewed(const LeaseRenewedMsg& m) {
  for (const std::string& lease : m.revoked) {
    for (auto& [id, h] : held_) {
      if (h.lease_id == lease && !h.revoked) {
        Revoke(id, "lease " + lease + " was revoked by the controller");
        break;
      }
    }
  }
}

void AgentSession::OnAttach(const std::string& trial_id, const std::string& lease_id, bool ok,
                            const std::string& reason) {
  Held* h = Find(trial_id, lease_id);
  if (!h || h->revoked) return;
  if (!ok) return Revoke(trial_id, "re-attach refused: " + reason);
  LogLine(log_, LogLevel::kInfo) << "agent: trial " << trial_id << " re-attached";
  h->attached = true;
  FlushPending(*h);
}

void AgentSession::OnBye(const ByeMsg& m) {
  if (m.code == kByeProtocolVersion && !authed_ && !shutdown_code_) {
    // Another protocol version does not change by reconnecting: say why and exit 2,
    // as for a mismatch this agent finds in a challenge.
    LogLine(log_, LogLevel::kError, true)
        << "agent: the controller refused this agent: " << m.reason;
    shutdown_code_ = 2;
    shutdown_bye_ = "";
    connector_->Stop();
    runner_->StopAll("the controller speaks another protocol version");
    MaybeFinishShutdown();
    if (conn_) conn_->Close(Status::Usage(m.reason));
    return;
  }
  LogLine(log_, LogLevel::kInfo, true)
      << "agent: the controller said bye"
      << (m.reason.empty() ? std::string() : " (" + m.reason + ")");
  if (m.reason == kByeSweepFinished && options_.exit_when_done && !shutdown_code_) {
    shutdown_code_ = 0;
    shutdown_bye_ = "";
    connector_->Stop();
    runner_->StopAll(kByeSweepFinished);
    MaybeFinishShutdown();
  }
  if (conn_) conn_->Close(Status::Io("the controller said bye"));
}

void AgentSession::OnClosed(const std::shared_ptr<Connection>& conn, const Status& why) {
  if (conn != conn_) return;
  const bool was_authed = authed_;
  conn_.reset();
  handshake_.reset();
  authed_ = false;
  heartbeat_timer_.cancel();
  for (auto& [id, h] : held_) h.attached = false;
  if (exiting_) return io_.stop();
  if (shutdown_code_) return MaybeFinishShutdown();
  if (was_authed || !held_.empty())
    LogLine(log_, LogLevel::kWarn) << "agent: connection lost (" << why.message() << "); "
                                   << held_.size() << " trial(s) keep running";
  connector_->Reconnect();
}

AgentSession::Held* AgentSession::Find(const std::string& trial_id, const std::string& lease_id) {
  auto it = held_.find(trial_id);
  return it != held_.end() && it->second.lease_id == lease_id ? &it->second : nullptr;
}

void AgentSession::Send(const Message& m) {
  if (!conn_ || !conn_->open()) return;
  const Status st = conn_->Send(m);
  // Too large: FinishedFromEnd fits its frames, so only a pathological metrics batch
  // gets here; the connection stays usable.
  if (!st.ok() && conn_ && conn_->open())
    LogLine(log_, LogLevel::kWarn)
        << "agent: cannot send " << MessageTypeName(TypeOf(m)) << ": " << st.message();
}

void AgentSession::ScheduleHeartbeat() {
  heartbeat_timer_.expires_after(Seconds(lease_interval_s_));
  heartbeat_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || !Ready()) return;
    if (SecondsSince(last_rx_) > 3 * lease_interval_s_) {
      return conn_->Close(Status::Io("nothing received from the controller for " +
                                     std::to_string(3 * lease_interval_s_) + " s"));
    }
    HeartbeatMsg hb;
    hb.sent_at = WallNow();
    for (const auto& [id, h] : held_)
      if (!h.revoked) hb.lease_ids.push_back(h.lease_id);
    Send(hb);
    ScheduleHeartbeat();
  });
}

void AgentSession::ScheduleTick() {
  tick_timer_.expires_after(Seconds(options_.log_poll_s));
  tick_timer_.async_wait([this](boost::system::error_code ec) {
    if (ec || exiting_) return;
    Tick();
    ScheduleTick();
  });
}

void AgentSession::Tick() {
  const bool sending = Ready() && conn_->queued_bytes() < kMaxQueuedForLogs;
  for (auto& [id, h] : held_) {
    if (!h.running || h.revoked) continue;
    // Detached trials keep reading into their bounded buffer; attached ones read
    // only while the connection drains, so a slow link never piles up output here.
    if (!h.attached || sending) ReadLogs(h, kLogBytesPerTick, false);
  }
  if (Ready() || runner_->running() > 0) idle_since_ = Clock::now();
  if (!shutdown_code_ && SecondsSince(idle_since_) >= options_.give_up_after_s) {
    LogLine(log_, LogLevel::kError, true)
        << "agent: gave up: no controller at " << options_.host << ":" << options_.port << " for "
        << options_.give_up_after_s << " s and no trial running";
    Exit(3, "");
  }
}

void AgentSession::WaitSignal() {
  signals_.async_wait([this](boost::system::error_code ec, int sig) {
    if (ec) return;
    if (shutdown_code_ == 130) {
      LogLine(log_, LogLevel::kWarn, true) << "agent: second signal: killing the trials";
      for (auto& [id, h] : held_)
        if (h.running) runner_->Kill(id);
    } else {
      LogLine(log_, LogLevel::kWarn, true) << "agent: " << (sig == SIGINT ? "SIGINT" : "SIGTERM")
                                           << ": stopping " << runner_->running() << " trial(s)";
      shutdown_code_ = 130;
      shutdown_bye_ = "agent interrupted";
      connector_->Stop();
      runner_->StopAll("agent interrupted");
      ReportDeferredEnds();
      MaybeFinishShutdown();
    }
    WaitSignal();
  });
}

void AgentSession::MaybeFinishShutdown() {
  if (!shutdown_code_ || exiting_ || runner_->running() > 0 || !deferred_ends_.empty()) return;
  // Posted so that a finished just sent from on_end is queued before the bye.
  boost::asio::post(io_, [this] {
    if (!exiting_) Exit(*shutdown_code_, shutdown_bye_);
  });
}

void AgentSession::Exit(int code, const std::string& bye_reason) {
  exiting_ = true;
  exit_code_ = code;
  connector_->Stop();
  heartbeat_timer_.cancel();
  tick_timer_.cancel();
  deferred_timer_.cancel();
  boost::system::error_code ec;
  signals_.cancel(ec);
  if (code == 0) LogLine(log_, LogLevel::kInfo, true) << "agent: the sweep is finished; exiting";
  if (!Ready()) {
    if (conn_) conn_->Close(Status::Io("agent exiting"));
    return io_.stop();
  }
  if (!bye_reason.empty()) Send(ByeMsg{bye_reason});
  conn_->CloseAfterFlush(Status::Io("agent exiting"));
  // A controller that stops reading must not keep the agent alive.
  exit_timer_.expires_after(std::chrono::seconds(5));
  exit_timer_.async_wait([this](boost::system::error_code e) {
    if (!e) io_.stop();
  });
}

}  // namespace sweep

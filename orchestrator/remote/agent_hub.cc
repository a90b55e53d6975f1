// AgentHub: connections, the handshake and message dispatch (leases and slots are in
// agent_hub_leases.cc).
//
// Each accepted connection becomes a Session that walks hello -> challenge -> auth ->
// auth_ok with its own ControllerHandshake; anything out of order, a message that does
// not decode, or a message only a controller sends closes that connection alone, with
// an event line. Once authenticated, a session is bound to the Agent of its hello's
// agent_name: one Agent per name for the hub's life, so a reconnect keeps its id
// ("a1", "a2", ... in order of first appearance), its pause and its leases, and a newer
// session of a name closes the older one. Sessions are looked up by id from every
// handler, so a handler that fires after its session was dropped does nothing, and
// every handler also checks a weak copy of alive_, so none touches a destroyed hub.
// Callbacks are posted (Post), except on_attach, which needs an answer and is called
// from the ready frame's handler, never from inside a public method.
#include "orchestrator/remote/agent_hub.h"

#include <boost/asio/post.hpp>
#include <chrono>
#include <cmath>
#include <cstdio>

#include "orchestrator/remote/agent_hub_impl.h"

namespace sweep {

std::string HubSeconds(double s) {
  char buf[32];
  if (std::fabs(s - std::round(s)) < 1e-9 || s >= 10) {
    std::snprintf(buf, sizeof buf, "%.0fs", s);
  } else {
    std::snprintf(buf, sizeof buf, "%.1fs", s);
  }
  return buf;
}

AgentHub::Impl::Impl(boost::asio::io_context& io, AuthToken token, AgentHubOptions options,
                     AgentHubCallbacks callbacks)
    : io_(io),
      token_(std::move(token)),
      options_(std::move(options)),
      callbacks_(std::move(callbacks)),
      clock_(options_.clock ? *options_.clock : RealClock()),
      expiry_timer_(io) {}

void AgentHub::Impl::Post(std::function<void()> f) {
  boost::asio::post(io_, [alive = std::weak_ptr<int>(alive_), f = std::move(f)]() {
    if (!alive.expired()) f();
  });
}

void AgentHub::Impl::PostEvent(std::string line) {
  Post([this, line = std::move(line)] {
    if (callbacks_.on_event) callbacks_.on_event(line);
  });
}

void AgentHub::Impl::PostAgent(const Agent& a) {
  Post([this, info = a.info] {
    if (callbacks_.on_agent) callbacks_.on_agent(info);
  });
}

void AgentHub::Impl::PostCapacity() {
  Post([this] {
    if (callbacks_.on_capacity) callbacks_.on_capacity();
  });
}

std::string AgentHub::Impl::Describe(const Agent& a) const {
  return "agent " + a.info.id + " (" + a.info.host + ")";
}

void AgentHub::Impl::OnAccept(std::shared_ptr<Connection> conn) {
  if (closed_) {
    conn->Close(Status::Io("the sweep is over"));
    return;
  }
  auto s = std::make_unique<Session>();
  s->id = next_session_++;
  s->conn = conn;
  s->handshake = std::make_unique<ControllerHandshake>(token_, options_.controller_name);
  const uint64_t id = s->id;
  sessions_[id] = std::move(s);
  std::weak_ptr<int> alive = alive_;
  conn->Start(
      [this, alive, id](Frame f) {
        if (!alive.expired()) OnFrame(id, std::move(f));
      },
      [this, alive, id](const Status& why) {
        if (!alive.expired()) OnClose(id, why);
      });
}

void AgentHub::Impl::ProtocolError(Session& s, const std::string& what) {
  const std::string who = s.agent ? Describe(*s.agent) : "connection from " + s.conn->peer();
  PostEvent(who + ": protocol error: " + what + "; connection closed");
  s.reported = true;
  (void)s.conn->Send(ByeMsg{"protocol error: " + what});
  s.conn->CloseAfterFlush(Status::Io("protocol error: " + what));
}

void AgentHub::Impl::OnFrame(uint64_t session_id, Frame frame) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  Session& s = *it->second;
  if (!s.conn->open()) return;
  Result<Message> decoded = DecodeMessage(frame);
  if (!decoded.ok()) {
    // A hello of another protocol version may not decode as ours: name the versions
    // rather than the first field that differs.
    if (s.state == Session::State::kAwaitHello) {
      if (auto peer = PeekPeerVersion(frame); peer && peer->protocol != kProtocolVersion) {
        return RefuseVersion(s, "", ProtocolMismatchMessage("agent", "controller", *peer));
      }
    }
    return ProtocolError(s, decoded.status().message());
  }
  Message& m = *decoded;
  if (s.state == Session::State::kAwaitHello) {
    if (auto* hello = std::get_if<HelloMsg>(&m)) return HandleHello(s, *hello);
    return ProtocolError(s, std::string("expected hello, got ") + MessageTypeName(frame.type));
  }
  if (s.state == Session::State::kAwaitAuth) {
    if (auto* auth = std::get_if<AuthMsg>(&m)) return HandleAuth(s, *auth);
    return ProtocolError(s, std::string("expected auth, got ") + MessageTypeName(frame.type));
  }
  s.agent->last_frame = Now();
  if (auto* ready = std::get_if<ReadyMsg>(&m)) return HandleReady(s, *ready);
  if (auto* hb = std::get_if<HeartbeatMsg>(&m)) return HandleHeartbeat(s, *hb);
  if (auto* st = std::get_if<StartedMsg>(&m)) {
    Lease* lease = CurrentLease(s, st->trial_id, st->lease_id);
    if (!lease) return;
    lease->pid = st->pid;
    Post([this, trial = st->trial_id, pid = st->pid, at = st->started_at] {
      if (callbacks_.on_started) callbacks_.on_started(trial, pid, at);
    });
    return;
  }
  if (auto* mm = std::get_if<MetricsMsg>(&m)) {
    if (!CurrentLease(s, mm->trial_id, mm->lease_id)) return;
    Post([this, trial = mm->trial_id, points = std::move(mm->points)]() mutable {
      if (callbacks_.on_metrics) callbacks_.on_metrics(trial, std::move(points));
    });
    return;
  }
  if (auto* log = std::get_if<LogMsg>(&m)) {
    if (!CurrentLease(s, log->trial_id, log->lease_id)) return;
    Post([this, trial = log->trial_id, stream = log->stream, offset = log->offset,
          data = std::move(log->data)] {
      if (callbacks_.on_log) callbacks_.on_log(trial, stream, offset, data);
    });
    return;
  }
  if (auto* fin = std::get_if<FinishedMsg>(&m)) return HandleFinished(s, *fin);
  if (auto* bye = std::get_if<ByeMsg>(&m)) {
    s.conn->Close(Status::Io("the agent said bye" +
                             (bye->reason.empty() ? std::string() : ": " + bye->reason)));
    return;
  }
  ProtocolError(s, std::string("unexpected ") + MessageTypeName(frame.type) + " from an agent");
}

void AgentHub::Impl::HandleHello(Session& s, const HelloMsg& hello) {
  if (hello.agent_name.empty()) return ProtocolError(s, "hello.agent_name: must not be empty");
  Result<ChallengeMsg> challenge = s.handshake->OnHello(hello);
  if (!challenge.ok()) return RefuseVersion(s, hello.agent_name, challenge.status().message());
  s.agent_name = hello.agent_name;
  s.version = PeerVersion{hello.version, hello.sweep_version, hello.build};
  s.state = Session::State::kAwaitAuth;
  s.handshake_host = hello.host;
  (void)s.conn->Send(*challenge);
}

void AgentHub::Impl::RefuseVersion(Session& s, const std::string& name,
                                   const std::string& message) {
  // The agent prints the bye's reason and exits instead of reconnecting (its code).
  s.reported = true;
  PostEvent((name.empty() ? std::string("an agent") : "agent '" + name + "'") + " at " +
            s.conn->peer() + " refused: " + message);
  (void)s.conn->Send(ByeMsg{message, kByeProtocolVersion});
  s.conn->CloseAfterFlush(Status::Usage(message));
}

void AgentHub::Impl::HandleAuth(Session& s, const AuthMsg& auth) {
  const Status st = s.handshake->OnAuth(auth);
  if (!st.ok()) {
    // Never echo the proof or anything derived from the token.
    s.reported = true;
    PostEvent("agent at " + s.conn->peer() + " failed authentication");
    (void)s.conn->Send(ByeMsg{"authentication failed"});
    s.conn->CloseAfterFlush(Status::Io("authentication failed"));
    return;
  }
  s.conn->SetAuthenticated();
  s.state = Session::State::kActive;
  Agent* a = nullptr;
  if (auto it = by_name_.find(s.agent_name); it != by_name_.end()) {
    a = it->second;
  } else {
    agents_.push_back(std::make_unique<Agent>());
    a = agents_.back().get();
    a->info.id = "a" + std::to_string(agents_.size());
    a->info.name = s.agent_name;
    by_name_[s.agent_name] = a;
  }
  if (a->session != 0) {
    // The same agent dialled again (its old link may be half-dead): the newest wins.
    if (auto old = sessions_.find(a->session); old != sessions_.end()) {
      old->second->reported = true;
      old->second->conn->Close(Status::Io("replaced by a new connection from " + s.conn->peer()));
    }
  }
  s.agent = a;
  a->session = s.id;
  a->ready = false;
  a->info.host = s.handshake_host;
  a->info.peer = s.conn->peer();
  a->info.connected = true;
  a->info.connected_at = WallNow();
  a->last_frame = Now();
  (void)s.conn->Send(AuthOkMsg{a->info.id, options_.lease_interval_s, options_.lease_timeout_s});
  PostEvent(Describe(*a) + " connected from " + a->info.peer + " as '" + a->info.name + "'");
  if (!a->build_warned) {
    // Once per agent, not per reconnect: the controller's output stays readable.
    if (auto warning = BuildMismatchWarning(Describe(*a), "controller", s.version)) {
      a->build_warned = true;
      PostEvent("warning: " + *warning);
    }
  }
  // The agent itself is posted once its `ready` gives its slots and GPUs: posted
  // here, the controller would log and record it with 0 slots.
}

void AgentHub::Impl::HandleReady(Session& s, const ReadyMsg& ready) {
  Agent& a = *s.agent;
  if (a.ready) return ProtocolError(s, "ready sent twice");
  a.ready = true;
  a.draining = false;
  a.info.gpus = ready.gpus;
  a.info.facts = ready.host.is_object() ? ready.host : Value::object();
  SetSlots(a, ready);
  PostAgent(a);
  AnswerRunning(s, ready.running);
  PostCapacity();
}

void AgentHub::Impl::HandleHeartbeat(Session& s, const HeartbeatMsg& hb) {
  Agent& a = *s.agent;
  LeaseRenewedMsg reply;
  const auto now = Now();
  const auto timeout = std::chrono::duration_cast<HubClock::duration>(
      std::chrono::duration<double>(options_.lease_timeout_s));
  for (const std::string& id : hb.lease_ids) {
    auto t = trial_of_lease_.find(id);
    Lease* lease = nullptr;
    if (t != trial_of_lease_.end()) {
      auto l = leases_.find(t->second);
      if (l != leases_.end() && l->second.agent == &a) lease = &l->second;
    }
    if (lease) {
      lease->expiry = now + timeout;
      lease->renewed = now;
      reply.renewed.push_back(id);
    } else {
      reply.revoked.push_back(id);
    }
  }
  a.info.last_heartbeat = WallNow();
  (void)s.conn->Send(reply);
  PostAgent(a);
}

void AgentHub::Impl::OnClose(uint64_t session_id, const Status& why) {
  auto it = sessions_.find(session_id);
  if (it == sessions_.end()) return;
  std::unique_ptr<Session> s = std::move(it->second);
  sessions_.erase(it);
  if (!s->agent) {
    if (!s->reported && s->state != Session::State::kAwaitHello) {
      PostEvent("connection from " + s->conn->peer() +
                " closed before authentication: " + why.message());
    } else if (!s->reported && why.message().find("connection closed by") == std::string::npos) {
      // Garbage, an oversized length or a timeout before the hello; a bare connect
      // and close (a port probe) is not worth a line.
      PostEvent("connection from " + s->conn->peer() + " closed: " + why.message());
    }
    return;
  }
  Agent& a = *s->agent;
  if (a.session != session_id) return;  // replaced by a newer session
  a.session = 0;
  a.ready = false;
  a.info.connected = false;
  if (!s->reported) {
    PostEvent(Describe(a) + " disconnected: " + why.message());
  }
  PostAgent(a);
  PostCapacity();
}

Result<std::unique_ptr<AgentHub>> AgentHub::Listen(boost::asio::io_context& io, AuthToken token,
                                                   AgentHubOptions options,
                                                   AgentHubCallbacks callbacks) {
  if (!(options.lease_interval_s > 0) || !(options.lease_timeout_s > options.lease_interval_s)) {
    return Status::Usage("the lease timeout must exceed the lease interval, which must be > 0");
  }
  options.connection.idle_timeout_s = 3 * options.lease_interval_s;
  auto impl = std::make_unique<Impl>(io, std::move(token), options, std::move(callbacks));
  Impl* raw = impl.get();
  std::weak_ptr<int> alive = impl->alive_;
  Result<std::unique_ptr<Server>> server =
      Server::Listen(io, options.host, options.port, options.connection,
                     [raw, alive](std::shared_ptr<Connection> c) {
                       if (alive.expired()) {
                         c->Close(Status::Io("the controller is gone"));
                         return;
                       }
                       raw->OnAccept(std::move(c));
                     });
  if (!server.ok()) return server.status();
  impl->server_ = std::move(server).value();
  impl->ArmExpiryTimer();
  return std::unique_ptr<AgentHub>(new AgentHub(std::move(impl)));
}

AgentHub::AgentHub(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

AgentHub::~AgentHub() {
  impl_->alive_.reset();  // nothing posted or pending calls back any more
  impl_->server_->Close();
  impl_->expiry_timer_.cancel();
  for (auto& [id, s] : impl_->sessions_) s->conn->Close(Status::Io("the controller shut down"));
}

uint16_t AgentHub::port() const { return impl_->server_->port(); }

void AgentHub::Close(const std::string& reason) {
  if (impl_->closed_) return;
  impl_->closed_ = true;
  impl_->server_->Close();
  impl_->expiry_timer_.cancel();
  for (auto& [id, s] : impl_->sessions_) {
    if (s->state == Impl::Session::State::kActive) {
      (void)s->conn->Send(ByeMsg{reason});
      s->conn->CloseAfterFlush(Status::Io("the controller said bye: " + reason));
    } else {
      s->conn->Close(Status::Io("the controller is closing"));
    }
  }
}

std::vector<AgentInfo> AgentHub::Agents() const {
  std::vector<AgentInfo> out;
  for (const auto& a : impl_->agents_) out.push_back(a->info);
  return out;
}

uint64_t AgentHub::stale_messages() const { return impl_->stale_; }

}  // namespace sweep

// The controller's side of executors and remote agents: the events every executor
// reports through (ExecutorEvents), listening for agents, the agents table, and
// re-attachment after a restart.
//
// Trials on agents run through the RemoteExecutor like local ones through the
// LocalExecutor (controller_loop.cc never asks which). What is left here is about
// agents themselves: their rows in the store, and trials that were running remotely
// when the previous controller died. Those are "detached": their agent may re-attach
// them (the hub asks OnAttach) within one lease timeout; those not re-attached by
// then are lost and re-queued.
#include "agents/protocol/host_port.h"
#include "orchestrator/controller/controller_impl.h"

namespace sweep {

ExecutorEvents Controller::Impl::Events() {
  ExecutorEvents ev;
  ev.on_capacity = [this] { Schedule(); };
  ev.on_started = [this](const std::string& id, int64_t pid, double at) { OnStarted(id, pid, at); };
  ev.on_metrics = [this](const std::string& id, std::vector<ParsedPoint> points) {
    OnMetrics(id, std::move(points));
  };
  ev.on_end = [this](const std::string& id, const TrialEnd& end, EndCause cause) {
    OnEnd(id, end, cause);
  };
  ev.on_exited = [this](const std::string& id) { OnExited(id); };
  return ev;
}

Status Controller::Impl::Listen() {
  const ListenOptions& l = *options_.listen;
  RemoteEvents re;
  re.on_agent = [this](const AgentInfo& a) { OnAgent(a); };
  re.on_attach = [this](const AgentInfo& a, const std::string& trial, const std::string& lease) {
    return OnAttach(a, trial, lease);
  };
  re.on_event = [this](const std::string& line) { display_.Log(line, true); };
  auto remote = RemoteExecutor::Listen(io_, l, sweep_.id, "sweep-" + sweep_.id + "@" + host_,
                                       spec_.gpus_per_trial, clock_, Events(), std::move(re));
  if (!remote.ok()) return remote.status();
  remote_ = remote.value().get();
  executors_.push_back(std::move(remote.value()));
  // Bound to every interface: agents dial this machine by its name.
  bool any = l.host == "0.0.0.0" || l.host == "::";
  std::string address = FormatHostPort(any ? host_ : l.host, remote_->port());
  display_.Log("listening for agents on " + address + "; on each GPU node run:", true);
  display_.Log("  sweep agent " + address + " --token-file " + l.token_file +
                   (l.tls_cert.empty() ? "" : " --tls-ca " + l.tls_cert),
               true);
  sweep_.options.listen = FormatHostPort(l.host, remote_->port());  // where resume binds
  batch_.sweeps.push_back(sweep_);
  if (l.on_listening) l.on_listening(address);
  return Status::Ok();
}

void Controller::Impl::OnAgent(const AgentInfo& a) {
  AgentRecord r;
  r.sweep_id = sweep_.id;
  r.id = a.id;
  r.name = a.name;
  r.host = a.host;
  r.peer = a.peer;
  r.slots = a.slots;
  r.gpus = a.gpus;
  r.facts = a.facts;
  r.running = a.running;
  r.finished = a.finished;
  r.connected = a.connected;
  r.connected_at = a.connected_at;
  r.last_heartbeat = a.last_heartbeat;
  r.paused = a.paused;
  batch_.agents.push_back(std::move(r));
  auto [it, fresh] = agent_connected_.emplace(a.id, a.connected);
  if (fresh || it->second != a.connected) {
    it->second = a.connected;
    if (a.connected) {
      std::string gpus;
      for (const std::string& g : a.gpus) gpus += (gpus.empty() ? "" : ",") + g;
      display_.Log("agent " + a.id + " (" + a.name + ") connected from " + a.peer + ": " +
                       std::to_string(a.slots) + " slot(s)" +
                       (gpus.empty() ? "" : ", GPUs " + gpus),
                   true);
    } else if (!fresh) {
      display_.Log("agent " + a.id + " (" + a.name +
                       ") disconnected; its trials keep their "
                       "leases until they expire",
                   true);
    }
  }
  if (!a.paused.empty() && agent_paused_[a.id] != a.paused) {
    agent_paused_[a.id] = a.paused;
    display_.Log("warning: agent " + a.id + " (" + a.name + ") paused: " + a.paused, true);
  }
}

// Resume: a trial that ran on an agent when the controller died is kept for its
// agent to re-attach instead of being marked lost at once.
bool Controller::Impl::Detach(TrialRecord& rec) {
  if (!remote_ || rec.lease_id.empty()) return false;
  auto config = spec_.space.FromFlat(rec.params);
  if (!config.ok()) return false;
  Detached d;
  d.rec = rec;
  d.config = config.value();
  // An agent retrying with back-off may take up to its cap (30 s) to notice the new
  // controller, so it gets that long on top of a lease timeout.
  d.deadline = Now() + options_.listen->lease_timeout_s + 30;
  detached_.emplace(rec.id, std::move(d));
  return true;
}

bool Controller::Impl::OnAttach(const AgentInfo& agent, const std::string& trial_id,
                                const std::string& lease_id) {
  auto it = detached_.find(trial_id);
  if (it == detached_.end() || it->second.rec.lease_id != lease_id || finished_) return false;
  Running rt;
  rt.rec = std::move(it->second.rec);
  rt.config = std::move(it->second.config);
  rt.exec = remote_;
  rt.summary = TrialSummary(spec_.max_metric_names, spec_.metric.name);
  detached_.erase(it);
  // The summary so far is in the store; the agent sends what came after.
  MetricQuery q;
  q.trial_id = trial_id;
  if (auto points = store_.GetMetrics(q); points.ok()) {
    for (const MetricPoint& p : points.value()) rt.summary.Add(p.name, p.step, p.value);
  }
  remote_->Adopt(rt.rec);
  rt.rec.agent = agent.name;
  rt.rec.host = agent.host;
  display_.Log("re-attached " + trial_id + " on agent " + agent.id + " (" + agent.name + ")", true);
  running_.emplace(trial_id, std::move(rt));
  return true;
}

// Detached trials whose agent did not come back within a lease timeout are lost.
void Controller::Impl::CheckDetached() {
  double now = Now();
  for (auto it = detached_.begin(); it != detached_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    Running rt;
    rt.rec = std::move(it->second.rec);
    rt.config = std::move(it->second.config);
    rt.exec = remote_;
    std::string id = rt.rec.id;
    it = detached_.erase(it);
    running_.emplace(id, std::move(rt));
    TrialEnd end;
    end.kind = TrialEnd::Kind::kStopped;
    end.exit.exit_code = -1;
    end.reason = "its agent did not re-attach it within the lease timeout after a restart";
    end.ended_at = now;
    OnEnd(id, end, EndCause::kLost);
  }
}

}  // namespace sweep

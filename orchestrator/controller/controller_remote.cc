// The controller's remote-agent side: the AgentHub's events turned into the same
// trial life cycle local slots use (controller_loop.cc), re-attachment after a
// restart, and the agents table.
//
// A remote trial differs from a local one only in where it runs: StartTrial builds
// the same TrialLaunch and hands it to the hub instead of the TrialRunner; metrics
// and the end come back through the hub's callbacks into OnMetrics and OnEnd. An
// expired lease becomes an end with status lost, which OnEnd re-queues exactly once
// per lease (bounded by max_retries, then failed). Log chunks are appended to the
// trial's folder in the store, so `sweep logs` reads remote trials like local ones.
// After a controller restart, trials that were running remotely are "detached":
// their agent may re-attach them (the hub asks OnAttach) within one lease timeout;
// those not re-attached by then are lost and re-queued.
#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <filesystem>

#include "agents/protocol/auth.h"
#include "agents/protocol/host_port.h"
#include "agents/protocol/tls.h"
#include "orchestrator/controller/controller_impl.h"

namespace sweep {
namespace asio = boost::asio;

namespace {

// Appends data at `offset` of a log file whose next expected offset is *next:
// overlapping bytes (a chunk sent twice across a reconnect) are skipped, a gap
// (chunks dropped while disconnected) is marked in the file.
void AppendChunk(const std::string& path, uint64_t offset, std::string_view data, uint64_t* next,
                 uint64_t max_bytes) {
  if (offset + data.size() <= *next) return;
  std::string out;
  if (offset > *next) {
    out = "\n[sweep: " + std::to_string(offset - *next) +
          " bytes of this log were dropped while the agent was disconnected]\n";
  } else {
    data.remove_prefix(*next - offset);
    offset = *next;
  }
  out.append(data);
  *next = offset + data.size();
  if (offset > max_bytes) return;  // past the cap the agent's own file keeps the tail
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  const char* p = out.data();
  size_t left = out.size();
  while (left > 0) {
    ssize_t n = ::write(fd, p, left);
    if (n <= 0) break;
    p += n;
    left -= static_cast<size_t>(n);
  }
  ::close(fd);
}

}  // namespace

Status Controller::Impl::StartHub() {
  const ListenOptions& l = *options_.listen;
  auto token = LoadTokenFile(l.token_file);
  if (!token.ok()) return token.status();
  AgentHubOptions ho;
  ho.host = l.host;
  ho.port = l.port;
  ho.controller_name = "sweep-" + sweep_.id + "@" + host_;
  ho.lease_interval_s = l.lease_interval_s;
  ho.lease_timeout_s = l.lease_timeout_s;
  ho.gpus_per_trial = std::max(1, spec_.gpus_per_trial);
  if (!l.tls_cert.empty()) {
    auto tls = MakeServerTls(l.tls_cert, l.tls_key);
    if (!tls.ok()) return tls.status();
    ho.connection.tls = tls.value();
  }
  AgentHubCallbacks cb;
  cb.on_capacity = [this] { Schedule(); };
  cb.on_agent = [this](const AgentInfo& a) { OnAgent(a); };
  cb.on_started = [this](const std::string& id, int64_t pid, double at) {
    OnRemoteStarted(id, pid, at);
  };
  cb.on_metrics = [this](const std::string& id, std::vector<ParsedPoint> points) {
    OnMetrics(id, std::move(points));
  };
  cb.on_log = [this](const std::string& id, const std::string& stream, uint64_t offset,
                     std::string_view data) { OnRemoteLog(id, stream, offset, data); };
  cb.on_end = [this](const std::string& id, const TrialEnd& end) { OnEnd(id, end); };
  cb.on_lost = [this](const std::string& id, const std::string& reason) { OnLost(id, reason); };
  cb.on_attach = [this](const AgentInfo& a, const std::string& trial, const std::string& lease) {
    return OnAttach(a, trial, lease);
  };
  cb.on_event = [this](const std::string& line) { display_.Log(line, true); };
  auto hub = AgentHub::Listen(io_, token.value(), ho, std::move(cb));
  if (!hub.ok()) return hub.status();
  hub_ = std::move(hub.value());
  // Bound to every interface: agents dial this machine by its name.
  bool any = l.host == "0.0.0.0" || l.host == "::";
  std::string address = FormatHostPort(any ? host_ : l.host, hub_->port());
  display_.Log("listening for agents on " + address + "; on each GPU node run:", true);
  display_.Log("  sweep agent " + address + " --token-file " + l.token_file +
                   (l.tls_cert.empty() ? "" : " --tls-ca " + l.tls_cert),
               true);
  sweep_.options["listen"] = FormatHostPort(l.host, hub_->port());  // where resume binds
  batch_.sweeps.push_back(sweep_);
  if (l.on_listening) l.on_listening(address);
  return Status::Ok();
}

bool Controller::Impl::HasFreeSlot() const { return FreeCapacity() > 0; }

size_t Controller::Impl::FreeCapacity() const {
  size_t n = free_slots_.size();
  if (hub_) n += hub_->FreeSlots().size();
  return n;
}

int Controller::Impl::RemoteSlots() const {
  if (!hub_) return 0;
  int n = 0;
  for (const AgentInfo& a : hub_->Agents())
    if (a.connected && a.paused.empty()) n += a.slots;
  return n;
}

void Controller::Impl::StartRemote(const std::string& id, const RemoteSlot& slot,
                                   const TrialLaunch& launch) {
  Running& rt = running_[id];
  rt.remote = true;
  TrialRecord& rec = rt.rec;
  rec.lease_id = RandomHex(12);
  rec.slot = slot.index;
  rec.gpus = slot.gpus.value_or("");
  Value placement = Value::object();
  placement["agent_id"] = slot.agent_id;
  for (const AgentInfo& a : hub_->Agents()) {
    if (a.id != slot.agent_id) continue;
    rec.agent = a.name;
    rec.host = a.host;
    placement["agent"] = a.name;
    placement["host"] = a.host;
    for (const char* key :
         {"slurm_job_id", "slurm_array_job_id", "slurm_array_task_id", "slurm_node"}) {
      if (a.facts.is_object() && a.facts.contains(key)) placement[key] = a.facts[key];
    }
  }
  if (slot.gpus) placement["gpus"] = *slot.gpus;
  rec.placement = placement;
  TrialLaunch remote = launch;
  remote.gpus = slot.gpus;
  std::string rel_dir = sweep_.id + "/" + id;
  Status s = hub_->Assign(slot, remote, rec.lease_id, rel_dir, "");
  batch_.trials.push_back(rec);
  if (!s.ok()) {
    // It never ran: re-queued without using up one of its retries.
    attempts_[rec.suggestion]--;
    std::string reason = "could not be sent to agent " + slot.agent_id + ": " + s.message();
    asio::post(io_, [this, id, reason] { OnLost(id, reason); });
  }
}

void Controller::Impl::OnRemoteStarted(const std::string& id, int64_t pid, double started_at) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.rec.pid = pid;
  if (started_at > 0) it->second.rec.started_at = started_at;
  batch_.trials.push_back(it->second.rec);
}

void Controller::Impl::OnRemoteLog(const std::string& id, const std::string& stream,
                                   uint64_t offset, std::string_view data) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  Running& rt = it->second;
  int which = stream == "stderr" ? 1 : 0;
  std::error_code ec;
  std::filesystem::create_directories(rt.rec.trial_dir, ec);
  AppendChunk(rt.rec.trial_dir + (which ? "/stderr.log" : "/stdout.log"), offset, data,
              &rt.log_next[which], 64ull << 20);
}

// An expired lease (or an assignment that could not be sent): the attempt ends as
// lost. OnEnd re-queues it, or fails it once it used up max_retries.
void Controller::Impl::OnLost(const std::string& id, const std::string& reason) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  it->second.stopping = true;
  it->second.stop_status = TrialStatus::kLost;
  it->second.stop_reason = reason;
  TrialEnd end;
  end.kind = TrialEnd::Kind::kStopped;
  end.exit.exit_code = -1;
  end.reason = reason;
  end.ended_at = NowSeconds();
  OnEnd(id, end);
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
  if (!options_.listen || rec.lease_id.empty()) return false;
  auto config = spec_.space.FromFlat(rec.params);
  if (!config.ok()) return false;
  Detached d;
  d.rec = rec;
  d.config = config.value();
  // An agent retrying with back-off may take up to its cap (30 s) to notice the new
  // controller, so it gets that long on top of a lease timeout.
  d.deadline = NowSeconds() + options_.listen->lease_timeout_s + 30;
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
  rt.remote = true;
  rt.summary = TrialSummary(spec_.max_metric_names, spec_.metric.name);
  detached_.erase(it);
  // The summary so far is in the store; the agent sends what came after.
  MetricQuery q;
  q.trial_id = trial_id;
  if (auto points = store_.GetMetrics(q); points.ok()) {
    for (const MetricPoint& p : points.value()) rt.summary.Add(p.name, p.step, p.value);
  }
  for (int which = 0; which < 2; ++which) {
    std::error_code ec;
    auto size =
        std::filesystem::file_size(rt.rec.trial_dir + (which ? "/stderr.log" : "/stdout.log"), ec);
    rt.log_next[which] = ec ? 0 : size;
  }
  rt.rec.agent = agent.name;
  rt.rec.host = agent.host;
  display_.Log("re-attached " + trial_id + " on agent " + agent.id + " (" + agent.name + ")", true);
  running_.emplace(trial_id, std::move(rt));
  return true;
}

// Detached trials whose agent did not come back within a lease timeout are lost.
void Controller::Impl::CheckDetached() {
  double now = NowSeconds();
  for (auto it = detached_.begin(); it != detached_.end();) {
    if (it->second.deadline > now) {
      ++it;
      continue;
    }
    Running rt;
    rt.rec = std::move(it->second.rec);
    rt.config = std::move(it->second.config);
    rt.remote = true;
    std::string id = rt.rec.id;
    it = detached_.erase(it);
    running_.emplace(id, std::move(rt));
    OnLost(id, "its agent did not re-attach it within the lease timeout after a restart");
  }
}

// Agents exit on "sweep finished"; after an interruption they keep reconnecting so
// that `sweep resume` finds them again.
void Controller::Impl::CloseHub(bool interrupted) {
  if (options_.listen && options_.listen->on_closing) options_.listen->on_closing();
  if (hub_)
    hub_->Close(interrupted ? "controller interrupted; `sweep resume " + sweep_.id + "` continues"
                            : std::string(kByeSweepFinished));
}

}  // namespace sweep

// RemoteExecutor: the AgentHub's trial events turned into Executor events.
//
// The executor remembers, per trial, whether the controller asked it to stop: a
// `finished` message reporting a stop nobody asked for means the agent shut down
// under the trial, which is not the trial's fault, so the attempt is reported lost
// (re-run) rather than stopped. Log chunks carry their byte offset in the stream, so
// a chunk sent twice across a reconnect is skipped and a gap (chunks dropped while
// disconnected) is marked in the file.
#include "orchestrator/controller/remote_executor.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/post.hpp>
#include <filesystem>

#include "agents/protocol/auth.h"
#include "agents/protocol/tls.h"

namespace sweep {
namespace {

constexpr uint64_t kMaxLogBytes = 64ull << 20;  // per stream; the agent's file keeps the rest

// Appends data at `offset` of a log file whose next expected offset is *next.
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
  // O_NOFOLLOW: the trial folder is the store's, but never write through a link.
  int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0644);
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

RemoteExecutor::RemoteExecutor(boost::asio::io_context& io, const ListenOptions& listen,
                               std::string sweep_id, ExecutorEvents events)
    : io_(io), listen_(listen), sweep_id_(std::move(sweep_id)), events_(std::move(events)) {}

Result<std::unique_ptr<RemoteExecutor>> RemoteExecutor::Listen(
    boost::asio::io_context& io, const ListenOptions& listen, const std::string& sweep_id,
    const std::string& controller_name, int gpus_per_trial, const Clock& clock,
    ExecutorEvents events, RemoteEvents remote_events) {
  auto token = LoadTokenFile(listen.token_file);
  if (!token.ok()) return token.status();
  AgentHubOptions ho;
  ho.host = listen.host;
  ho.port = listen.port;
  ho.controller_name = controller_name;
  ho.lease_interval_s = listen.lease_interval_s;
  ho.lease_timeout_s = listen.lease_timeout_s;
  ho.gpus_per_trial = std::max(1, gpus_per_trial);
  ho.clock = &clock;
  if (!listen.tls_cert.empty()) {
    auto tls = MakeServerTls(listen.tls_cert, listen.tls_key);
    if (!tls.ok()) return tls.status();
    ho.connection.tls = tls.value();
  }
  std::unique_ptr<RemoteExecutor> self(new RemoteExecutor(io, listen, sweep_id, std::move(events)));
  RemoteExecutor* me = self.get();
  me->clock_ = &clock;
  AgentHubCallbacks cb;
  cb.on_capacity = [me] {
    if (me->events_.on_capacity) me->events_.on_capacity();
  };
  me->on_agent_ = remote_events.on_agent;
  cb.on_agent = remote_events.on_agent;
  cb.on_started = [me](const std::string& id, int64_t pid, double at) {
    if (me->events_.on_started) me->events_.on_started(id, pid, at);
  };
  cb.on_metrics = [me](const std::string& id, std::vector<ParsedPoint> points) {
    if (me->events_.on_metrics) me->events_.on_metrics(id, std::move(points));
  };
  cb.on_log = [me](const std::string& id, const std::string& stream, uint64_t offset,
                   std::string_view data) { me->OnLog(id, stream, offset, data); };
  cb.on_end = [me](const std::string& id, const TrialEnd& end) { me->OnHubEnd(id, end); };
  cb.on_lost = [me](const std::string& id, const std::string& reason) {
    // The hub posted this already; report it straight away.
    TrialEnd end;
    end.kind = TrialEnd::Kind::kStopped;
    end.exit.exit_code = -1;
    end.reason = reason;
    end.ended_at = me->clock_->WallSeconds();
    if (me->events_.on_end) me->events_.on_end(id, end, EndCause::kLost);
  };
  cb.on_attach = remote_events.on_attach;
  cb.on_event = remote_events.on_event;
  auto hub = AgentHub::Listen(io, token.value(), ho, std::move(cb));
  if (!hub.ok()) return hub.status();
  self->hub_ = std::move(hub.value());
  return self;
}

void RemoteExecutor::Adopt(const TrialRecord& rec) {
  Trial& t = trials_[rec.id];
  t.trial_dir = rec.trial_dir;
  for (int which = 0; which < 2; ++which) {
    std::error_code ec;
    auto size =
        std::filesystem::file_size(rec.trial_dir + (which ? "/stderr.log" : "/stdout.log"), ec);
    t.log_next[which] = ec ? 0 : size;
  }
}

int RemoteExecutor::TotalSlots() const {
  int n = 0;
  for (const AgentInfo& a : hub_->Agents())
    if (a.connected && a.paused.empty()) n += a.slots;
  return n;
}

Placement RemoteExecutor::Take(TrialRecord& rec) {
  RemoteSlot slot = hub_->FreeSlots().front();
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
  taken_[rec.id] = slot;
  // The trial's folder on the agent is relative to the agent's work root, which is
  // the trial's working directory there.
  return Placement{".sweep-agent/" + sweep_id_ + "/" + rec.id + "/params.json"};
}

void RemoteExecutor::Start(const TrialRecord& rec, TrialLaunch launch) {
  auto it = taken_.find(rec.id);
  if (it == taken_.end()) return;
  RemoteSlot slot = it->second;
  taken_.erase(it);
  trials_[rec.id].trial_dir = rec.trial_dir;
  launch.gpus = slot.gpus;
  Status s = hub_->Assign(slot, launch, rec.lease_id, sweep_id_ + "/" + rec.id, "");
  if (!s.ok())
    PostLost(rec.id, "could not be sent to agent " + slot.agent_id + ": " + s.message(),
             EndCause::kNotStarted);
}

void RemoteExecutor::Stop(const std::string& trial_id, const std::string& reason, double grace_s) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) return;
  it->second.stop_requested = true;
  it->second.stop_reason = reason;
  hub_->Stop(trial_id, reason, grace_s);
}

void RemoteExecutor::Kill(const std::string& trial_id) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end()) return;
  std::string reason = it->second.stop_requested ? it->second.stop_reason : "killed";
  hub_->Forget(trial_id);
  PostLost(trial_id, reason, EndCause::kLost);
}

void RemoteExecutor::Release(const std::string& trial_id) {
  taken_.erase(trial_id);
  trials_.erase(trial_id);
}

std::string RemoteExecutor::Poll() { return listen_.on_poll ? listen_.on_poll() : ""; }

double RemoteExecutor::Close(bool interrupted) {
  if (on_agent_) {
    for (AgentInfo a : hub_->Agents()) {
      a.connected = false;
      on_agent_(a);
    }
  }
  if (listen_.on_closing) listen_.on_closing();
  hub_->Close(interrupted ? "controller interrupted; `sweep resume " + sweep_id_ + "` continues"
                          : std::string(kByeSweepFinished));
  return 0.3;  // the byes are queued writes: let them reach the agents
}

void RemoteExecutor::OnHubEnd(const std::string& id, const TrialEnd& end) {
  auto it = trials_.find(id);
  bool asked = it != trials_.end() && it->second.stop_requested;
  if (end.kind == TrialEnd::Kind::kStopped && !asked) {
    TrialEnd lost = end;
    lost.reason = "stopped on its agent: " + end.reason;
    // No pid: the agent refused the assignment (it was shutting down) and the trial
    // never ran, so the attempt does not count against max_retries.
    if (events_.on_end)
      events_.on_end(id, lost, end.pid == 0 ? EndCause::kNotStarted : EndCause::kLost);
    return;
  }
  // A clean exit on the agent, which sends `finished` only once it has read all of
  // the trial (points, provenance, artifacts): as a local slot's on_exited, the
  // controller may give the agent's slot its next trial before this end is committed.
  if (end.ok() && !asked && events_.on_exited) events_.on_exited(id);
  if (events_.on_end) events_.on_end(id, end, EndCause::kEnded);
}

void RemoteExecutor::OnLog(const std::string& id, const std::string& stream, uint64_t offset,
                           std::string_view data) {
  auto it = trials_.find(id);
  if (it == trials_.end()) return;
  Trial& t = it->second;
  int which = stream == "stderr" ? 1 : 0;
  std::error_code ec;
  std::filesystem::create_directories(t.trial_dir, ec);
  AppendChunk(t.trial_dir + (which ? "/stderr.log" : "/stdout.log"), offset, data,
              &t.log_next[which], kMaxLogBytes);
}

void RemoteExecutor::PostLost(const std::string& id, const std::string& reason, EndCause cause) {
  TrialEnd end;
  end.kind = TrialEnd::Kind::kStopped;
  end.exit.exit_code = -1;
  end.reason = reason;
  end.ended_at = clock_->WallSeconds();
  boost::asio::post(io_, [this, id, end, cause] {
    if (events_.on_end) events_.on_end(id, end, cause);
  });
}

}  // namespace sweep

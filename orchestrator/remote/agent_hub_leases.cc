// AgentHub: slots, leases, expiry and flapping (connections are in agent_hub.cc).
//
// A lease is the hub's record that one attempt of a trial runs on one agent. leases_
// holds the current lease of each trial; a message is accepted only when its trial
// and lease id match that record and it arrives from the lease's agent, so an attempt
// that was given up (expired, forgotten, finished) can never report into a newer one.
// Every lease that leaves leases_ goes to ended_leases_, which makes later heartbeats
// revoke it and a later re-attach be refused without asking the controller.
// Slots are indices into each agent's slot_trial; a lease holds one (or, when it was
// adopted after a controller restart and none was free, counts in overflow until a
// slot frees). Expiry is a periodic scan: at most a few hundred leases are current.
// Flapping counts failed ends of short runs per agent in a sliding window.
#include <algorithm>
#include <boost/asio/steady_timer.hpp>

#include "agents/protocol/trial_messages.h"
#include "orchestrator/remote/agent_hub.h"
#include "orchestrator/remote/agent_hub_impl.h"

namespace sweep {
namespace {

constexpr int kMaxSlotsPerAgent = 1024;  // a bogus ready must not allocate without bound

HubClock::duration ToDuration(double s) {
  return std::chrono::duration_cast<HubClock::duration>(std::chrono::duration<double>(s));
}

double ToSeconds(HubClock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string WhyFailed(const TrialEnd& end) {
  if (!end.reason.empty()) return end.reason;
  if (end.kind == TrialEnd::Kind::kExited)
    return "exited with code " + std::to_string(end.exit.exit_code);
  if (end.kind == TrialEnd::Kind::kSignaled)
    return "killed by signal " + std::to_string(end.exit.signal);
  return TrialEndKindName(end.kind);
}

}  // namespace

AgentHub::Impl::Session* AgentHub::Impl::SessionOf(const Agent& a) {
  if (a.session == 0) return nullptr;
  auto it = sessions_.find(a.session);
  return it == sessions_.end() ? nullptr : it->second.get();
}

void AgentHub::Impl::Renew(Lease& lease) {
  lease.renewed = Now();
  lease.expiry = lease.renewed + ToDuration(options_.lease_timeout_s);
}

void AgentHub::Impl::SetSlots(Agent& a, const ReadyMsg& ready) {
  const int per = options_.gpus_per_trial;
  int n = ready.slots;
  std::vector<std::optional<std::string>> gpus;
  if (!ready.gpus.empty() && per > 0) {
    const int by_gpu =
        static_cast<int>(std::min<size_t>(ready.gpus.size() / per, kMaxSlotsPerAgent));
    n = ready.slots > 0 ? std::min(ready.slots, by_gpu) : by_gpu;
    if (by_gpu == 0) {
      PostEvent(Describe(a) + " lists " + std::to_string(ready.gpus.size()) +
                " GPU(s) but each trial needs " + std::to_string(per) + ": no slots");
    }
    for (int k = 0; k < n; ++k) {
      std::string joined;
      for (int g = k * per; g < (k + 1) * per; ++g) {
        if (!joined.empty()) joined += ",";
        joined += ready.gpus[g];
      }
      gpus.emplace_back(std::move(joined));
    }
  } else {
    if (n > kMaxSlotsPerAgent) {
      PostEvent(Describe(a) + " offers " + std::to_string(n) + " slots; using " +
                std::to_string(kMaxSlotsPerAgent));
      n = kMaxSlotsPerAgent;
    }
    gpus.assign(n, std::nullopt);
  }
  a.info.slots = n;
  a.slot_gpus = std::move(gpus);
  a.slot_trial.assign(n, "");
  a.overflow = 0;
  // Leases it still holds keep their slot where it still exists, then take free ones.
  std::vector<Lease*> moved;
  for (auto& [trial, lease] : leases_) {
    if (lease.agent != &a) continue;
    if (lease.slot >= 0 && lease.slot < n && a.slot_trial[lease.slot].empty()) {
      a.slot_trial[lease.slot] = trial;
    } else {
      moved.push_back(&lease);
    }
  }
  for (Lease* lease : moved) {
    lease->slot = -1;
    TakeSlot(*lease, -1);
  }
}

void AgentHub::Impl::TakeSlot(Lease& lease, int preferred) {
  Agent& a = *lease.agent;
  const int n = static_cast<int>(a.slot_trial.size());
  int slot = -1;
  if (preferred >= 0 && preferred < n && a.slot_trial[preferred].empty()) {
    slot = preferred;
  } else {
    for (int k = 0; k < n && slot < 0; ++k) {
      if (a.slot_trial[k].empty()) slot = k;
    }
  }
  lease.slot = slot;
  if (slot >= 0) {
    a.slot_trial[slot] = lease.trial_id;
  } else {
    ++a.overflow;
  }
}

void AgentHub::Impl::ReleaseSlot(Lease& lease) {
  Agent& a = *lease.agent;
  if (lease.slot < 0) {
    a.overflow = std::max(0, a.overflow - 1);
    return;
  }
  const int freed = lease.slot;
  if (freed < static_cast<int>(a.slot_trial.size())) a.slot_trial[freed] = "";
  lease.slot = -1;
  if (a.overflow == 0) return;
  // An adopted trial beyond the agent's slots takes the freed one: the agent is still full.
  for (auto& [trial, other] : leases_) {
    if (other.agent == &a && other.slot < 0 && &other != &lease) {
      --a.overflow;
      other.slot = freed;
      a.slot_trial[freed] = trial;
      return;
    }
  }
}

void AgentHub::Impl::EndLease(const std::string& trial_id) {
  auto it = leases_.find(trial_id);
  if (it == leases_.end()) return;
  Lease& lease = it->second;
  ReleaseSlot(lease);
  lease.agent->info.running = std::max(0, lease.agent->info.running - 1);
  trial_of_lease_.erase(lease.lease_id);
  ended_leases_.insert(lease.lease_id);
  leases_.erase(it);
}

bool AgentHub::Impl::AnswerKnown(Session& s, const RunningTrial& r) {
  const auto refuse = [&] {
    (void)s.conn->Send(AttachRefusedMsg{r.trial_id, r.lease_id, "re-queued"});
    return true;
  };
  if (ended_leases_.count(r.lease_id)) return refuse();
  auto it = leases_.find(r.trial_id);
  if (it == leases_.end()) return trial_of_lease_.count(r.lease_id) ? refuse() : false;
  Lease& lease = it->second;
  if (lease.lease_id != r.lease_id || lease.agent != s.agent) return refuse();
  Renew(lease);
  (void)s.conn->Send(AttachOkMsg{r.trial_id, r.lease_id});
  // A stop asked for while the agent was away still applies.
  if (lease.stop_requested) {
    (void)s.conn->Send(
        StopMsg{lease.trial_id, lease.lease_id, lease.stop_reason, lease.stop_grace_s});
  }
  return true;
}

void AgentHub::Impl::AnswerRunning(Session& s, const std::vector<RunningTrial>& running) {
  std::vector<RunningTrial> unknown;
  for (const RunningTrial& r : running) {
    if (!AnswerKnown(s, r)) unknown.push_back(r);
  }
  for (const RunningTrial& r : unknown) {
    // on_attach may call back into the hub (or an earlier answer adopted a duplicate):
    // look everything up again each time.
    if (AnswerKnown(s, r)) continue;
    Agent& a = *s.agent;
    const bool adopt = !closed_ && a.session == s.id && callbacks_.on_attach &&
                       callbacks_.on_attach(a.info, r.trial_id, r.lease_id);
    if (!adopt || AnswerKnown(s, r)) {
      if (!adopt) (void)s.conn->Send(AttachRefusedMsg{r.trial_id, r.lease_id, "re-queued"});
      continue;
    }
    Lease lease;
    lease.trial_id = r.trial_id;
    lease.lease_id = r.lease_id;
    lease.agent = &a;
    lease.assigned = Now();
    Renew(lease);
    Lease& held = leases_.emplace(r.trial_id, std::move(lease)).first->second;
    trial_of_lease_[r.lease_id] = r.trial_id;
    TakeSlot(held, -1);
    ++a.info.running;
    (void)s.conn->Send(AttachOkMsg{r.trial_id, r.lease_id});
  }
}

AgentHub::Impl::Lease* AgentHub::Impl::CurrentLease(const Session& s, const std::string& trial_id,
                                                    const std::string& lease_id) {
  auto it = leases_.find(trial_id);
  if (it != leases_.end() && it->second.lease_id == lease_id && it->second.agent == s.agent) {
    return &it->second;
  }
  ++stale_;
  return nullptr;
}

void AgentHub::Impl::HandleFinished(Session& s, const FinishedMsg& msg) {
  Lease* lease = CurrentLease(s, msg.trial_id, msg.lease_id);
  if (!lease) return;
  Result<TrialEnd> decoded = EndFromFinished(msg);
  if (!decoded.ok()) return ProtocolError(s, decoded.status().message());
  TrialEnd end = std::move(decoded).value();
  if (end.pid == 0) end.pid = lease->pid;
  // The agent's own clock measures the run when it sent both ends; else the hub's.
  const double ran = end.started_at > 0 && end.ended_at >= end.started_at
                         ? end.ended_at - end.started_at
                         : ToSeconds(Now() - lease->assigned);
  const bool requested = lease->stop_requested || end.kind == TrialEnd::Kind::kStopped;
  Agent& a = *lease->agent;
  if (end.kind == TrialEnd::Kind::kStopped && !lease->stop_requested) a.draining = true;
  EndLease(msg.trial_id);
  ++a.info.finished;
  const bool failed = !end.ok() && !requested;
  Post([this, trial = msg.trial_id, end]() {
    if (callbacks_.on_end) callbacks_.on_end(trial, end);
  });
  if (failed && ran < options_.flap_window_s) RecordFailure(a, end);
  PostCapacity();
}

void AgentHub::Impl::RecordFailure(Agent& a, const TrialEnd& end) {
  if (options_.flap_failures <= 0 || !a.info.paused.empty()) return;
  const auto now = Now();
  a.fast_failures.push_back(now);
  const auto window = ToDuration(options_.flap_window_s);
  while (!a.fast_failures.empty() && now - a.fast_failures.front() > window) {
    a.fast_failures.pop_front();
  }
  if (static_cast<int>(a.fast_failures.size()) < options_.flap_failures) return;
  a.info.paused = std::to_string(a.fast_failures.size()) + " trials failed within " +
                  HubSeconds(options_.flap_window_s) + " on this agent: last: " + WhyFailed(end);
  PostEvent(Describe(a) + " paused: " + a.info.paused);
  PostAgent(a);
}

void AgentHub::Impl::CheckExpiry() {
  const auto now = Now();
  std::vector<std::string> expired;
  for (const auto& [trial, lease] : leases_) {
    if (lease.expiry <= now) expired.push_back(trial);
  }
  for (const std::string& trial : expired) {
    const Lease& lease = leases_.at(trial);
    const Agent& a = *lease.agent;
    // Silent: nothing arrived from it lately. Else it talks but no longer lists the lease.
    const bool silent =
        a.session == 0 || now - a.last_frame > ToDuration(options_.lease_interval_s * 1.5);
    const std::string reason =
        "lease expired: " + Describe(a) +
        (silent ? " silent for " + HubSeconds(ToSeconds(now - a.last_frame))
                : " did not renew it for " + HubSeconds(ToSeconds(now - lease.renewed)));
    Post([this, trial, reason] {
      if (callbacks_.on_lost) callbacks_.on_lost(trial, reason);
    });
    EndLease(trial);
  }
  if (!expired.empty()) PostCapacity();
}

void AgentHub::Impl::ArmExpiryTimer() {
  if (closed_) return;
  const double period = std::max(0.01, std::min(1.0, options_.lease_interval_s / 2));
  expiry_timer_.expires_after(ToDuration(period));
  expiry_timer_.async_wait(
      [this, alive = std::weak_ptr<int>(alive_)](boost::system::error_code ec) {
        if (ec || alive.expired() || closed_) return;
        CheckExpiry();
        ArmExpiryTimer();
      });
}

std::vector<RemoteSlot> AgentHub::FreeSlots() const {
  std::vector<std::vector<RemoteSlot>> per_agent;
  size_t longest = 0;
  if (impl_->closed_) return {};
  for (const auto& a : impl_->agents_) {
    if (a->session == 0 || !a->ready || a->draining || !a->info.paused.empty()) continue;
    // A connection that is closing (a bye just read) takes no more work, even before
    // its close is handled.
    const Impl::Session* s = impl_->SessionOf(*a);
    if (!s || !s->conn->open()) continue;
    std::vector<RemoteSlot> free;
    for (size_t k = 0; k < a->slot_trial.size(); ++k) {
      if (a->slot_trial[k].empty())
        free.push_back({a->info.id, static_cast<int>(k), a->slot_gpus[k]});
    }
    // A trial adopted beyond the slots still occupies the agent.
    free.resize(free.size() - std::min<size_t>(free.size(), a->overflow));
    longest = std::max(longest, free.size());
    per_agent.push_back(std::move(free));
  }
  std::vector<RemoteSlot> out;
  for (size_t k = 0; k < longest; ++k) {
    for (const auto& free : per_agent) {
      if (k < free.size()) out.push_back(free[k]);
    }
  }
  return out;
}

Status AgentHub::Assign(const RemoteSlot& slot, const TrialLaunch& launch,
                        const std::string& lease_id, const std::string& rel_trial_dir,
                        const std::string& rel_workdir) {
  Impl& h = *impl_;
  if (h.closed_) return Status::Io("the agent hub is closed");
  Impl::Agent* a = nullptr;
  for (const auto& candidate : h.agents_) {
    if (candidate->info.id == slot.agent_id) a = candidate.get();
  }
  if (!a) return Status::Io("no agent " + slot.agent_id);
  Impl::Session* s = h.SessionOf(*a);
  if (!s || !a->ready || !s->conn->open()) return Status::Io(h.Describe(*a) + " is not connected");
  if (!a->info.paused.empty()) return Status::Io(h.Describe(*a) + " is paused: " + a->info.paused);
  if (slot.index < 0 || slot.index >= static_cast<int>(a->slot_trial.size()) ||
      !a->slot_trial[slot.index].empty()) {
    return Status::Io("slot " + std::to_string(slot.index) + " on " + h.Describe(*a) +
                      " is not free");
  }
  if (h.leases_.count(launch.trial_id)) {
    return Status::Usage("trial " + launch.trial_id + " already holds a lease");
  }
  if (lease_id.empty() || h.trial_of_lease_.count(lease_id) || h.ended_leases_.count(lease_id)) {
    return Status::Usage("lease id '" + lease_id + "' is empty or was used before");
  }
  if (!IsSafeRelativePath(rel_trial_dir) ||
      (!rel_workdir.empty() && !IsSafeRelativePath(rel_workdir))) {
    return Status::Usage("trial folders sent to agents must be relative paths without '..'");
  }
  AssignMsg msg = AssignFromLaunch(launch, lease_id, rel_trial_dir, rel_workdir);
  msg.gpus = a->slot_gpus[slot.index];  // the hub's division of the agent's GPUs
  const Status sent = s->conn->Send(msg);
  if (!sent.ok()) return sent;
  Impl::Lease lease;
  lease.trial_id = launch.trial_id;
  lease.lease_id = lease_id;
  lease.agent = a;
  lease.assigned = h.Now();
  h.Renew(lease);
  Impl::Lease& held = h.leases_.emplace(launch.trial_id, std::move(lease)).first->second;
  h.trial_of_lease_[lease_id] = launch.trial_id;
  h.TakeSlot(held, slot.index);
  ++a->info.running;
  return Status::Ok();
}

void AgentHub::Stop(const std::string& trial_id, const std::string& reason, double grace_s) {
  auto it = impl_->leases_.find(trial_id);
  if (it == impl_->leases_.end()) return;
  Impl::Lease& lease = it->second;
  lease.stop_requested = true;
  lease.stop_reason = reason;
  lease.stop_grace_s = grace_s;
  // A disconnected agent gets it when the trial is re-attached.
  if (Impl::Session* s = impl_->SessionOf(*lease.agent)) {
    (void)s->conn->Send(StopMsg{trial_id, lease.lease_id, reason, grace_s});
  }
}

void AgentHub::Forget(const std::string& trial_id) {
  auto it = impl_->leases_.find(trial_id);
  if (it == impl_->leases_.end()) return;
  Impl::Lease& lease = it->second;
  if (Impl::Session* s = impl_->SessionOf(*lease.agent)) {
    (void)s->conn->Send(StopMsg{trial_id, lease.lease_id, "stopped by the controller", 10});
  }
  // An agent that was away learns it at its next heartbeat or re-attach (revoked).
  impl_->EndLease(trial_id);
  impl_->PostCapacity();
}

}  // namespace sweep

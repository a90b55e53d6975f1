// RemoteExecutor: trials on remote agents (`sweep launch --listen`), through the
// AgentHub (orchestrator/remote/agent_hub.h).
//
// A remote trial differs from a local one only in where it runs: the same
// TrialLaunch is sent to an agent under a new lease instead of to the TrialRunner.
// What comes back is turned into the Executor events: an expired lease, or a trial
// its agent stopped without being asked (the agent was shut down, e.g. its Slurm job
// cancelled), ends as EndCause::kLost; an assignment that could not be sent ends as
// kNotStarted. Log chunks are appended to the trial's folder in the store, so
// `sweep logs` reads remote trials like local ones.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/clock.h"
#include "orchestrator/controller/controller.h"
#include "orchestrator/controller/executor.h"
#include "orchestrator/remote/agent_hub.h"

namespace sweep {

// The hub events that are about agents rather than trials.
struct RemoteEvents {
  // An agent was seen, changed or left (for the agents table and the log).
  std::function<void(const AgentInfo& agent)> on_agent;
  // An agent still runs a trial of this sweep under `lease_id` (after a controller
  // restart): true to adopt it (then call Adopt), false to have it stopped.
  std::function<bool(const AgentInfo& agent, const std::string& trial_id,
                     const std::string& lease_id)>
      on_attach;
  // A line for the sweep's log (authentication failures, pauses, protocol errors).
  std::function<void(const std::string& line)> on_event;
};

class RemoteExecutor : public Executor {
 public:
  // Binds listen.host:listen.port with the token in listen.token_file (and TLS when
  // listen.tls_cert is set). `controller_name` is sent to agents; `sweep_id` names the
  // trials' folders on agents. Errors: the token file, the TLS files, the address.
  static Result<std::unique_ptr<RemoteExecutor>> Listen(
      boost::asio::io_context& io, const ListenOptions& listen, const std::string& sweep_id,
      const std::string& controller_name, int gpus_per_trial, const Clock& clock,
      ExecutorEvents events, RemoteEvents remote_events);

  uint16_t port() const { return hub_->port(); }
  std::vector<AgentInfo> Agents() const { return hub_->Agents(); }
  // A trial an agent re-attached (on_attach returned true): it is running here again,
  // and its log chunks continue after what its files in the store already hold.
  void Adopt(const TrialRecord& rec);

  size_t FreeCapacity() const override { return hub_->FreeSlots().size(); }
  // Slots on connected agents that are not paused.
  int TotalSlots() const override;
  // The next free slot, interleaved across agents; a new lease id on the record.
  Placement Take(TrialRecord& rec) override;
  void Start(const TrialRecord& rec, TrialLaunch launch) override;
  void Stop(const std::string& trial_id, const std::string& reason, double grace_s) override;
  // Drops the trial's lease now (its agent is told to stop it); it ends as kLost.
  void Kill(const std::string& trial_id) override;
  void Release(const std::string& trial_id) override;
  // ListenOptions::on_poll (Slurm job watching).
  std::string Poll() override;
  // Records each agent's final counts (on_agent, disconnected), calls
  // ListenOptions::on_closing and says bye to the agents: they exit when the sweep
  // finished, and keep reconnecting after an interruption so `sweep resume` finds them.
  double Close(bool interrupted) override;

 private:
  struct Trial {
    std::string trial_dir;          // in the store: where log chunks are appended
    uint64_t log_next[2] = {0, 0};  // next expected offset of stdout, stderr chunks
    std::string stop_reason;        // set once the controller asked it to stop
    bool stop_requested = false;
  };
  RemoteExecutor(boost::asio::io_context& io, const ListenOptions& listen, std::string sweep_id,
                 ExecutorEvents events);
  void OnHubEnd(const std::string& id, const TrialEnd& end);
  void OnLog(const std::string& id, const std::string& stream, uint64_t offset,
             std::string_view data);
  // Posts on_end for an attempt that ended without the trial's own end.
  void PostLost(const std::string& id, const std::string& reason, EndCause cause);

  boost::asio::io_context& io_;
  ListenOptions listen_;
  std::string sweep_id_;
  ExecutorEvents events_;
  const Clock* clock_ = nullptr;
  std::function<void(const AgentInfo&)> on_agent_;
  std::unique_ptr<AgentHub> hub_;
  std::map<std::string, RemoteSlot> taken_;  // Take()n, not yet Start()ed
  std::map<std::string, Trial> trials_;
};

}  // namespace sweep

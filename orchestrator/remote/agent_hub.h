// AgentHub: the controller's side of the agent protocol (schemas/protocol.md).
//
// Listens for remote agents, authenticates each (agents/protocol/auth.h, mutual HMAC), keeps
// one session per agent name, divides each agent's GPUs into slots, sends
// assignments, renews leases on heartbeats and expires the ones that stop being
// renewed, answers re-attachment after a reconnect, and pauses agents whose trials
// fail fast (flapping). It never touches the store: everything an agent reports
// reaches the controller through the callbacks, and only for the trial's current
// lease (stale messages are dropped and counted).
// Not thread-safe: create, call and destroy it on the io_context's thread; every
// callback runs there too, never from inside a method call (they are posted).
#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "agents/protocol/auth.h"
#include "agents/protocol/transport.h"
#include "agents/runtime/metric_reader.h"
#include "agents/runtime/trial_runner.h"
#include "base/clock.h"
#include "base/status.h"
#include "base/value.h"

namespace sweep {

// gpus_per_trial <= 0: GPUs are not managed (slots = ready.slots). A failure for
// flapping: an end that is exited non-zero, signaled, timed_out or spawn_failed, not
// after a Stop, of a trial that ran less than flap_window_s; flap_failures <= 0 never
// pauses. A paused agent stays paused for the hub's life; its running trials go on.
struct AgentHubOptions {
  std::string host = "127.0.0.1";
  uint16_t port = 0;                      // 0 = an ephemeral port (see port())
  std::string controller_name = "sweep";  // sent in the challenge
  double lease_interval_s = 5;            // sent in auth_ok; heartbeat period
  double lease_timeout_s = 30;            // a lease not renewed this long expires
  int gpus_per_trial = 1;                 // GPUs per slot on agents that list GPUs
  int flap_failures = 3;                  // this many fast failures ...
  double flap_window_s = 60;              // ... within this window pause the agent
  ConnectionOptions connection;           // idle_timeout_s is set to 3 x interval
  // Lease times and AgentInfo timestamps are read from this clock; nullptr = RealClock().
  // Must outlive the hub.
  const Clock* clock = nullptr;
};

// One agent as the controller sees it (sweep status, the store's agents table).
struct AgentInfo {
  std::string id;                 // the controller's name for it ("a1", "a2", ...), stable per name
  std::string name;               // hello.agent_name (unique per agent process)
  std::string host;               // hello.host
  std::string peer;               // "ip:port" of the current or last connection
  int slots = 0;                  // usable slots (after dividing GPUs by gpus_per_trial)
  std::vector<std::string> gpus;  // ready.gpus
  Value facts = Value::object();  // ready.host (hostname, os, cpus, slurm_job_id, ...)
  int running = 0;                // trials holding a current lease on it
  uint64_t finished = 0;          // trials it finished (any outcome)
  double connected_at = 0;        // seconds since the epoch
  double last_heartbeat = 0;      // 0 = none yet
  bool connected = false;
  std::string paused;  // "" = accepting work; else why it was paused (flapping)
};

// A free place to run one trial.
struct RemoteSlot {
  std::string agent_id;
  int index = 0;                    // slot number on that agent
  std::optional<std::string> gpus;  // CUDA_VISIBLE_DEVICES for the trial; nullopt = unmanaged
};

struct AgentHubCallbacks {
  // Capacity changed (an agent became ready, a slot freed, an agent left): schedule.
  std::function<void()> on_capacity;
  // An agent was seen, changed (heartbeat, pause) or left; for the store and status.
  // Not called per assignment or end: Agents() has the running counts.
  std::function<void(const AgentInfo& agent)> on_agent;
  std::function<void(const std::string& trial_id, int64_t pid, double started_at)> on_started;
  std::function<void(const std::string& trial_id, std::vector<ParsedPoint> points)> on_metrics;
  std::function<void(const std::string& trial_id, const std::string& stream, uint64_t offset,
                     std::string_view data)>
      on_log;
  // Exactly once per lease that ends with `finished` while current.
  std::function<void(const std::string& trial_id, const TrialEnd& end)> on_end;
  // Exactly once per lease that expired (or was dropped by Forget): the attempt is lost.
  std::function<void(const std::string& trial_id, const std::string& reason)> on_lost;
  // ready.running named a lease the hub does not hold (after a controller restart).
  // Return true to adopt it on that agent (attach_ok, lease renewed), false to refuse
  // (attach_refused: the agent stops the trial). Unset = refuse. The one callback that
  // is not posted (its answer is needed): it runs from the handler of the agent's
  // `ready`, never from inside a hub method, and may call the hub. Leases that expired
  // or ended in this hub are refused without asking.
  std::function<bool(const AgentInfo& agent, const std::string& trial_id,
                     const std::string& lease_id)>
      on_attach;
  // One line for the sweep's log: authentication failures, pauses, protocol errors.
  std::function<void(const std::string& line)> on_event;
};

class AgentHub {
 public:
  // Binds host:port and starts accepting. Errors: kIo (address in use, bad address);
  // kUsage when lease_interval_s <= 0 or lease_timeout_s <= lease_interval_s.
  static Result<std::unique_ptr<AgentHub>> Listen(boost::asio::io_context& io, AuthToken token,
                                                  AgentHubOptions options,
                                                  AgentHubCallbacks callbacks);
  ~AgentHub();  // closes every connection without bye; leases simply end with it
  AgentHub(const AgentHub&) = delete;
  AgentHub& operator=(const AgentHub&) = delete;

  uint16_t port() const;

  // Free slots on connected, unpaused agents, interleaved across agents so that
  // consecutive assignments spread over them.
  std::vector<RemoteSlot> FreeSlots() const;
  // Sends `assign` for launch under a new lease on slot (expiry = now + timeout).
  // rel_trial_dir / rel_workdir: as AssignFromLaunch (agents/protocol/trial_messages.h).
  // Errors: the agent is gone, paused or the slot is taken (kIo); the trial already
  // holds a lease, lease_id is empty or was used before, or a path is not a safe
  // relative path (kUsage); nothing was sent then. The slot's GPUs are the hub's.
  Status Assign(const RemoteSlot& slot, const TrialLaunch& launch, const std::string& lease_id,
                const std::string& rel_trial_dir, const std::string& rel_workdir);
  // Sends `stop` for the trial's current lease; it still ends through on_end.
  // Unknown trials are ignored.
  void Stop(const std::string& trial_id, const std::string& reason, double grace_s);
  // Drops the trial's lease without waiting for it (the trial is already recorded as
  // ended elsewhere); the agent is told to stop it. on_lost is not called.
  void Forget(const std::string& trial_id);
  // Sends bye to every agent and stops accepting (the sweep is over).
  void Close(const std::string& reason);

  std::vector<AgentInfo> Agents() const;
  uint64_t stale_messages() const;  // messages dropped for a lease that is not current

  struct Impl;

 private:
  explicit AgentHub(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace sweep

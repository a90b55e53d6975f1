// Agent: the `sweep agent HOST:PORT` process (schemas/protocol.md, agent side).
//
// Dials the controller (reconnecting with capped exponential back-off), proves it
// holds the token and checks that the controller does too (a controller tells agents
// what to execute), announces its slots and GPUs, and runs each assignment through
// the same TrialRunner that `sweep launch` uses for local slots. Metrics, bounded log
// chunks, provenance and the end go back over the connection. Trials outlive
// connections: while disconnected they keep running, their output is buffered
// (bounded), and after the next handshake they are re-attached or, when the
// controller re-queued them, stopped. Only the controller writes the store.
// Runs on its own io_context on the calling thread; SIGINT/SIGTERM stop it cleanly.
#pragma once

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include "agents/protocol/auth.h"
#include "agents/protocol/transport.h"

namespace sweep {

struct AgentOptions {
  std::string host;  // controller address
  uint16_t port = 0;
  std::string name;               // unique per agent process; default "<hostname>:<pid>"
  std::vector<std::string> gpus;  // device ids it may hand out (--gpus LIST|all|auto,
                                  // auto = $CUDA_VISIBLE_DEVICES as set by Slurm); empty = none
  int workers = 0;                // slots; 0 = one per GPU, or 1 without GPUs
  std::string work_root;          // trials run here (cwd by default); trial folders under
                                  // <work_root>/.sweep-agent/
  std::string python_client_dir;  // DefaultPythonClientDir()
  BackoffOptions backoff;         // reconnect delays
  size_t max_buffered_bytes = 64u << 20;  // log chunks kept while disconnected
  bool exit_when_done = true;             // exit 0 after the controller's bye "sweep finished"
  double give_up_after_s = 3600;          // idle (no trial) and unconnected this long: exit 3
  ConnectionOptions connection;           // idle_timeout_s is ignored: the agent closes a
                                          // silent link itself after 3 x lease_interval_s
  double log_poll_s = 0.25;               // how often trial log files are read for `log` chunks
};

// Runs until the controller says the sweep is over (bye), a signal, or a fatal
// error. Returns the process exit code: 0 done, 1 the controller failed
// authentication (runs nothing), 2 usage or another protocol version than the controller's
// (refused; no reconnect), 3 gave up reconnecting, 130 interrupted.
// Progress lines go to log; the token never appears in them.
int RunAgent(const AgentOptions& options, const AuthToken& token, std::ostream& log);

// The devices `--gpus` names: "all" (nvidia-smi; none found = no GPUs, *note says
// so), "auto" ($CUDA_VISIBLE_DEVICES as a scheduler such as Slurm sets it, indices
// or UUIDs; unset or empty = none), or a comma list of indices. Error (kUsage) on a
// malformed list.
Result<std::vector<std::string>> ResolveAgentGpus(const std::string& flag, std::string* note);

// Facts for ready.host: hostname, os, cpus, memory_bytes, and slurm_job_id,
// slurm_array_job_id, slurm_array_task_id, slurm_node when Slurm set them.
Value AgentHostFacts();

}  // namespace sweep

// InProcessExecutor: trials that run as function calls inside the Python process
// that started this controller (wandb.agent(function=), sweep_client.optimize).
//
// The controller stays the only writer of the store; the Python process is its peer
// over two pipes (its stdout is our input, our output is its stdin), one JSON object
// per line (schemas/inprocess-protocol.md):
//   to Python:   {"type":"trial","id","sweep","number","params","dir"}
//                {"type":"stop","id","reason"}       the early-stopping rule's verdict
//                {"type":"close","status","reason"}  the sweep is over
//   from Python: {"type":"end","id","status":"ok"|"failed"|"pruned","error"}
// Metrics do not travel over the pipe: the Python side appends JSON lines to the
// trial's metrics.jsonl (sweep_client.report, wandb.log), which is tailed and parsed
// exactly as a subprocess trial's, so the same limits and malformed-line rules apply.
// What Python sends is untrusted input: a line over 64 KiB, a line that is not such an
// object, or an end for a trial it does not hold closes the channel. A closed channel
// (EOF: the Python process ended, was interrupted or killed) interrupts the sweep
// the way Ctrl-C does, so its running trials are recorded as lost, to be re-run when
// the sweep is continued. A function cannot be killed from here: a stop or a timeout
// (launch.timeout_s) is a request that the function sees at its next report. The
// trial's provenance is that of the Python process: its environment (argv, packages,
// machine) captured once per session, its code (git commit and diff) per trial; its
// track.artifacts are collected at its end.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/posix/stream_descriptor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/streambuf.hpp>
#include <deque>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "agents/runtime/provenance_worker.h"
#include "orchestrator/controller/executor.h"

namespace sweep {

struct InProcessOptions {
  int in_fd = 0;     // lines from the Python process (dup()ed; the caller keeps its own)
  int out_fd = 1;    // lines to the Python process (dup()ed)
  int slots = 1;     // trials the Python process runs at once (optimize(workers=N))
  std::string host;  // recorded as each trial's host
  // Recorded as each trial's agent: "python:<pid>" of the Python process.
  std::string agent = "python";
  // The Python process's argv, for provenance (the interpreter and its packages).
  std::vector<std::string> python_argv;
};

class InProcessExecutor : public Executor {
 public:
  // io must outlive the executor. Never throws; a pipe that cannot be used closes
  // the channel (which interrupts the sweep).
  InProcessExecutor(boost::asio::io_context& io, InProcessOptions options, ExecutorEvents events);
  ~InProcessExecutor() override;

  size_t FreeCapacity() const override { return closed_ ? 0 : free_.size(); }
  int TotalSlots() const override { return options_.slots; }
  Placement Take(TrialRecord& rec) override;
  // Prepares the trial folder (params.json), starts the provenance capture and hands
  // the trial to Python. A folder that cannot be prepared ends it as a spawn failure.
  void Start(const TrialRecord& rec, TrialLaunch launch) override;
  // Tells Python to stop the trial: its next report() raises sweep_client.Pruned. A
  // function cannot be killed from here, so once the channel is closed the trial ends
  // at once instead.
  void Stop(const std::string& trial_id, const std::string& reason, double grace_s) override;
  // Ends the trial now as stopped; a later end from Python for it is ignored.
  void Kill(const std::string& trial_id) override;
  void Release(const std::string& trial_id) override;
  // Tells Python the sweep is over.
  double Close(bool interrupted) override;

  struct Trial;

 private:
  void ReadNext();
  void OnLine(const std::string& line);
  void OnClosed(const std::string& why);
  void Send(const Value& message);
  void PollMetrics();
  void ReadMetrics(Trial& t, bool final);
  void End(const std::string& id, TrialEnd end);

  boost::asio::io_context& io_;
  InProcessOptions options_;
  ExecutorEvents events_;
  boost::asio::posix::stream_descriptor in_, out_;
  boost::asio::streambuf buf_;
  boost::asio::steady_timer poll_;
  bool polling_ = false;
  bool closed_ = false;
  std::deque<int> free_;
  std::map<std::string, int> taken_;  // trial id -> slot
  std::map<std::string, std::shared_ptr<Trial>> trials_;
  std::set<std::string> killed_;  // ended by Kill(): Python's late end is expected
  // The Python process's environment snapshot, touched only by worker_'s thread.
  std::shared_ptr<Value> env_cache_ = std::make_shared<Value>();
  std::unique_ptr<ProvenanceWorker> worker_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace sweep

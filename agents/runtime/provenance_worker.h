// ProvenanceWorker: the one background thread on which a TrialRunner captures its
// trials' provenance (git, pip, hashing), so none of it runs on the event loop or on
// a trial's start path.
//
// Jobs run one at a time in submission order: the captures share per-process caches
// (agents/runtime/provenance_*.h), so the first trial pays for `pip freeze` and the
// trials behind it are answered from the cache instead of each running it again.
// Each result is handed back by posting `done` to the io_context, so a trial's end
// is reported the moment its capture is ready (no polling).
#pragma once

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "base/value.h"

namespace sweep {

class ProvenanceWorker {
 public:
  // io must outlive the worker.
  explicit ProvenanceWorker(boost::asio::io_context& io);
  // Waits for the job in progress, drops the queued ones; no `done` runs afterwards.
  // Call it on the io_context's thread.
  ~ProvenanceWorker();
  ProvenanceWorker(const ProvenanceWorker&) = delete;
  ProvenanceWorker& operator=(const ProvenanceWorker&) = delete;

  // Runs job on the worker thread (started on first use), then done(result) on the
  // io_context's thread. Call it on the io_context's thread.
  void Submit(std::function<Value()> job, std::function<void(Value)> done);

 private:
  struct Job {
    std::function<Value()> run;
    std::function<void(Value)> done;
  };
  void Loop();

  boost::asio::io_context& io_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);  // io thread only
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Job> jobs_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace sweep

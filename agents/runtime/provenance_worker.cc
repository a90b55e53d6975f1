// ProvenanceWorker: a queue, a condition variable and one thread. A finished job's
// result travels back through boost::asio::post together with a weak reference to
// the worker's `alive_` flag, which only the io thread reads or writes: a result
// that arrives after the worker (and so its TrialRunner) is gone is dropped there.
// The destructor joins the thread before returning, so nothing is posted to an
// io_context that the caller may destroy next.
#include "agents/runtime/provenance_worker.h"

#include <boost/asio/post.hpp>

namespace sweep {

ProvenanceWorker::ProvenanceWorker(boost::asio::io_context& io) : io_(io) {}

ProvenanceWorker::~ProvenanceWorker() {
  *alive_ = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
    jobs_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void ProvenanceWorker::Submit(std::function<Value()> job, std::function<void(Value)> done) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    jobs_.push_back(Job{std::move(job), std::move(done)});
  }
  if (!thread_.joinable()) thread_ = std::thread([this] { Loop(); });
  cv_.notify_one();
}

void ProvenanceWorker::Loop() {
  for (;;) {
    Job job;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stopping_ || !jobs_.empty(); });
      if (stopping_) return;
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    Value result = job.run();
    boost::asio::post(io_, [alive = std::weak_ptr<bool>(alive_), done = std::move(job.done),
                            result = std::move(result)]() mutable {
      auto flag = alive.lock();
      if (!flag || !*flag) return;
      done(std::move(result));
    });
  }
}

}  // namespace sweep

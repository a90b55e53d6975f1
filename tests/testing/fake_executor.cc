// FakeExecutor: every step is its own posted handler, so the io_context's FIFO order
// fixes how trials on different slots interleave.
#include "tests/testing/fake_executor.h"

#include <boost/asio/post.hpp>
#include <memory>

namespace sweep {

FakeExecutor::FakeExecutor(boost::asio::io_context& io, ExecutorEvents events, std::string name,
                           int slots, FakeScript script, std::shared_ptr<FakeTrace> trace)
    : io_(io),
      events_(std::move(events)),
      name_(std::move(name)),
      slots_(slots),
      script_(std::move(script)),
      trace_(std::move(trace)) {
  for (int i = 0; i < slots; ++i) free_.push_back(i);
}

ExecutorFactory FakeExecutor::Factory(std::string name, int slots, FakeScript script,
                                      std::shared_ptr<FakeTrace> trace) {
  return [=](boost::asio::io_context& io, ExecutorEvents events) {
    return std::make_unique<FakeExecutor>(io, std::move(events), name, slots, script, trace);
  };
}

Placement FakeExecutor::Take(TrialRecord& rec) {
  int slot = free_.front();
  free_.pop_front();
  taken_[rec.id] = slot;
  rec.agent = name_;
  rec.host = "fake-host";
  rec.slot = slot;
  return Placement{"params-of-" + rec.id + ".json"};
}

void FakeExecutor::Start(const TrialRecord& rec, TrialLaunch launch) {
  int n = static_cast<int>(trace_->launches.size());
  trace_->launches.push_back(launch);
  Trial& t = trials_[rec.id];
  t.attempt = script_(launch, n);
  std::string id = rec.id;
  if (events_.on_started && t.attempt.started_later)
    boost::asio::post(io_, [this, id, n] { events_.on_started(id, 1000 + n, 0); });
  else if (events_.on_started)
    events_.on_started(id, 1000 + n, 0);
  boost::asio::post(io_, [this, id] { Step(id); });
}

void FakeExecutor::Step(const std::string& id) {
  auto it = trials_.find(id);
  if (it == trials_.end() || it->second.ended) return;
  Trial& t = it->second;
  if (t.next < t.attempt.reports.size()) {
    const auto& [step, value] = t.attempt.reports[t.next++];
    if (events_.on_metrics) events_.on_metrics(id, {ParsedPoint{t.attempt.metric, step, value, 0}});
    boost::asio::post(io_, [this, id] { Step(id); });
    return;
  }
  TrialEnd end;
  switch (t.attempt.end) {
    case FakeAttempt::End::kExit:
      end.kind = TrialEnd::Kind::kExited;
      end.exit.exit_code = t.attempt.exit_code;
      if (t.attempt.exit_code != 0) end.stderr_tail = "Traceback: scripted failure\n";
      if (t.attempt.exited_first && t.attempt.exit_code == 0 && events_.on_exited) {
        t.ended = true;
        events_.on_exited(id);  // may Release the slot (and forget t) and start another
        if (events_.on_end) events_.on_end(id, end, EndCause::kEnded);
        return;
      }
      End(id, end, EndCause::kEnded);
      return;
    case FakeAttempt::End::kLost:
      end.kind = TrialEnd::Kind::kStopped;
      end.exit.exit_code = -1;
      end.reason = "lease expired: scripted";
      End(id, end, EndCause::kLost);
      return;
    case FakeAttempt::End::kHang:
      return;  // until Stop or Kill
  }
}

void FakeExecutor::End(const std::string& id, const TrialEnd& end, EndCause cause) {
  auto it = trials_.find(id);
  if (it == trials_.end() || it->second.ended) return;
  it->second.ended = true;
  if (events_.on_end) events_.on_end(id, end, cause);
}

void FakeExecutor::Stop(const std::string& trial_id, const std::string& reason,
                        double /*grace_s*/) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end() || it->second.ended) return;
  trace_->stops.emplace_back(trial_id, reason);
  TrialEnd end;
  end.kind = TrialEnd::Kind::kStopped;
  end.exit.signal = 15;
  end.reason = reason;
  boost::asio::post(io_, [this, trial_id, end] { End(trial_id, end, EndCause::kEnded); });
}

void FakeExecutor::Kill(const std::string& trial_id) { Stop(trial_id, "killed", 0); }

void FakeExecutor::Release(const std::string& trial_id) {
  auto it = taken_.find(trial_id);
  if (it == taken_.end()) return;
  free_.push_back(it->second);
  taken_.erase(it);
  trials_.erase(trial_id);
}

}  // namespace sweep

// The end of a trial: its final record, written before the trial counts as done.
//
// A trial's summary holds one entry per metric name it reported, up to
// reporting.max_metric_names, which users raise to 100,000 and more (per-layer
// metrics). Building that summary and serialising it (megabytes of JSON) took the
// event loop a quarter of a second, during which heartbeats, agent sockets and
// metric reading waited. So an end happens in two halves:
//   OnEnd (loop): the trial leaves running_ for ending_; its status, value and
//     W&B-reported fields are settled; its summary goes to the writer thread, or, when
//     it is small (kInlineSummaryNames) and no other end is there, is serialised right
//     away: for a short trial the two thread hops cost more than the work.
//   writer thread: TrialSummary -> JSON text (SummaryText), nothing else. It reads
//     only the Ending it was handed, which the loop does not touch meanwhile.
//   OnEndWritten (loop): the record joins the batch and is committed (Flush), and
//     only then is the trial counted, told to the strategy, and its slot freed. A
//     trial whose slot was released at its exit (OnExited) waits for a commit shared
//     with the ends close to it (CommitGroup) instead of one of its own.
// The writer thread is single, so ends are committed in the order they happened;
// the store is still written only from the loop, so a failed write is seen, and
// stops new trials, exactly as before; and no trial starts on the freed slot before
// its predecessor's result is durable. MaybeFinish waits for ending_ to drain.
#include <boost/asio/post.hpp>

#include "orchestrator/controller/controller_impl.h"
#include "orchestrator/controller/objective_values.h"
#include "orchestrator/controller/reported_run.h"
#include "orchestrator/spec/did_you_mean.h"

namespace sweep {
namespace asio = boost::asio;

namespace {

// `summary` (TrialSummary::ToJson) with the W&B run-summary fields ApplyReported put
// into `reported` ({name: {"run_summary", "run_summary_mode"}}) merged in, as text.
std::string SummaryWithReported(const TrialSummary& summary, const KeyedValue& reported) {
  KeyedValue json = summary.ToJson();
  if (reported.is_object()) {
    for (auto it = reported.begin(); it != reported.end(); ++it) {
      KeyedValue& entry = json[it.key()];
      if (!entry.is_object()) entry = KeyedValue::object();
      if (it.value().is_object()) entry.update(it.value());
    }
  }
  return SummaryText(json);
}

}  // namespace

void Controller::Impl::OnEnd(const std::string& id, const TrialEnd& end, EndCause cause) {
  auto it = running_.find(id);
  if (it == running_.end()) return;
  auto ending = std::make_shared<Ending>();
  ending->rt = std::move(it->second);
  running_.erase(it);
  Running& rt = ending->rt;
  TrialRecord& rec = rt.rec;
  rec.ended_at = end.ended_at > 0 ? end.ended_at : Now();
  if (end.started_at > 0) rec.started_at = end.started_at;
  if (end.kind == TrialEnd::Kind::kExited || end.kind == TrialEnd::Kind::kStopped ||
      end.kind == TrialEnd::Kind::kTimedOut || end.kind == TrialEnd::Kind::kSignaled) {
    if (end.exit.signal)
      rec.signal = end.exit.signal;
    else
      rec.exit_code = end.exit.exit_code;
  }
  if (cause != EndCause::kEnded) {
    // Not the trial's fault (a lease expired, its agent shut down, it could not be
    // sent): the configuration deserves another run.
    rec.status = TrialStatus::kLost;
    rec.reason = end.reason;
    if (cause == EndCause::kNotStarted) attempts_[rec.suggestion]--;  // it never ran
  } else if (rt.stopping) {
    rec.status = rt.stop_status;
    rec.reason = rt.stop_reason;
  } else {
    EndStatus es = StatusOfEnd(end);
    rec.status = es.status;
    rec.reason = std::move(es.reason);
  }
  // A lost attempt past its retries is failed here rather than re-queued.
  if (rec.status == TrialStatus::kLost && !state_.interrupted &&
      attempts_[rec.suggestion] > spec_.max_retries) {
    rec.status = TrialStatus::kFailed;
    rec.reason = "lost " + std::to_string(attempts_[rec.suggestion]) +
                 " times (max_retries: " + std::to_string(spec_.max_retries) +
                 "); last: " + rec.reason;
  }
  if (rec.status == TrialStatus::kFailed) rec.stderr_tail = end.stderr_tail;
  rec.malformed_lines = end.malformed_lines;
  ending->first_malformed = end.first_malformed;
  rec.provenance = end.provenance;
  if (end.pid > 0) rec.pid = end.pid;
  if (!spec_.metric.name.empty()) {
    rec.value = rt.summary.Value(spec_.metric.name, spec_.metric.summary, spec_.metric.goal);
    rec.metric_reported = rec.value.has_value();
  }
  // rec.summary collects only what the run itself reported (W&B's run summary,
  // small); the writer thread merges it into the full summary.
  rec.summary = KeyedValue::object();
  ending->reported = ApplyReported(spec_, &rec);
  ending_.emplace(id, ending);
  if (ending->rt.summary.size() <= kInlineSummaryNames && writer_ends_ == 0) {
    // A small summary serialises in microseconds: the round trip through the writer
    // thread (two wake-ups and context switches) would cost more than the work, and
    // it is on every short trial's path to its slot's next trial (issue 16). Only
    // when no end is with the writer: ends are committed in the order they happened.
    TrialRecord& r = ending->rt.rec;
    r.summary_text = SummaryWithReported(ending->rt.summary, r.summary);
    r.summary = KeyedValue::object();
    ending->inline_end = true;
    asio::post(io_,
               [this, ending = std::move(ending)]() mutable { OnEndWritten(std::move(ending)); });
    return;
  }
  if (!writer_) writer_ = std::make_unique<asio::thread_pool>(1);
  ++writer_ends_;
  // Moved along the way, so that once ending_ lets go the only owner is the handler
  // running, and OnEndWritten can hand the last reference back to this thread.
  asio::post(*writer_, [this, ending = std::move(ending)]() mutable {
    TrialRecord& r = ending->rt.rec;
    r.summary_text = SummaryWithReported(ending->rt.summary, r.summary);
    r.summary = KeyedValue::object();
    asio::post(io_,
               [this, ending = std::move(ending)]() mutable { OnEndWritten(std::move(ending)); });
  });
}

void Controller::Impl::OnExited(const std::string& id) {
  // A short trial's end (reading the rest of its output, the commit, the strategy)
  // took the loop longer than the trial itself ran, while its slot stood empty and
  // the other slots' ends queued behind it. For a strategy that learns nothing from
  // the result, the next trial starts as soon as the process is gone (issue 16);
  // this one still counts only once its end is durable (OnEndWritten). Not once the
  // sweep is winding down, nor after a failed store write (no new trial then).
  auto it = running_.find(id);
  if (it == running_.end() || strategy_learns_ || it->second.stopping || it->second.released ||
      state_.store_failed || state_.no_new_trials || state_.interrupted)
    return;
  it->second.released = true;
  it->second.exec->Release(id);
  Schedule();
}

void Controller::Impl::OnEndWritten(std::shared_ptr<Ending> ending) {
  // The trial's last points go in a commit of their own and its record (with a summary
  // of up to megabytes) in the next turn of the loop: one commit per turn keeps
  // each turn short. A small summary goes with the points in one commit.
  if (!ending->inline_end && !ending->points_committed && !batch_.points.empty()) {
    ending->points_committed = true;
    FlushEnd();
    if (batch_.points.empty()) {
      asio::post(io_,
                 [this, ending = std::move(ending)]() mutable { OnEndWritten(std::move(ending)); });
      return;
    }
    // The commit failed: the points stay in the batch and go with the record below.
  }
  TrialRecord& rec = ending->rt.rec;
  if (!ending->inline_end) --writer_ends_;
  // The summary text moves into the batch rather than being copied (megabytes at
  // 100,000 metric names). Its running record may still wait there (FlushEnd): the
  // end replaces it.
  std::string text = std::move(rec.summary_text);
  rec.summary_text.clear();
  TrialRecord queued = rec;
  queued.summary_text = std::move(text);
  QueueTrial(std::move(queued));
  // A released trial's slot already runs its successor (OnExited): nothing waits on
  // its commit but its count, so ends that come close together share one commit, at
  // most kGroupEnds of them or kGroupWindow after the first. At a thousand short
  // trials a second a commit of its own per end was a quarter of the loop's work
  // (issue 16). Any other end is committed at once, with those waiting before it.
  const bool may_wait = ending->rt.released && ending->inline_end;
  unacked_.push_back(std::move(ending));
  if (!may_wait || unacked_.size() >= kGroupEnds || running_.empty()) {
    CommitGroup();
  } else if (!group_armed_) {
    group_armed_ = true;
    group_.expires_after(kGroupWindow);
    group_.async_wait([this](const boost::system::error_code& ec) {
      if (!ec) CommitGroup();  // a cancelled wait leaves the flag to its canceller
    });
  }
}

// Durable before they count as done, in the order they ended.
void Controller::Impl::CommitGroup() {
  if (group_armed_) {
    group_armed_ = false;
    group_.cancel();
  }
  if (unacked_.empty()) return;
  FlushEnd();
  std::vector<std::shared_ptr<Ending>> grouped;
  grouped.swap(unacked_);
  for (auto& g : grouped) AckEnd(std::move(g));
}

void Controller::Impl::AckEnd(std::shared_ptr<Ending> ending) {
  // The end is in a commit (or kept in the batch after a failed one): the trial
  // counts as done from here on.
  Running& rt = ending->rt;
  TrialRecord& rec = rt.rec;
  const std::string id = rec.id;
  ending_.erase(id);
  const ReportedEffects& reported = ending->reported;
  for (const std::string& note : reported.notes) {
    if (Status s = store_.AddNote(id, note); !s.ok())
      display_.Log("warning: " + id + ": cannot record a wandb alert: " + s.message(), true);
  }
  for (const std::string& w : reported.warnings) display_.Log("warning: " + id + ": " + w, true);
  state_.Count(rec);

  std::string line = TrialStatusName(rec.status) + std::string(" ") + id;
  if (rec.value) line += " " + spec_.metric.name + "=" + FormatPythonFloat(*rec.value);
  if (!rec.reason.empty()) line += " (" + rec.reason + ")";
  if (rec.status == TrialStatus::kFailed && !LastLine(rec.stderr_tail).empty())
    line += ": " + LastLine(rec.stderr_tail);
  display_.Log(line, rec.status == TrialStatus::kFailed);
  if (rt.summary.dropped_names() > 0) WarnDroppedNames(rt);
  if (rec.malformed_lines > 0 && !warned_malformed_) {
    warned_malformed_ = true;
    display_.Log("warning: " + id + " wrote " + std::to_string(rec.malformed_lines) +
                     " malformed metric line(s), e.g. '" + ending->first_malformed + "' (ignored)",
                 true);
  }
  if (rec.status == TrialStatus::kFinished && !spec_.metric.name.empty() && !rec.metric_reported)
    WarnMissingMetric(rt);
  if (rec.status == TrialStatus::kFinished)
    for (const std::string& name : MissingObjectiveMetrics(spec_, rt.summary))
      if (warned_objectives_.insert(name).second)
        display_.Log("warning: " + id + " finished without reporting '" + name +
                         "', which the spec's metrics/constraints name",
                     true);

  if (rec.status != TrialStatus::kLost || !state_.interrupted) {
    Observation obs;
    obs.trial_number = rec.suggestion;
    obs.config = rt.config;
    obs.outcome = StrategyOutcome(rec.status);  // rec.status is terminal here
    obs.value = rec.value;
    FillObjectiveValues(spec_, rt.summary, obs);
    Observe(obs);
  }
  if (early_) early_->OnEnd(id);
  if (!rt.released) rt.exec->Release(id);
  if (rec.status == TrialStatus::kLost && !state_.interrupted) {
    if (attempts_[rec.suggestion] <= spec_.max_retries)
      requeue_.push_back(Queued{rt.config, rec.suggestion, rec.id, attempts_[rec.suggestion]});
  }
  CheckFailureBudget(rec);
  // Freeing a summary of 100,000 names takes milliseconds: the writer thread does it.
  if (!ending->inline_end)
    asio::post(*writer_, [ending = std::move(ending)]() mutable { ending.reset(); });
  Schedule();
}
// One warning per trial that went over reporting.max_metric_names.
void Controller::Impl::WarnDroppedNames(const Running& rt) {
  const TrialSummary& s = rt.summary;
  std::string examples;
  for (const std::string& n : s.dropped_examples())
    examples += (examples.empty() ? "'" : ", '") + n + "'";
  display_.Log("warning: " + rt.rec.id + " reported " +
                   std::to_string(s.size() + s.dropped_names()) +
                   " distinct metric names, more than reporting.max_metric_names (" +
                   std::to_string(spec_.max_metric_names) + "): dropped " +
                   std::to_string(s.dropped_names()) + " name(s) and their " +
                   std::to_string(s.dropped_points()) + " report(s), e.g. " + examples,
               true);
}

void Controller::Impl::WarnMissingMetric(const Running& rt) {
  if (warned_metric_) return;
  warned_metric_ = true;
  std::vector<std::string> names = rt.summary.Names();
  std::string msg = "warning: " + rt.rec.id + " finished without reporting the target metric '" +
                    spec_.metric.name + "'";
  if (names.empty()) {
    msg +=
        "; it reported no metrics at all (print name=value lines, append JSON lines to "
        "$SWEEP_METRICS, or use sweep_client.report)";
  } else {
    std::string list;
    for (size_t i = 0; i < names.size() && i < 20; ++i) list += (i ? ", " : "") + names[i];
    if (names.size() > 20) list += " and " + std::to_string(names.size() - 20) + " more";
    msg += "; it reported: " + list;
    if (auto hint = DidYouMean(spec_.metric.name, names)) msg += " — did you mean '" + *hint + "'?";
  }
  display_.Log(msg, true);
}

}  // namespace sweep

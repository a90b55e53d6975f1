// AgentSession, the trial half: what a trial produces, and where it goes.
//
// Metrics come from the TrialRunner's callbacks, log chunks from reading the trial's
// stdout.log/stderr.log as they grow (the runner owns the files; the agent only
// reads them, so `launch` and `agent` share one way of running trials). Each piece
// goes out at once when the trial is attached to the current connection, else into
// the trial's pending queue: metrics are all kept, log chunks are bounded across
// all trials by max_buffered_bytes (the oldest chunk of the trial holding the most is
// dropped first; the offsets show the gap). The end becomes a `finished`, sent after
// everything else of that trial or held until the trial is attached again.
#include <sys/stat.h>

#include <chrono>
#include <csignal>
#include <fstream>

#include "agents/agent_session.h"
#include "agents/protocol/trial_messages.h"

namespace sweep {
namespace {

// At a trial's end at most this much unread log is sent; older output is skipped.
constexpr uint64_t kFinalLogBytes = 8u << 20;

// How long the end of a trial killed by SIGTERM/SIGINT waits for the same signal to
// reach the agent. Slurm signals a job's processes one after another within
// milliseconds; a second allows for a loaded node.
constexpr std::chrono::milliseconds kSignalGrace{1000};

}  // namespace

void AgentSession::OnTrialMetrics(const std::string& trial_id, std::vector<ParsedPoint> points) {
  auto it = held_.find(trial_id);
  if (it == held_.end() || it->second.revoked || points.empty()) return;
  Held& h = it->second;
  Deliver(h, MetricsMsg{h.trial_id, h.lease_id, std::move(points)});
}

void AgentSession::OnTrialEnd(const std::string& trial_id, const TrialEnd& end) {
  auto it = held_.find(trial_id);
  if (it == held_.end()) return;
  Held& h = it->second;
  h.running = false;
  const bool stop_signal = end.kind == TrialEnd::Kind::kSignaled &&
                           (end.exit.signal == SIGTERM || end.exit.signal == SIGINT);
  if (stop_signal && !h.revoked && !shutdown_code_) {
    // scancel, a node drain or `kill` of the job's processes signal the agent and its
    // trials together, and the trial's exit may be seen first: reported at once it
    // would count as the trial's failure, though the agent was going away. Wait a
    // moment for the agent's own signal (WaitSignal reports it as `stopped` then).
    deferred_ends_[trial_id] = end;
    deferred_timer_.expires_after(kSignalGrace);
    deferred_timer_.async_wait([this](boost::system::error_code ec) {
      if (!ec) ReportDeferredEnds();
    });
    return;
  }
  ReportEnd(trial_id, end);
}

void AgentSession::ReportDeferredEnds() {
  std::map<std::string, TrialEnd> ends;
  ends.swap(deferred_ends_);
  for (auto& [id, end] : ends) {
    if (shutdown_code_ == 130) {
      end.kind = TrialEnd::Kind::kStopped;
      end.reason = "agent interrupted (the trial got the same signal)";
    }
    ReportEnd(id, std::move(end));
  }
}

void AgentSession::ReportEnd(const std::string& trial_id, TrialEnd end) {
  auto it = held_.find(trial_id);
  if (it == held_.end()) return;
  Held& h = it->second;
  LogLine(log_, LogLevel::kInfo) << "agent: trial " << trial_id
                                 << " ended: " << TrialEndKindName(end.kind)
                                 << (end.reason.empty() ? std::string() : " (" + end.reason + ")");
  if (h.revoked) {
    held_.erase(it);
  } else {
    ReadLogs(h, kFinalLogBytes, true);
    h.finished = FinishedFromEnd(h.trial_id, h.lease_id, end, options_.connection.max_frame_bytes);
    if (h.attached && Ready()) {
      Send(*h.finished);
      held_.erase(it);
    }
  }
  MaybeFinishShutdown();
}

void AgentSession::Revoke(const std::string& trial_id, const std::string& why) {
  auto it = held_.find(trial_id);
  if (it == held_.end()) return;
  Held& h = it->second;
  LogLine(log_, LogLevel::kWarn) << "agent: trial " << trial_id << ": " << why << "; stopping it";
  for (const Message& m : h.pending)
    if (auto* l = std::get_if<LogMsg>(&m)) buffered_log_bytes_ -= l->data.size();
  h.pending.clear();
  h.pending_log_bytes = 0;
  h.revoked = true;
  h.attached = false;
  if (h.running)
    runner_->Stop(trial_id, why);
  else
    held_.erase(it);
}

void AgentSession::Deliver(Held& h, Message m) {
  if (h.attached && Ready()) return Send(m);
  if (auto* l = std::get_if<LogMsg>(&m)) {
    h.pending_log_bytes += l->data.size();
    buffered_log_bytes_ += l->data.size();
  }
  h.pending.push_back(std::move(m));
  BoundBufferedLogs();
}

void AgentSession::BoundBufferedLogs() {
  while (buffered_log_bytes_ > options_.max_buffered_bytes) {
    Held* most = nullptr;
    for (auto& [id, h] : held_)
      if (!most || h.pending_log_bytes > most->pending_log_bytes) most = &h;
    if (!most || most->pending_log_bytes == 0) return;
    for (auto it = most->pending.begin(); it != most->pending.end(); ++it) {
      if (auto* l = std::get_if<LogMsg>(&*it)) {
        most->pending_log_bytes -= l->data.size();
        buffered_log_bytes_ -= l->data.size();
        most->pending.erase(it);  // the receiver sees the gap in the offsets
        break;
      }
    }
  }
}

void AgentSession::FlushPending(Held& h) {
  if (!Ready()) return;
  while (!h.pending.empty()) {
    if (auto* l = std::get_if<LogMsg>(&h.pending.front())) {
      h.pending_log_bytes -= l->data.size();
      buffered_log_bytes_ -= l->data.size();
    }
    Send(h.pending.front());
    h.pending.pop_front();
  }
  if (h.finished && Ready()) {
    Send(*h.finished);
    const std::string id = h.trial_id;
    held_.erase(id);  // h is gone after this
  }
}

void AgentSession::ReadLogs(Held& h, uint64_t max_bytes, bool skip_to_tail) {
  ReadLog(h, h.out, max_bytes, skip_to_tail);
  ReadLog(h, h.err, max_bytes, skip_to_tail);
}

void AgentSession::ReadLog(Held& h, LogTail& tail, uint64_t max_bytes, bool skip_to_tail) {
  struct stat st {};
  if (tail.path.empty() || ::stat(tail.path.c_str(), &st) != 0) return;
  const uint64_t size = static_cast<uint64_t>(st.st_size);
  // The runner cuts a log that passes max_log_bytes to a marker and its tail: read
  // the new file from its start (the marker tells the reader what was dropped).
  if (size < tail.file_pos) tail.file_pos = 0;
  if (size == tail.file_pos) return;
  uint64_t want = size - tail.file_pos;
  if (want > max_bytes) {
    if (skip_to_tail) {
      tail.offset += want - max_bytes;  // a gap the receiver can see
      tail.file_pos = size - max_bytes;
    }
    want = max_bytes;
  }
  std::ifstream f(tail.path, std::ios::binary);
  f.seekg(static_cast<std::streamoff>(tail.file_pos));
  std::string data(want, '\0');
  f.read(data.data(), static_cast<std::streamsize>(want));
  data.resize(static_cast<size_t>(f.gcount()));
  tail.file_pos += data.size();
  for (size_t pos = 0; pos < data.size(); pos += kMaxLogChunkBytes) {
    LogMsg m{h.trial_id, h.lease_id, tail.stream, tail.offset, data.substr(pos, kMaxLogChunkBytes)};
    tail.offset += m.data.size();
    Deliver(h, std::move(m));
  }
}

}  // namespace sweep

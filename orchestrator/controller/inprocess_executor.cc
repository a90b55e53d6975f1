// The in-process executor (see inprocess_executor.h for the channel).
//
// A trial's life here: Start writes params.json (and the wandb module's files) into
// its folder, submits its provenance capture to the worker thread, and sends the
// trial line. While any trial runs, a 100 ms timer tails each metrics.jsonl into the
// controller (as the TrialRunner does for subprocesses), so the early-stopping rule
// sees points while the function still runs. Python's end line triggers a final read
// of the metrics file; then the worker (which runs jobs in order, so the capture of
// Start is done by then) reads reported.json, and its posted result delivers on_end.
// Writes to Python are small and blocking: Python reads its pipe on a thread of its
// own, and a peer that went away makes the write fail (EPIPE), never block forever.
#include "orchestrator/controller/inprocess_executor.h"

#include <fcntl.h>
#include <unistd.h>

#include <boost/asio/post.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <istream>

#include "agents/runtime/artifacts.h"
#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_code.h"
#include "agents/runtime/provenance_env.h"
#include "agents/runtime/wandb_files.h"
#include "base/safe_open.h"

namespace sweep {
namespace asio = boost::asio;
namespace fs = std::filesystem;

namespace {

constexpr size_t kMaxLineBytes = 64 * 1024;

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Writes `text` to dir/name, never through a symlink a trial may have put there.
Status WriteTrialFile(const std::string& dir, const char* name, const std::string& text) {
  return WriteFileNoFollow(dir + "/" + name, text);
}

// The trial folder with params.json and the wandb module's files; a re-run in place
// loses the previous attempt's metrics first, so none of its points are read back.
Status PrepareFolder(const TrialLaunch& l) {
  std::error_code ec;
  fs::create_directories(l.trial_dir, ec);
  if (ec) return Status::Io("cannot create trial folder '" + l.trial_dir + "': " + ec.message());
  for (const char* stale : {"/metrics.jsonl", "/stderr.log"})
    ::unlink((l.trial_dir + stale).c_str());
  // A previous attempt's reports would be taken for this one's.
  for (const char* stale : {kReportedFile, kLoggedParamsFile}) {
    std::string path = l.trial_dir + "/" + stale;
    if (::unlink(path.c_str()) != 0 && errno != ENOENT)
      return Status::Io("cannot remove '" + path + "': " + std::strerror(errno));
  }
  std::string params =
      l.params.is_null() ? "{}" : l.params.dump(2, ' ', false, Value::error_handler_t::replace);
  if (Status s = WriteTrialFile(l.trial_dir, "params.json", params + "\n"); !s.ok()) return s;
  return WriteTrialFile(l.trial_dir, kWandbParamsFile, WandbParamsYaml(l.params));
}

}  // namespace

struct InProcessExecutor::Trial {
  TrialLaunch launch;
  std::unique_ptr<MetricReader> reader;
  std::unique_ptr<FileTailer> tailer;
  uint64_t skipped_seen = 0;
  double started_at = 0;
  bool stop_sent = false;
  std::string stop_reason;
  bool ending = false;     // its end is on the way: further end lines are ignored
  bool timed_out = false;  // past launch.timeout_s: asked to stop, ends as timed out
  std::unique_ptr<asio::steady_timer> timeout;
  Value provenance;
};

InProcessExecutor::InProcessExecutor(asio::io_context& io, InProcessOptions options,
                                     ExecutorEvents events)
    : io_(io),
      options_(std::move(options)),
      events_(std::move(events)),
      in_(io),
      out_(io),
      buf_(kMaxLineBytes),
      poll_(io),
      worker_(std::make_unique<ProvenanceWorker>(io)) {
  for (int i = 0; i < options_.slots; ++i) free_.push_back(i);
  int in = ::fcntl(options_.in_fd, F_DUPFD_CLOEXEC, 3);
  int out = ::fcntl(options_.out_fd, F_DUPFD_CLOEXEC, 3);
  boost::system::error_code ec;
  if (in >= 0) in_.assign(in, ec);
  if (out >= 0) out_.assign(out, ec);
  if (in < 0 || out < 0 || ec) {
    if (in >= 0 && !in_.is_open()) ::close(in);
    if (out >= 0 && !out_.is_open()) ::close(out);
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_)] {
      if (alive.lock()) OnClosed("the channel to the Python process could not be opened");
    });
    return;
  }
  ReadNext();
}

InProcessExecutor::~InProcessExecutor() {
  *alive_ = false;
  worker_.reset();  // waits for a capture in progress; drops the rest
  boost::system::error_code ec;
  in_.close(ec);
  out_.close(ec);
}

Placement InProcessExecutor::Take(TrialRecord& rec) {
  int slot = free_.front();
  free_.pop_front();
  taken_[rec.id] = slot;
  rec.slot = slot;
  rec.host = options_.host;
  rec.agent = options_.agent;
  return Placement{rec.trial_dir + "/params.json"};
}

void InProcessExecutor::Start(const TrialRecord& rec, TrialLaunch launch) {
  auto t = std::make_shared<Trial>();
  t->launch = std::move(launch);
  t->started_at = Now();
  const std::string id = rec.id;
  if (Status s = PrepareFolder(t->launch); !s.ok() || closed_) {
    TrialEnd end;
    end.kind = TrialEnd::Kind::kSpawnFailed;
    end.reason = s.ok() ? "the Python process is gone" : s.message();
    end.started_at = end.ended_at = Now();
    asio::post(io_, [this, alive = std::weak_ptr<bool>(alive_), id, end] {
      if (alive.lock() && events_.on_end)
        events_.on_end(id, end, closed_ ? EndCause::kNotStarted : EndCause::kEnded);
    });
    return;
  }
  t->reader = std::make_unique<MetricReader>(t->launch.reading);
  t->tailer = std::make_unique<FileTailer>(t->launch.trial_dir + "/metrics.jsonl",
                                           t->launch.reading.max_line_bytes);
  trials_[id] = t;
  if (t->launch.provenance.enabled) {
    const ProvenanceLaunch& p = t->launch.provenance;
    CodeCaptureOptions code;
    code.workdir = t->launch.workdir;
    code.program = p.program;
    code.git = p.git;
    code.max_diff_bytes = p.max_diff_bytes;
    EnvCaptureOptions env;
    env.argv = options_.python_argv;
    for (char** e = environ; e && *e; ++e) env.env.emplace_back(*e);
    env.env_vars = p.env_vars;
    env.packages = p.packages;
    const bool want_env = p.env;
    // The environment is the Python process's, which cannot change while it runs
    // (packages installed meanwhile are not what its imports loaded): captured for the
    // first trial and reused, on the worker thread only. The code is captured per
    // trial (a notebook may edit files between trials).
    worker_->Submit(
        [code, env, want_env, cache = env_cache_] {
          Value out = {{"code", CaptureCode(code)}, {"warnings", Value::array()}};
          if (want_env) {
            if (cache->is_null()) {
              Value e = CaptureEnvironment(env);
              (*cache)["env_hash"] = EnvironmentHash(e);
              (*cache)["env"] = std::move(e);
            }
            out["env_hash"] = (*cache)["env_hash"];
            out["env"] = (*cache)["env"];
          }
          return out;
        },
        [t](Value captured) { t->provenance = std::move(captured); });
  }
  Send({{"type", "trial"},
        {"id", id},
        {"sweep", t->launch.sweep_id},
        {"number", rec.number},
        {"params", t->launch.params.is_null() ? Value::object() : t->launch.params},
        {"dir", t->launch.trial_dir}});
  if (t->launch.timeout_s > 0) {
    // A function cannot be killed: past its timeout it is asked to stop (its next
    // report raises Pruned) and its end is recorded as a timeout.
    t->timeout = std::make_unique<asio::steady_timer>(io_);
    t->timeout->expires_after(
        std::chrono::milliseconds(static_cast<int64_t>(t->launch.timeout_s * 1000)));
    t->timeout->async_wait(
        [this, weak = std::weak_ptr<Trial>(t), id](const boost::system::error_code& ec) {
          auto trial = weak.lock();
          if (ec || !trial || trial->ending) return;
          trial->timed_out = true;
          Stop(id, "timed out after " + FormatPythonFloat(trial->launch.timeout_s) + "s", 0);
        });
  }
  if (!polling_) PollMetrics();
}

void InProcessExecutor::Stop(const std::string& trial_id, const std::string& reason, double) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end() || it->second->ending) return;
  Trial& t = *it->second;
  t.stop_reason = reason;
  if (closed_) {
    TrialEnd end;
    end.kind = TrialEnd::Kind::kStopped;
    end.reason = reason;
    End(trial_id, std::move(end));
    return;
  }
  if (t.stop_sent) return;
  t.stop_sent = true;
  Send({{"type", "stop"}, {"id", trial_id}, {"reason", reason}});
}

void InProcessExecutor::Kill(const std::string& trial_id) {
  auto it = trials_.find(trial_id);
  if (it == trials_.end() || it->second->ending) return;
  TrialEnd end;
  end.kind = TrialEnd::Kind::kStopped;
  end.reason = it->second->stop_reason.empty() ? "killed" : it->second->stop_reason;
  killed_.insert(trial_id);
  End(trial_id, std::move(end));
}

void InProcessExecutor::Release(const std::string& trial_id) {
  auto it = taken_.find(trial_id);
  if (it == taken_.end()) return;
  free_.push_back(it->second);
  taken_.erase(it);
  trials_.erase(trial_id);
}

double InProcessExecutor::Close(bool interrupted) {
  if (!closed_) Send({{"type", "close"}, {"interrupted", interrupted}});
  return 0;
}

void InProcessExecutor::Send(const Value& message) {
  if (closed_ || !out_.is_open()) return;
  std::string line = message.dump(-1, ' ', false, Value::error_handler_t::replace) + "\n";
  boost::system::error_code ec;
  asio::write(out_, asio::buffer(line), ec);
  if (ec) OnClosed("writing to the Python process failed: " + ec.message());
}

void InProcessExecutor::ReadNext() {
  asio::async_read_until(
      in_, buf_, '\n',
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec, size_t n) {
        if (!alive.lock()) return;
        if (ec) {
          OnClosed(ec == asio::error::eof ? "the Python process closed the channel"
                   : ec == asio::error::not_found
                       ? "a line from the Python process is over 64 KiB"
                       : "reading from the Python process failed: " + ec.message());
          return;
        }
        std::string line(asio::buffers_begin(buf_.data()),
                         asio::buffers_begin(buf_.data()) + static_cast<std::ptrdiff_t>(n - 1));
        buf_.consume(n);
        OnLine(line);
        if (!closed_) ReadNext();
      });
}

void InProcessExecutor::OnLine(const std::string& line) {
  Value msg = Value::parse(line, nullptr, false);
  const auto str = [&msg](const char* key) -> std::string {
    auto it = msg.is_object() ? msg.find(key) : msg.end();
    return it != msg.end() && it->is_string() ? it->get<std::string>() : "";
  };
  if (msg.is_discarded() || !msg.is_object() || str("type") != "end") {
    OnClosed("the Python process sent a malformed line: " + ValidUtf8(line.substr(0, 200)));
    return;
  }
  const std::string id = str("id"), status = str("status");
  auto it = trials_.find(id);
  if (it == trials_.end() || it->second->ending) {
    // An end for a trial Kill() already ended is expected; anything else is not.
    if (it != trials_.end() || killed_.count(id)) return;
    OnClosed("the Python process ended trial '" + ValidUtf8(id.substr(0, 100)) +
             "', which it does not hold");
    return;
  }
  if (status != "ok" && status != "pruned" && status != "failed") {
    OnClosed("the Python process sent an end with an unknown status '" +
             ValidUtf8(status.substr(0, 50)) + "'");
    return;
  }
  TrialEnd end;
  if (it->second->timed_out) {
    end.kind = TrialEnd::Kind::kTimedOut;
    end.reason = it->second->stop_reason + " (the function ended at its next report)";
  } else if (status == "ok") {
    end.kind = TrialEnd::Kind::kExited;
    end.exit.exit_code = 0;
  } else if (status == "pruned") {
    end.kind = TrialEnd::Kind::kStopped;
    end.exit.exit_code = 0;
    end.reason = it->second->stop_reason.empty() ? "pruned by the objective (raised Pruned)"
                                                 : it->second->stop_reason;
  } else {  // failed
    end.kind = TrialEnd::Kind::kExited;
    end.exit.exit_code = 1;
    end.stderr_tail = str("error");
    if (end.stderr_tail.size() > 4096)
      end.stderr_tail = end.stderr_tail.substr(end.stderr_tail.size() - 4096);
    end.stderr_tail = ValidUtf8(end.stderr_tail);
    // `sweep logs --stderr` shows the traceback, as it shows a program's stderr.
    (void)WriteTrialFile(it->second->launch.trial_dir, "stderr.log", end.stderr_tail);
  }
  End(id, std::move(end));
}

void InProcessExecutor::End(const std::string& id, TrialEnd end) {
  std::shared_ptr<Trial> t = trials_.at(id);
  t->ending = true;
  if (t->timeout) t->timeout->cancel();
  ReadMetrics(*t, true);
  end.started_at = t->started_at;
  end.ended_at = Now();
  end.malformed_lines = t->reader->malformed_lines();
  end.first_malformed = t->reader->first_malformed();
  // In order behind the trial's capture: reported.json, then the end is delivered.
  // Artifacts (track.artifacts) are hashed on the worker too, as the TrialRunner does.
  ArtifactOptions artifacts;
  const ProvenanceLaunch& p = t->launch.provenance;
  if (p.enabled && !p.artifacts.empty()) {
    artifacts.globs = p.artifacts;
    artifacts.trial_dir = t->launch.trial_dir;
    artifacts.workdir = t->launch.workdir;
    artifacts.max_bytes = p.artifact_max_bytes;
    artifacts.max_files = p.artifact_max_files;
  }
  worker_->Submit(
      [dir = t->launch.trial_dir, artifacts] {
        Value out = {{"reported", ReadReported(dir)}};
        if (!artifacts.globs.empty()) {
          ArtifactResult r = CollectArtifacts(artifacts);
          out["artifacts"] = std::move(r.files);
          out["warnings"] = std::move(r.warnings);
        }
        return out;
      },
      [this, t, id, end = std::move(end)](Value read) mutable {
        if (t->launch.provenance.enabled) {
          end.provenance = std::move(t->provenance);
          if (read.contains("artifacts")) {
            end.provenance["artifacts"] = std::move(read["artifacts"]);
            for (auto& w : read["warnings"]) end.provenance["warnings"].push_back(std::move(w));
          }
        }
        if (!read["reported"].is_null()) {
          if (!end.provenance.is_object()) end.provenance = Value::object();
          end.provenance[kReportedKey] = std::move(read["reported"]);
        }
        if (events_.on_end) events_.on_end(id, end, EndCause::kEnded);
      });
}

void InProcessExecutor::PollMetrics() {
  polling_ = false;
  for (auto& [id, t] : trials_)
    if (!t->ending) ReadMetrics(*t, false);
  if (trials_.empty()) return;
  polling_ = true;
  poll_.expires_after(std::chrono::milliseconds(100));
  poll_.async_wait(
      [this, alive = std::weak_ptr<bool>(alive_)](const boost::system::error_code& ec) {
        if (!ec && alive.lock()) PollMetrics();
      });
}

void InProcessExecutor::ReadMetrics(Trial& t, bool final) {
  if (!t.launch.reading.metrics_file) return;
  std::vector<ParsedPoint> points;
  const double wall = Now();
  t.tailer->ReadLines(
      [&](std::string_view line) {
        auto parsed = t.reader->ParseJsonLine(line, wall);
        points.insert(points.end(), std::make_move_iterator(parsed.begin()),
                      std::make_move_iterator(parsed.end()));
      },
      final);
  for (; t.skipped_seen < t.tailer->skipped_long_lines(); ++t.skipped_seen)
    t.reader->NoteMalformed("(metrics line longer than " +
                            std::to_string(t.launch.reading.max_line_bytes) + " bytes)");
  if (!points.empty() && events_.on_metrics)
    events_.on_metrics(t.launch.trial_id, std::move(points));
}

void InProcessExecutor::OnClosed(const std::string& why) {
  if (closed_) return;
  closed_ = true;
  boost::system::error_code ec;
  in_.close(ec);
  out_.close(ec);
  // The same as Ctrl-C for the controller: it stops the running trials (Stop() ends
  // them at once now), records them as lost and marks the sweep interrupted, so that
  // it can be continued. A normal end (the sweep done, then Python closes) finds the
  // loop already stopped and the signal is ignored by the caller's handler.
  if (why != "the Python process closed the channel")
    std::fprintf(stderr, "error: %s\n", why.c_str());
  ::raise(SIGINT);
}

}  // namespace sweep

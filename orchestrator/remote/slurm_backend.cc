// How it works. Every Slurm command is found on SlurmOptions::path (else $PATH) by this
// file, so a missing command gives a message about Slurm rather than an exec error,
// and is run through Subprocess (posix_spawn, own process group, killed at the
// timeout) with its stdout and stderr captured; Slurm's stderr is its error message.
// The backend keeps the list of jobs it submitted and of their array tasks; Poll asks
// squeue about all of them at once (-r expands pending arrays, -t all keeps ended jobs
// until slurmctld purges them after MinJobAge), then sacct about the ones squeue no
// longer lists. Without accounting (sacct says so once, then is not asked again) a task
// that vanished from squeue before a poll saw it end is marked GONE: ended, cause unknown.
// A replacement is a one-task array (--array=<index>) so its SLURM_ARRAY_TASK_ID, and
// the agent name the batch script derives from it, keep the slot's index.
#include "orchestrator/remote/slurm_backend.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <thread>

#include "agents/runtime/subprocess.h"

extern char** environ;

namespace sweep {
namespace {

using CommandResult = CommandOutput;

// Runs a Slurm command (argv[0] an absolute path) to completion or timeout_s; a
// non-zero exit is a result whose stderr is the Slurm message callers show.
Result<CommandResult> RunSlurm(const std::vector<std::string>& argv, double timeout_s) {
  auto r = RunCommand(argv, timeout_s);
  if (!r.ok() && r.status().message().find("timed out") != std::string::npos)
    return Status::Io(argv[0] + " did not answer within " + std::to_string(timeout_s) +
                      " s (is slurmctld up?)");
  return r;
}

// Slurm's stderr as one line: lines joined with "; ", blank ones dropped, bounded.
std::string OneLine(const std::string& text) {
  std::string out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    while (!line.empty() && (line.back() == '\r' || line.back() == ' ')) line.pop_back();
    if (line.empty()) continue;
    if (!out.empty()) out += "; ";
    out += line;
  }
  if (out.size() > 2000) out = out.substr(0, 2000) + "...";
  return out;
}

std::string HowItEnded(const CommandResult& r) {
  std::string how = r.exit.signal ? "was killed by signal " + std::to_string(r.exit.signal)
                                  : "exited with code " + std::to_string(r.exit.exit_code);
  std::string msg = OneLine(r.err);
  return msg.empty() ? how : msg;
}

std::string JoinIds(const std::vector<std::string>& ids) {
  std::string s;
  for (const std::string& id : ids) s += (s.empty() ? "" : ",") + id;
  return s;
}

// A file-name-safe form of the sweep id.
std::string SafeName(const std::string& id) {
  std::string s;
  for (char c : id)
    s += (std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_') ? c : '_';
  return s.empty() ? "sweep" : s;
}

SlurmTask NewTask(const std::string& job_id, int index) {
  SlurmTask t;
  t.job_id = job_id;
  t.index = index;
  return t;
}

double Now() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Finds a Slurm command on the configured search path.
std::optional<std::string> FindProgram(const std::string& name, const std::string& path) {
  std::string search = path;
  if (search.empty()) {
    const char* env = std::getenv("PATH");
    search = env ? env : "";
  }
  size_t start = 0;
  while (start <= search.size()) {
    size_t end = search.find(':', start);
    if (end == std::string::npos) end = search.size();
    std::string dir = search.substr(start, end - start);
    start = end + 1;
    if (dir.empty()) continue;
    std::string candidate = dir + "/" + name;
    struct stat st;
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
        ::access(candidate.c_str(), X_OK) == 0)
      return candidate;
  }
  return std::nullopt;
}

Status NotFound(const std::string& name) {
  return Status::NotFound(name + " not found on PATH: is this a Slurm login node?");
}

}  // namespace

SlurmBackend::SlurmBackend(SlurmOptions options) : options_(std::move(options)) {}

Result<std::string> SlurmBackend::Submit(int n_tasks, const std::vector<std::string>& agent_argv,
                                         const std::vector<std::string>& sbatch_flags,
                                         const std::string& log_dir) {
  if (n_tasks < 1) return Status::Usage("Slurm agents: need at least 1 task");
  std::lock_guard<std::mutex> lock(mu_);
  auto id = SubmitLocked("0-" + std::to_string(n_tasks - 1), agent_argv, sbatch_flags, log_dir);
  if (!id.ok()) return id;
  for (int i = 0; i < n_tasks; ++i) tasks_.push_back(NewTask(*id, i));
  return id;
}

Result<std::string> SlurmBackend::SubmitLocked(const std::string& array,
                                               const std::vector<std::string>& argv,
                                               const std::vector<std::string>& flags,
                                               const std::string& log_dir) {
  if (argv.empty()) return Status::Usage("Slurm agents: the agent command is empty");
  if (Status s = CheckSbatchFlags(flags); !s.ok()) return s;
  auto sbatch = FindProgram("sbatch", options_.path);
  if (!sbatch) return NotFound("sbatch");

  std::error_code ec;
  const std::string dir = std::filesystem::absolute(log_dir.empty() ? "." : log_dir, ec).string();
  std::filesystem::create_directories(dir, ec);
  if (ec) return Status::Io("cannot create the Slurm log folder " + dir + ": " + ec.message());
  const std::string script = dir + "/sweep-" + SafeName(options_.sweep_id) + ".sbatch";
  {
    const std::string tmp = script + ".tmp";
    std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
    f << SlurmBatchScript(argv, options_.agent_name_flag, options_.sweep_id);
    f.close();
    if (!f || ::chmod(tmp.c_str(), 0700) != 0 || ::rename(tmp.c_str(), script.c_str()) != 0)
      return Status::Io("cannot write the Slurm batch script " + script);
  }

  std::vector<std::string> cmd = {*sbatch, "--parsable", "--array=" + array};
  cmd.insert(cmd.end(), flags.begin(), flags.end());
  cmd.push_back("--job-name=sweep-" + options_.sweep_id);
  // sbatch expands %-patterns in --output: a '%' in the folder name must stay literal.
  std::string literal_dir;
  for (char c : dir) literal_dir += c == '%' ? std::string("%%") : std::string(1, c);
  cmd.push_back("--output=" + literal_dir + "/slurm-%A_%a.out");
  cmd.push_back(script);
  auto r = RunSlurm(cmd, options_.command_timeout_s);
  if (!r.ok()) return r.status();
  if (!r->exit.ok()) return Status::Io("sbatch refused the agent job: " + HowItEnded(*r));
  // --parsable prints "<job id>" or "<job id>;<cluster>".
  std::string out = r->out.substr(0, r->out.find_first_of(";\n"));
  if (out.empty() || out.find_first_not_of("0123456789") != std::string::npos)
    return Status::Io("sbatch printed no job id (got '" + OneLine(r->out) + "')");
  jobs_.push_back(Job{out, argv, flags, dir});
  return out;
}

void SlurmBackend::Adopt(const std::string& job_id, const std::vector<int>& indices,
                         const std::vector<std::string>& agent_argv,
                         const std::vector<std::string>& sbatch_flags, const std::string& log_dir) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!FindJob(job_id)) jobs_.push_back(Job{job_id, agent_argv, sbatch_flags, log_dir});
  for (int i : indices) {
    bool known = false;
    for (const SlurmTask& t : tasks_) known = known || (t.job_id == job_id && t.index == i);
    if (!known) tasks_.push_back(NewTask(job_id, i));
  }
}

const SlurmBackend::Job* SlurmBackend::FindJob(const std::string& id) const {
  for (const Job& j : jobs_)
    if (j.id == id) return &j;
  return nullptr;
}

Status SlurmBackend::PollLocked() {
  if (tasks_.empty()) return Status::Ok();
  auto squeue = FindProgram("squeue", options_.path);
  if (!squeue) return NotFound("squeue");

  std::map<std::string, SlurmRow> rows;  // by task id
  auto query = [&](const std::vector<std::string>& ids) -> Status {
    auto r = RunSlurm(
        {*squeue, "-h", "-r", "-t", "all", "-j", JoinIds(ids), "-o", std::string(kSqueueFormat)},
        options_.command_timeout_s);
    if (!r.ok()) return r.status();
    if (!r->exit.ok()) {
      // A single purged id is an error for squeue; for us it only means "not listed".
      if (r->err.find("Invalid job id") != std::string::npos) return Status::Ok();
      return Status::Io("squeue failed: " + HowItEnded(*r));
    }
    std::istringstream in(r->out);
    std::string line;
    while (std::getline(in, line)) {
      auto row = ParseSqueueLine(line);
      if (row && row->index >= 0) rows[row->job_id + "_" + std::to_string(row->index)] = *row;
    }
    return Status::Ok();
  };
  std::vector<std::string> ids;
  for (const Job& j : jobs_) ids.push_back(j.id);
  Status s = query(ids);
  if (!s.ok()) return s;
  if (rows.empty() && ids.size() > 1) {
    // squeue refuses the whole list when it takes one id as invalid: ask one by one.
    for (const std::string& id : ids)
      if (Status one = query({id}); !one.ok()) return one;
  }

  std::vector<std::string> missing;
  for (const SlurmTask& t : tasks_)
    if (t.phase != SlurmPhase::kEnded && !rows.count(t.id()) &&
        std::find(missing.begin(), missing.end(), t.job_id) == missing.end())
      missing.push_back(t.job_id);
  if (!missing.empty() && sacct_works_) {
    if (auto sacct = FindProgram("sacct", options_.path)) {
      auto r = RunSlurm(
          {*sacct, "-n", "-P", "-X", "-j", JoinIds(missing), "-o", std::string(kSacctFields)},
          options_.command_timeout_s);
      if (r.ok() && r->exit.ok()) {
        std::istringstream in(r->out);
        std::string line;
        while (std::getline(in, line)) {
          auto row = ParseSacctLine(line);
          if (row && row->index >= 0) {
            std::string key = row->job_id + "_" + std::to_string(row->index);
            if (!rows.count(key)) rows[key] = *row;
          }
        }
      } else if (r.ok() && r->err.find("disabled") != std::string::npos) {
        sacct_works_ = false;  // "Slurm accounting storage is disabled": do not ask again
      }
    } else {
      sacct_works_ = false;
    }
  }

  const double now = Now();
  for (SlurmTask& t : tasks_) {
    auto it = rows.find(t.id());
    if (it == rows.end()) {
      if (t.phase != SlurmPhase::kEnded) {
        t.state = std::string(kGoneState);
        t.phase = SlurmPhase::kEnded;
      }
      continue;
    }
    const SlurmRow& row = it->second;
    t.state = row.state;
    t.phase = PhaseOfState(row.state);
    if (!row.node.empty()) t.node = row.node;
    if (!row.reason.empty()) t.reason = row.reason;
    if (row.submit_epoch > 0) {
      if (t.phase == SlurmPhase::kPending)
        t.pending_s = std::max(0.0, now - row.submit_epoch);
      else if (row.start_epoch > 0)
        t.pending_s = std::max(0.0, row.start_epoch - row.submit_epoch);
    }
  }
  return Status::Ok();
}

Result<std::vector<SlurmTask>> SlurmBackend::Poll() {
  std::lock_guard<std::mutex> lock(mu_);
  if (Status s = PollLocked(); !s.ok()) return s;
  return tasks_;
}

Result<std::string> SlurmBackend::Replace(const SlurmTask& task) {
  std::lock_guard<std::mutex> lock(mu_);
  SlurmTask* known = nullptr;
  for (SlurmTask& t : tasks_)
    if (t.job_id == task.job_id && t.index == task.index) known = &t;
  if (!known)
    return Status::NotFound("Slurm task " + task.id() + " was not submitted by this sweep");
  if (known->phase != SlurmPhase::kEnded)
    return Status::Usage("Slurm task " + known->id() + " has not ended (" + known->state + ")");
  if (!known->replaced_by.empty())
    return Status::Usage("Slurm task " + known->id() + " was already replaced by " +
                         known->replaced_by);
  if (replacements_used_ >= options_.max_replacements)
    return Status::Io("Slurm task " + known->id() + " ended (" + known->state +
                      ") and is not replaced: backend.max_replacements (" +
                      std::to_string(options_.max_replacements) + ") are used up");
  const Job* job = FindJob(known->job_id);
  if (!job) return Status::Internal("no job record for Slurm task " + known->id());
  const Job copy = *job;  // SubmitLocked appends to jobs_, which may move *job
  const int index = known->index;
  auto id = SubmitLocked(std::to_string(index), copy.agent_argv, copy.sbatch_flags, copy.log_dir);
  if (!id.ok()) return id.status();
  ++replacements_used_;
  SlurmTask fresh = NewTask(*id, index);
  for (SlurmTask& t : tasks_)
    if (t.job_id == task.job_id && t.index == index) t.replaced_by = fresh.id();
  tasks_.push_back(fresh);
  return fresh.id();
}

Status SlurmBackend::CheckPending() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<PendingTask> pending;
  for (const SlurmTask& t : tasks_)
    if (t.phase == SlurmPhase::kPending) pending.push_back({t.id(), t.pending_s, t.reason});
  return CheckPendingTimeout(pending, options_.pending_timeout_s);
}

Status SlurmBackend::CancelAll(double wait_s) {
  std::lock_guard<std::mutex> lock(mu_);
  if (jobs_.empty()) return Status::Ok();
  auto scancel = FindProgram("scancel", options_.path);
  if (!scancel) return NotFound("scancel");
  std::vector<std::string> cmd = {*scancel};
  for (const Job& j : jobs_) cmd.push_back(j.id);
  auto r = RunSlurm(cmd, options_.command_timeout_s);
  if (!r.ok()) return r.status();
  if (!r->exit.ok()) {
    // Jobs that already ended (or were purged) are what we wanted; anything else is not.
    std::istringstream in(r->err);
    std::string line;
    while (std::getline(in, line)) {
      if (line.empty() || line.find("already completing or completed") != std::string::npos ||
          line.find("Invalid job id") != std::string::npos)
        continue;
      return Status::Io("scancel failed: " + HowItEnded(*r));
    }
  }
  const auto deadline = std::chrono::steady_clock::now() +
                        std::chrono::milliseconds(static_cast<int64_t>(wait_s * 1000));
  while (true) {
    if (Status s = PollLocked(); !s.ok()) return s;
    std::string alive;
    for (const SlurmTask& t : tasks_) {
      if (t.phase == SlurmPhase::kEnded) continue;
      alive += (alive.empty() ? "" : ", ") + t.id() + " (" + t.state +
               (t.node.empty() ? "" : " on " + t.node) + ")";
    }
    if (alive.empty()) return Status::Ok();
    if (std::chrono::steady_clock::now() >= deadline)
      return Status::Io("Slurm jobs still alive " + std::to_string(static_cast<int>(wait_s)) +
                        " s after scancel: " + alive);
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

std::vector<std::string> SlurmBackend::JobIds() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const Job& j : jobs_) ids.push_back(j.id);
  return ids;
}

int SlurmBackend::replacements_used() const {
  std::lock_guard<std::mutex> lock(mu_);
  return replacements_used_;
}

}  // namespace sweep

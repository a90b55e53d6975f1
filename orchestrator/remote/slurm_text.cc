// Slurm text in and out. squeue and sacct are asked for '|'-separated fields (no field
// we read can contain '|': job ids, state words, node lists, reason words and
// timestamps), so a line splits without guessing column widths. Array task ids look
// like "123_4"; a pending array that squeue did not expand ("123_[4-7]") is not read,
// which is why the backend always passes -r. Times are Slurm's local-time
// "YYYY-MM-DDTHH:MM:SS", turned into epoch seconds with mktime.
#include "orchestrator/remote/slurm_text.h"

#include <algorithm>
#include <array>
#include <cstdio>
#include <ctime>

#include "base/shell_quote.h"
#include "orchestrator/report/report_format.h"

namespace sweep {
namespace {

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t at = s.find(sep, start);
    if (at == std::string_view::npos) {
      out.push_back(s.substr(start));
      return out;
    }
    out.push_back(s.substr(start, at - start));
    start = at + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return s;
}

bool AllDigits(std::string_view s) {
  return !s.empty() && s.size() <= 18 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "123_4" -> ("123", 4); "123" -> ("123", -1); anything else (e.g. "123_[4-7]",
// "123.batch") -> false.
bool ParseJobId(std::string_view id, SlurmRow& row) {
  size_t us = id.find('_');
  std::string_view job = id.substr(0, us);
  if (!AllDigits(job)) return false;
  row.job_id = std::string(job);
  if (us == std::string_view::npos) return true;
  std::string_view index = id.substr(us + 1);
  if (!AllDigits(index) || index.size() > 9) return false;
  row.index = std::stoi(std::string(index));
  return true;
}

std::string FirstWord(std::string_view s) {
  s = Trim(s);
  return std::string(s.substr(0, s.find(' ')));
}

bool StartsWith(const std::string& s, std::string_view prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

SlurmPhase PhaseOfState(std::string_view state) {
  static constexpr std::array<std::string_view, 6> kPending = {
      "PENDING", "REQUEUED", "REQUEUE_FED", "REQUEUE_HOLD", "RESV_DEL_HOLD", "PD"};
  static constexpr std::array<std::string_view, 14> kEnded = {
      "COMPLETED", "COMPLETING",   "FAILED",        "CANCELLED", "TIMEOUT",
      "NODE_FAIL", "PREEMPTED",    "OUT_OF_MEMORY", "BOOT_FAIL", "DEADLINE",
      "REVOKED",   "SPECIAL_EXIT", "GONE",          "CA"};
  std::string word = FirstWord(state);
  for (std::string_view p : kPending)
    if (word == p) return SlurmPhase::kPending;
  for (std::string_view e : kEnded)
    if (word == e) return SlurmPhase::kEnded;
  return SlurmPhase::kActive;
}

std::optional<double> ParseSlurmTime(std::string_view text) {
  std::string s(Trim(text));
  std::tm tm{};
  int consumed = 0;
  if (std::sscanf(s.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &tm.tm_year, &tm.tm_mon, &tm.tm_mday,
                  &tm.tm_hour, &tm.tm_min, &tm.tm_sec, &consumed) != 6 ||
      consumed != static_cast<int>(s.size()))
    return std::nullopt;
  tm.tm_year -= 1900;
  tm.tm_mon -= 1;
  tm.tm_isdst = -1;
  std::time_t t = std::mktime(&tm);
  if (t == static_cast<std::time_t>(-1)) return std::nullopt;
  return static_cast<double>(t);
}

std::optional<SlurmRow> ParseSqueueLine(std::string_view line) {
  auto f = Split(Trim(line), '|');
  if (f.size() != 6) return std::nullopt;
  SlurmRow row;
  if (!ParseJobId(Trim(f[0]), row)) return std::nullopt;
  row.state = FirstWord(f[1]);
  if (row.state.empty()) return std::nullopt;
  row.node = std::string(Trim(f[2]));
  if (row.node == "(null)" || row.node == "None assigned") row.node.clear();
  row.reason = std::string(Trim(f[3]));
  row.submit_epoch = ParseSlurmTime(f[4]).value_or(0);
  // squeue %S is the expected start for a pending job: only a started job has a start.
  if (PhaseOfState(row.state) != SlurmPhase::kPending)
    row.start_epoch = ParseSlurmTime(f[5]).value_or(0);
  return row;
}

std::optional<SlurmRow> ParseSacctLine(std::string_view line) {
  auto f = Split(Trim(line), '|');
  if (f.size() != 5) return std::nullopt;
  SlurmRow row;
  if (!ParseJobId(Trim(f[0]), row)) return std::nullopt;
  row.state = FirstWord(f[1]);
  if (row.state.empty()) return std::nullopt;
  row.node = std::string(Trim(f[2]));
  if (row.node == "None assigned") row.node.clear();
  row.submit_epoch = ParseSlurmTime(f[3]).value_or(0);
  if (PhaseOfState(row.state) != SlurmPhase::kPending)
    row.start_epoch = ParseSlurmTime(f[4]).value_or(0);
  return row;
}

std::string SlurmBatchScript(const std::vector<std::string>& agent_argv,
                             const std::string& name_flag, const std::string& sweep_id) {
  std::string s = "#!/bin/sh\n";
  s += "# Written by sweep: one agent of sweep " + ShellQuoteForDisplay(sweep_id) +
       ", submitted with sbatch --array.\n";
  s += "# Every word below is single-quoted; only the agent name is expanded, from Slurm's\n";
  s += "# environment (a replacement task keeps the index of the task it replaces).\n";
  s += "exec";
  // ShellQuoteForDisplay quotes every word with anything but [A-Za-z0-9-_./=:,+@%], and
  // `exec` first means no word is ever read as an assignment or a keyword.
  for (const std::string& word : agent_argv) s += " " + ShellQuoteForDisplay(word);
  if (!name_flag.empty()) {
    s += " " + ShellQuoteForDisplay(name_flag) +
         " \"slurm-${SLURM_ARRAY_JOB_ID:-$SLURM_JOB_ID}-${SLURM_ARRAY_TASK_ID:-0}\"";
  }
  s += "\n";
  return s;
}

Status CheckSbatchFlags(const std::vector<std::string>& flags) {
  struct Owned {
    std::string_view long_name;
    std::string_view short_name;
    std::string_view why;
  };
  static constexpr std::array<Owned, 4> kOwned = {{
      {"--array", "-a", "sweep submits the job array itself (backend.agents sets its size)"},
      {"--wrap", "", "the agent command is sweep's own batch script"},
      {"--job-name", "-J", "sweep names its jobs sweep-<sweep id> to find them again"},
      {"--output", "-o", "agent logs go to the sweep's folder, slurm-%A_%a.out"},
  }};
  for (const std::string& flag : flags) {
    for (const Owned& o : kOwned) {
      bool hit = flag == o.long_name || StartsWith(flag, std::string(o.long_name) + "=");
      if (!o.short_name.empty()) hit = hit || StartsWith(flag, o.short_name);
      if (hit)
        return Status::Usage("sbatch flag '" + flag + "' is set by sweep: " + std::string(o.why));
    }
  }
  return Status::Ok();
}

std::vector<std::string> SlurmGpuFlags(int workers_per_agent, int gpus_per_trial,
                                       const std::vector<std::string>& user_flags) {
  if (workers_per_agent <= 0 || gpus_per_trial <= 0) return {};
  for (const std::string& f : user_flags)
    if (StartsWith(f, "--gres") || StartsWith(f, "--gpus") || StartsWith(f, "-G")) return {};
  return {"--gres=gpu:" +
          std::to_string(static_cast<long long>(workers_per_agent) * gpus_per_trial)};
}

Status CheckPendingTimeout(const std::vector<PendingTask>& tasks, double timeout_s) {
  if (timeout_s <= 0) return Status::Ok();
  for (const PendingTask& t : tasks) {
    if (t.pending_s <= timeout_s) continue;
    std::string reason = t.reason.empty() || t.reason == "None" ? "none given" : t.reason;
    return Status::Io("Slurm job " + t.id + " has been pending for " + FormatDuration(t.pending_s) +
                      ", past backend.pending_timeout (" + FormatDuration(timeout_s) +
                      "); Slurm's pending reason: " + reason + " (see `squeue -j " + t.id +
                      " -o %r` and `scontrol show job " + t.id + "`)");
  }
  return Status::Ok();
}

}  // namespace sweep

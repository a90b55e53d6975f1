// The read commands of the CLI: ls, status, top, show, metrics, logs, compare, export,
// and the two small writes note and tag.
//
// Each command reads the store, writes its result to ctx.out (text, or JSON with
// ctx.json; shapes in schemas/cli-json.md) and problems to ctx.err, and returns the
// process exit code: 0 ok, 1 not found / store or I/O error, 2 usage error. They
// never throw. A sweep argument "" means the latest sweep; sweep and trial arguments
// may be unique id prefixes. All work while a sweep runs: they only read records, and
// tolerate trials in any state. The CLI wiring (CLI11) and `status --watch` live in
// the caller. Not thread-safe: one command per context at a time.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include "orchestrator/store/trial_store.h"

namespace sweep {

struct ReadContext {
  ReadContext(TrialStore& store_in, std::ostream& out_in, std::ostream& err_in)
      : store(store_in), out(out_in), err(err_in) {}

  TrialStore& store;
  std::ostream& out;
  std::ostream& err;
  bool json = false;          // print JSON instead of text
  size_t terminal_width = 0;  // fit tables to this many columns; 0 = no limit
  // Current time in seconds since the epoch (elapsed time of running sweeps);
  // empty = the system clock. Tests pin it.
  std::function<double()> now;
  // How `logs --follow` waits between polls; empty = sleep follow_interval. Tests
  // replace it to append output and change the trial's status deterministically.
  std::function<void()> sleep;
  std::chrono::milliseconds follow_interval{500};
};

// Every sweep, oldest first: id, name, status, method, metric, trial counts, best.
int CmdLs(ReadContext& ctx);

// One sweep's progress: trial counts by status, planned total (from options
// max_trials / space_size), best value and its trial, elapsed time, status and reason.
int CmdStatus(ReadContext& ctx, const std::string& sweep);

struct TopOptions {
  size_t k = 10;       // rows shown; 0 = every trial
  std::string metric;  // "" = the sweep's target metric
  std::string goal;    // "" = the sweep's goal; else "minimize" | "maximize"
  // Also rank the warm start's prior trials (store/warm_start_record.h); default off,
  // so a warm-started sweep's ranking is its own trials.
  bool with_prior = false;
};
// The k best trials of a sweep (ranking rules in orchestrator/store/ranking.h), with status
// and params. Trials without a value are listed last as "no value".
int CmdTop(ReadContext& ctx, const std::string& sweep, const TopOptions& options);

// One trial in full: params, summary metrics, status with exit code / signal /
// reason, times and duration, host / agent / slot / gpus, argv (shell-quoted for
// display), trial dir and log paths, stderr tail of failed trials, notes, tags.
int CmdShow(ReadContext& ctx, const std::string& trial);

// A trial's metric series (every metric, or `name` only): a table, CSV with `csv`,
// or JSON with ctx.json (which wins over csv).
int CmdMetrics(ReadContext& ctx, const std::string& trial, const std::string& name, bool csv);

// Where a trial's captured output lives: trial_dir/stdout.log or trial_dir/stderr.log
// ("" when the trial has no folder yet). The controller writes the logs there; show
// and logs read them from there.
std::string TrialLogPath(const TrialRecord& trial, bool stderr_stream);

// Copies trial_dir/stdout.log (stderr.log with stderr_stream) to ctx.out as bytes.
// With follow, keeps printing what is appended, re-reading the trial's status after
// each wait, until the trial has ended (then prints the rest and returns 0). A log
// that shrinks (its tail kept) is read again from its start.
int CmdLogs(ReadContext& ctx, const std::string& trial, bool stderr_stream, bool follow);

// `sweep logs --controller SWEEP`: copies the sweep's controller log (the current
// file, <store>/sweeps/<id>/controller.log) to ctx.out. Opened with O_NOFOLLOW: a
// symbolic link in its place is refused (exit 1). kNotFound when the sweep has none
// (launched by a version without it).
int CmdControllerLog(ReadContext& ctx, const std::string& sweep);

// Two or more trials side by side: status, value, exit code, params and summary
// metrics (last values); rows whose values differ are marked '*' in the first column.
int CmdCompare(ReadContext& ctx, const std::vector<std::string>& trials);

// One row per trial of a sweep, format "csv" (RFC 4180) or "json": id, number,
// status, value, exit_code, signal, started_at, ended_at, duration, params.<name>,
// metrics.<name> (last value). Ignores ctx.json: the format says it.
int CmdExport(ReadContext& ctx, const std::string& sweep, const std::string& format);

// Adds a note (non-empty text) to a trial.
int CmdNote(ReadContext& ctx, const std::string& trial, const std::string& text);

// Adds tags to a trial; a tag is 1..64 characters without whitespace or commas.
int CmdTag(ReadContext& ctx, const std::string& trial, const std::vector<std::string>& tags);

}  // namespace sweep

// Internals shared by the read commands' source files (report_*.cc): record lookup
// with clear not-found messages, error reporting, and the JSON pieces several
// commands print the same way. Not part of the CLI's interface.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/report/read_commands.h"
#include "orchestrator/store/ranking.h"

namespace sweep {

// Prints "error: <message>" to ctx.err and returns status.ExitCode().
int Fail(ReadContext& ctx, const Status& status);

// The sweep for a CLI argument ("" = latest); not found becomes a message naming the
// argument and the store.
Result<SweepRecord> LookupSweep(ReadContext& ctx, const std::string& arg);
// Without `with_summary` the trial's summary is left null and never parsed.
Result<TrialRecord> LookupTrial(ReadContext& ctx, const std::string& arg, bool with_summary = true);

// ctx.now(), or the system clock.
double Now(const ReadContext& ctx);

// Writes the value as indented JSON and a newline.
void PrintJson(ReadContext& ctx, const Value& v);

// Trials per status word, every status present (zeros included).
std::map<TrialStatus, uint64_t> CountByStatus(const std::vector<TrialRecord>& trials);
Value CountsJson(const std::map<TrialStatus, uint64_t>& counts);

// The trial's summary JSON with every number normalized by JsonNumber, so NaN and
// infinities print as strings (null fields stay null); metrics sorted by name, fields
// in the documented order (SummaryForOutput).
Value SummaryJson(const TrialRecord& trial);

// The last reported value of `metric` (null in stored JSON counts as NaN).
std::optional<double> LastValue(const TrialRecord& trial, const std::string& metric);

// Metric names of the trials' summaries, sorted. Linear in the names per trial (each
// summary is already sorted), not a sort of them all.
std::vector<std::string> SummaryMetricNames(const std::vector<TrialRecord>& trials);
// {metric: last value (JsonNumber)} for each of `names` (sorted, unique, e.g. from
// SummaryMetricNames) the trial reported, in that order. Appends to the object's
// storage: an ordered object would otherwise search its keys on every insert.
Value LastValuesJson(const TrialRecord& trial, const std::vector<std::string>& names);
// Parameter names of the trials, in order of first appearance.
std::vector<std::string> ParamNames(const std::vector<TrialRecord>& trials);

// Seconds from start to end (or to now for a running trial); nullopt before start.
std::optional<double> TrialDuration(const ReadContext& ctx, const TrialRecord& trial);

// "finished", "failed (exit code 1)", "failed (killed by signal 9 (SIGKILL))",
// with the reason appended after " - " when there is one.
std::string DescribeTrialStatus(const TrialRecord& trial);

// The ranking's value for each trial of a sweep (target metric, sweep's goal), by
// index; every entry nullopt when the sweep has no target metric.
std::vector<std::optional<double>> TargetValues(const SweepRecord& sweep,
                                                const std::vector<TrialRecord>& trials);

}  // namespace sweep

// Formatting shared by the read commands: times, durations, numbers, JSON values,
// shell quoting for display, and the status words.
//
// Conventions every read command follows (documented in schemas/cli-json.md):
// - times are ISO-8601 UTC strings with milliseconds ("2026-11-26T22:45:08.123Z");
//   a time that has not happened (0 in a record) is null in JSON and empty in text;
// - a non-finite number is the JSON string "NaN", "Infinity" or "-Infinity" (JSON has
//   no literal for them and null already means "no value");
// - JSON text is dumped with invalid UTF-8 replaced by U+FFFD, so trial output can
//   never make a command throw.
// All functions are pure and thread-safe.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/store/records.h"

namespace sweep {

// "2026-11-26T22:45:08.123Z"; "" for t <= 0 or a time that is not finite.
std::string FormatIsoTime(double epoch_seconds);
// FormatIsoTime as JSON: a string, or null when empty.
Value JsonTime(double epoch_seconds);

// Human duration: "850ms", "4.2s", "3m12s", "1h02m03s", "2d03h". Negative -> "0s".
std::string FormatDuration(double seconds);

// A double as JSON: a number when finite, else "NaN" / "Infinity" / "-Infinity".
Value JsonNumber(double v);
// JsonNumber, or null when there is no value.
Value JsonNumber(const std::optional<double>& v);
// The fields every per-trial JSON row of `export` and `compare` starts with: id, sweep,
// number, status, value (JsonNumber) and exit_code (null when none).
Value TrialRowHead(const TrialRecord& t, const std::optional<double>& value);
// Reads a number written by JsonNumber (or a plain JSON number); nullopt otherwise.
std::optional<double> NumberFromJson(const Value& v);

// For tables: six significant digits ("0.213457", "1.5e-07"), "NaN", "Infinity".
std::string FormatShortNumber(double v);
// For CSV and exact display: shortest round-trip digits ("0.1", "1e-05"),
// "NaN" / "Infinity" / "-Infinity".
std::string FormatExactNumber(double v);

// A parameter value for text and CSV: strings verbatim, everything else as compact
// JSON (numbers in shortest round-trip form with floats keeping their ".0",
// true/false, null, lists, mappings; non-finite floats as NaN / Infinity).
std::string FormatParam(const Value& v);

// Compact or indented JSON text that never throws on invalid UTF-8 (replaced).
std::string DumpJson(const Value& v, int indent = 2);

// One CSV field per RFC 4180: quoted (quotes doubled) when it holds a comma, a
// double quote, CR or LF; verbatim otherwise.
std::string CsvField(const std::string& s);

// POSIX shell quoting of one word for display ("it's" -> 'it'\''s'); words made of
// safe characters are left bare. Display only: commands are never run through a shell.
std::string ShellQuote(const std::string& word);
std::string ShellJoin(const std::vector<std::string>& argv);

// Every trial status in display order.
const std::vector<TrialStatus>& AllTrialStatuses();

// "killed by signal 9 (SIGKILL)"; the name is omitted for unknown signals.
std::string DescribeSignal(int signal);

}  // namespace sweep

// Formatting helpers for the read commands.
//
// Times: records keep seconds since the epoch as doubles; they are printed in UTC with
// millisecond precision via gmtime_r, so output never depends on the reader's time
// zone. Numbers: std::to_chars gives the shortest round-trip digits for exact output,
// "%.6g" the short form for tables. Non-finite numbers get the spellings that the
// metric JSON lines accept on input (NaN, Infinity, -Infinity).
#include "orchestrator/report/report_format.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <ctime>

namespace sweep {

std::string FormatIsoTime(double t) {
  if (!(t > 0) || !std::isfinite(t) || t > 253402300799.0) return "";  // year 9999
  auto whole = static_cast<time_t>(std::floor(t));
  int ms = static_cast<int>(std::floor((t - std::floor(t)) * 1000.0));
  if (ms > 999) ms = 999;
  struct tm tm {};
  if (gmtime_r(&whole, &tm) == nullptr) return "";
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, ms);
  return buf;
}

Value JsonTime(double t) {
  std::string s = FormatIsoTime(t);
  return s.empty() ? Value(nullptr) : Value(s);
}

std::string FormatDuration(double seconds) {
  if (!(seconds > 0) || !std::isfinite(seconds)) return "0s";
  seconds = std::min(seconds, 1e12);  // keeps the integer conversion defined
  char buf[64];
  if (seconds < 1) {
    std::snprintf(buf, sizeof buf, "%dms", static_cast<int>(seconds * 1000));
  } else if (seconds < 10) {
    std::snprintf(buf, sizeof buf, "%.1fs", std::floor(seconds * 10) / 10);
  } else {
    auto s = static_cast<long long>(seconds);
    long long d = s / 86400, h = (s / 3600) % 24, m = (s / 60) % 60, sec = s % 60;
    if (d > 0) {
      std::snprintf(buf, sizeof buf, "%lldd%02lldh", d, h);
    } else if (h > 0) {
      std::snprintf(buf, sizeof buf, "%lldh%02lldm%02llds", h, m, sec);
    } else if (m > 0) {
      std::snprintf(buf, sizeof buf, "%lldm%02llds", m, sec);
    } else {
      std::snprintf(buf, sizeof buf, "%llds", sec);
    }
  }
  return buf;
}

Value JsonNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  return v;
}

Value JsonNumber(const std::optional<double>& v) { return v ? JsonNumber(*v) : Value(nullptr); }

Value TrialRowHead(const TrialRecord& t, const std::optional<double>& value) {
  Value row = Value::object();
  row["id"] = t.id;
  row["sweep"] = t.sweep_id;
  row["number"] = t.number;
  row["status"] = TrialStatusName(t.status);
  row["value"] = JsonNumber(value);
  row["exit_code"] = t.exit_code ? Value(*t.exit_code) : Value(nullptr);
  return row;
}

std::optional<double> NumberFromJson(const Value& v) {
  if (v.is_number()) return v.get<double>();
  if (v.is_string()) {
    const auto& s = v.get_ref<const std::string&>();
    if (s == "NaN" || s == "nan") return std::nan("");
    if (s == "Infinity" || s == "inf") return HUGE_VAL;
    if (s == "-Infinity" || s == "-inf") return -HUGE_VAL;
  }
  return std::nullopt;
}

std::string FormatShortNumber(double v) {
  if (!std::isfinite(v)) return FormatExactNumber(v);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string FormatExactNumber(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  char buf[64];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, res.ptr);
}

std::string FormatParam(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  // JSON keeps 1.0 distinct from 1 (the program received different text); only
  // non-finite floats need our spelling, JSON would print null.
  if (v.is_number_float() && !std::isfinite(v.get<double>())) {
    return FormatExactNumber(v.get<double>());
  }
  return DumpJson(v, -1);
}

std::string DumpJson(const Value& v, int indent) {
  return v.dump(indent, ' ', false, Value::error_handler_t::replace);
}

std::string CsvField(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string ShellQuote(const std::string& word) {
  if (word.empty()) return "''";
  bool safe = true;
  for (unsigned char c : word) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              std::string_view("_@%+=:,./-").find(static_cast<char>(c)) != std::string::npos;
    if (!ok) {
      safe = false;
      break;
    }
  }
  if (safe) return word;
  std::string out = "'";
  for (char c : word) {
    if (c == '\'') {
      out += "'\\''";
    } else {
      out += c;
    }
  }
  out += '\'';
  return out;
}

std::string ShellJoin(const std::vector<std::string>& argv) {
  std::string out;
  for (const auto& a : argv) {
    if (!out.empty()) out += ' ';
    out += ShellQuote(a);
  }
  return out;
}

const std::vector<TrialStatus>& AllTrialStatuses() {
  static const std::vector<TrialStatus> kAll = {TrialStatus::kQueued,   TrialStatus::kRunning,
                                                TrialStatus::kFinished, TrialStatus::kFailed,
                                                TrialStatus::kStopped,  TrialStatus::kLost};
  return kAll;
}

std::string DescribeSignal(int signal) {
  std::string out = "killed by signal " + std::to_string(signal);
  const char* name = nullptr;
  switch (signal) {
    case SIGHUP:
      name = "SIGHUP";
      break;
    case SIGINT:
      name = "SIGINT";
      break;
    case SIGQUIT:
      name = "SIGQUIT";
      break;
    case SIGILL:
      name = "SIGILL";
      break;
    case SIGABRT:
      name = "SIGABRT";
      break;
    case SIGBUS:
      name = "SIGBUS";
      break;
    case SIGFPE:
      name = "SIGFPE";
      break;
    case SIGKILL:
      name = "SIGKILL";
      break;
    case SIGSEGV:
      name = "SIGSEGV";
      break;
    case SIGPIPE:
      name = "SIGPIPE";
      break;
    case SIGALRM:
      name = "SIGALRM";
      break;
    case SIGTERM:
      name = "SIGTERM";
      break;
    case SIGUSR1:
      name = "SIGUSR1";
      break;
    case SIGUSR2:
      name = "SIGUSR2";
      break;
    case SIGXCPU:
      name = "SIGXCPU";
      break;
    default:
      break;
  }
  if (name != nullptr) out += std::string(" (") + name + ")";
  return out;
}

}  // namespace sweep

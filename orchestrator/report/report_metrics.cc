// `sweep metrics` and `sweep logs`: a trial's time series and its captured output.
//
// metrics prints the store's points (ordered by name then step) as a table, CSV or
// JSON. logs copies the log file in 64 KiB chunks, so a 100 MB log never sits in
// memory in text mode; --follow re-opens the file at each poll from the last offset
// (a log whose tail was kept shrinks: then it is read again from its start) and stops
// once the store says the trial has ended, after one last read, so output written
// before the end is never lost. Logs are opened with OpenUnder (base/safe_open.h):
// a trial that replaced its log by a symlink gets a refusal, not the linked file.

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "base/safe_open.h"
#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/store_paths.h"

namespace sweep {
int CmdMetrics(ReadContext& ctx, const std::string& trial_arg, const std::string& name, bool csv) {
  auto trial = LookupTrial(ctx, trial_arg, /*with_summary=*/false);
  if (!trial.ok()) return Fail(ctx, trial.status());
  if (!name.empty()) {
    auto names = ctx.store.MetricNames(trial->id);
    if (!names.ok()) return Fail(ctx, names.status());
    if (std::find(names->begin(), names->end(), name) == names->end()) {
      std::string known;
      for (const auto& n : *names) known += (known.empty() ? "" : ", ") + n;
      return Fail(ctx, Status::NotFound("trial " + trial->id + " has no metric '" + name + "'" +
                                        (known.empty() ? " (it reported none)"
                                                       : " (it reported: " + known + ")")));
    }
  }
  MetricQuery query;
  query.trial_id = trial->id;
  query.name = name;
  auto points = ctx.store.GetMetrics(query);
  if (!points.ok()) return Fail(ctx, points.status());

  if (ctx.json) {
    // Streamed point by point: a million points as one nlohmann tree would take
    // hundreds of megabytes. The store orders by name then step; the stable sort
    // only guards against a store that does not, so no name is written twice.
    std::stable_sort(points->begin(), points->end(),
                     [](const MetricPoint& a, const MetricPoint& b) { return a.name < b.name; });
    ctx.out << "{\n  \"id\": " << DumpJson(trial->id, -1)
            << ",\n  \"sweep\": " << DumpJson(trial->sweep_id, -1) << ",\n  \"metrics\": {";
    const std::string* current = nullptr;
    for (const auto& p : *points) {
      if (current == nullptr || *current != p.name) {
        ctx.out << (current == nullptr ? "\n    " : "\n    ],\n    ") << DumpJson(p.name, -1)
                << ": [\n      ";
        current = &p.name;
      } else {
        ctx.out << ",\n      ";
      }
      ctx.out << DumpJson(
          {{"step", p.step}, {"value", JsonNumber(p.value)}, {"wall_time", JsonTime(p.wall)}}, -1);
    }
    ctx.out << (current == nullptr ? "}\n}\n" : "\n    ]\n  }\n}\n");
    return 0;
  }
  if (csv) {
    ctx.out << "metric,step,value,wall_time\r\n";
    for (const auto& p : *points) {
      ctx.out << CsvField(p.name) << ',' << p.step << ',' << FormatExactNumber(p.value) << ','
              << FormatIsoTime(p.wall) << "\r\n";
    }
    return 0;
  }
  if (points->empty()) {
    ctx.out << "trial " << trial->id << " has reported no metrics\n";
    return 0;
  }
  TextTable table({"METRIC", "STEP", "VALUE", "TIME"});
  table.SetAlign(2, Align::kRight);
  for (const auto& p : *points) {
    table.AddRow(
        {p.name, std::to_string(p.step), FormatShortNumber(p.value), FormatIsoTime(p.wall)});
  }
  ctx.out << table.Render(ctx.terminal_width);
  return 0;
}

namespace {

// Appends what trial_dir/<name> holds past `offset` to `sink`, chunk by chunk; a file
// shorter than offset was rotated or truncated and is read from the start. The file
// is opened with OpenUnder, so a log the trial replaced by a symlink (or a fifo) is
// refused, never followed: kNotFound when missing, kIo naming the refusal.
template <typename Sink>
Status ReadFrom(const std::string& trial_dir, const std::string& name, uint64_t& offset,
                Sink sink) {
  auto file = OpenUnder(trial_dir, name);
  if (!file.ok()) return file.status();
  if (file->size < offset) offset = 0;
  // Up to the size fstat saw: a log that grows meanwhile is read on the next round.
  while (offset < file->size) {
    size_t want = static_cast<size_t>(std::min<uint64_t>(file->size - offset, 1 << 16));
    auto chunk = ReadAt(*file, offset, want);
    if (!chunk.ok()) return chunk.status();
    if (chunk->empty()) break;
    offset += chunk->size();
    sink(std::string_view(*chunk));
  }
  return Status::Ok();
}

// The message for a log that could not be read: missing, or refused and why.
Status LogError(const Status& s, const TrialRecord& trial, const std::string& stream,
                const std::string& path) {
  if (s.code() != ErrorCode::kNotFound) {
    return Status::Io("trial " + trial.id + ": " + stream + " log refused: " + s.message());
  }
  return Status::NotFound("trial " + trial.id + " (" + TrialStatusName(trial.status) + ") has no " +
                          stream + " log" + (path.empty() ? "" : " at " + path));
}

// The runner creates a log on its first byte: a started trial (its folder exists)
// without the file printed nothing on that stream.
bool StartedWithoutLog(const Status& read, const TrialRecord& trial) {
  std::error_code ec;
  return read.code() == ErrorCode::kNotFound && trial.status != TrialStatus::kQueued &&
         !trial.trial_dir.empty() && std::filesystem::is_directory(trial.trial_dir, ec);
}

}  // namespace

int CmdControllerLog(ReadContext& ctx, const std::string& sweep_arg) {
  auto sweep = LookupSweep(ctx, sweep_arg);
  if (!sweep.ok()) return Fail(ctx, sweep.status());
  std::string path = ControllerLogPath(ctx.store.root(), sweep->id);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
  if (fd < 0) {
    int e = errno;
    if (e == ENOENT)
      return Fail(ctx,
                  Status::NotFound("sweep " + sweep->id + " has no controller log at " + path));
    if (e == ELOOP)
      return Fail(ctx, Status::Io("refusing to read " + path + ": it is a symbolic link"));
    return Fail(ctx, Status::Io("cannot open " + path + ": " + std::strerror(e)));
  }
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Fail(ctx, Status::Io("refusing to read " + path + ": not a regular file"));
  }
  std::string content;
  char buf[1 << 16];
  for (;;) {
    ssize_t n = ::read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) break;
    if (ctx.json) {
      content.append(buf, static_cast<size_t>(n));
    } else {
      ctx.out.write(buf, n);
    }
  }
  ::close(fd);
  if (ctx.json) PrintJson(ctx, {{"id", sweep->id}, {"path", path}, {"content", content}});
  ctx.out.flush();
  return 0;
}

std::string TrialLogPath(const TrialRecord& trial, bool stderr_stream) {
  if (trial.trial_dir.empty()) return "";
  return trial.trial_dir + (stderr_stream ? "/stderr.log" : "/stdout.log");
}

int CmdLogs(ReadContext& ctx, const std::string& trial_arg, bool stderr_stream, bool follow) {
  auto trial = LookupTrial(ctx, trial_arg, /*with_summary=*/false);
  if (!trial.ok()) return Fail(ctx, trial.status());
  const std::string stream = stderr_stream ? "stderr" : "stdout";
  std::string path = TrialLogPath(*trial, stderr_stream);

  if (!follow) {
    std::string content;
    uint64_t offset = 0;
    Status read = ReadFrom(trial->trial_dir, stream + ".log", offset, [&](std::string_view c) {
      if (ctx.json) {
        content.append(c);
      } else {
        ctx.out.write(c.data(), static_cast<std::streamsize>(c.size()));
      }
    });
    if (!read.ok() && !StartedWithoutLog(read, *trial))
      return Fail(ctx, LogError(read, *trial, stream, path));
    if (ctx.json) {
      PrintJson(ctx, {{"id", trial->id}, {"stream", stream}, {"path", path}, {"content", content}});
    }
    ctx.out.flush();
    return 0;
  }

  // Follow: print, wait, re-read the status; stop after the read that follows the
  // first status showing the trial ended.
  uint64_t offset = 0;
  TrialRecord current = *trial;
  for (;;) {
    bool ended = IsTerminal(current.status);
    path = TrialLogPath(current, stderr_stream);
    Status read = ReadFrom(current.trial_dir, stream + ".log", offset, [&](std::string_view c) {
      if (ctx.json) {
        ctx.out << DumpJson({{"id", current.id},
                             {"stream", stream},
                             {"path", path},
                             {"content", std::string(c)}},
                            -1)
                << "\n";
      } else {
        ctx.out.write(c.data(), static_cast<std::streamsize>(c.size()));
      }
    });
    ctx.out.flush();
    if (!ctx.out) return 1;  // the reader went away (`sweep logs -f | head`)
    // A refused log (a symlink, a fifo) ends the follow at once; a missing one is
    // waited for while the trial runs.
    if (!read.ok() && read.code() != ErrorCode::kNotFound) {
      return Fail(ctx, LogError(read, current, stream, path));
    }
    if (ended) {
      if (!read.ok() && !StartedWithoutLog(read, current))
        return Fail(ctx, LogError(read, current, stream, path));
      return 0;
    }
    if (ctx.sleep) {
      ctx.sleep();
    } else {
      std::this_thread::sleep_for(ctx.follow_interval);
    }
    auto again = ctx.store.GetTrialWithoutSummary(current.id);
    if (!again.ok()) return Fail(ctx, again.status());
    current = std::move(*again);
  }
}

}  // namespace sweep

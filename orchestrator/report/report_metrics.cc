// `sweep metrics` and `sweep logs`: a trial's time series and its captured output.
//
// metrics prints the store's points (ordered by name then step) as a table, CSV or
// JSON. logs copies the log file in 64 KiB chunks, so a 100 MB log never sits in
// memory in text mode; --follow re-opens the file at each poll from the last offset
// (a log whose tail was kept shrinks: then it is read again from its start) and stops
// once the store says the trial has ended, after one last read, so output written
// before the end is never lost.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "orchestrator/report/read_common.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/text_table.h"

namespace sweep {
int CmdMetrics(ReadContext& ctx, const std::string& trial_arg, const std::string& name, bool csv) {
  auto trial = LookupTrial(ctx, trial_arg);
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

// Appends what the file holds past `offset` to `sink`, chunk by chunk; a file shorter
// than offset was rotated or truncated and is read from the start. Returns false when
// the file cannot be opened.
template <typename Sink>
bool ReadFrom(const std::string& path, uint64_t& offset, Sink sink) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  in.seekg(0, std::ios::end);
  auto size = static_cast<uint64_t>(in.tellg());
  if (size < offset) offset = 0;
  in.seekg(static_cast<std::streamoff>(offset));
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    offset += static_cast<uint64_t>(n);
    sink(std::string_view(buf, static_cast<size_t>(n)));
  }
  return true;
}

}  // namespace

std::string TrialLogPath(const TrialRecord& trial, bool stderr_stream) {
  if (trial.trial_dir.empty()) return "";
  return trial.trial_dir + (stderr_stream ? "/stderr.log" : "/stdout.log");
}

int CmdLogs(ReadContext& ctx, const std::string& trial_arg, bool stderr_stream, bool follow) {
  auto trial = LookupTrial(ctx, trial_arg);
  if (!trial.ok()) return Fail(ctx, trial.status());
  const std::string stream = stderr_stream ? "stderr" : "stdout";
  std::string path = TrialLogPath(*trial, stderr_stream);

  if (!follow) {
    std::string content;
    uint64_t offset = 0;
    bool opened = !path.empty() && ReadFrom(path, offset, [&](std::string_view c) {
      if (ctx.json) {
        content.append(c);
      } else {
        ctx.out.write(c.data(), static_cast<std::streamsize>(c.size()));
      }
    });
    // The runner creates a log on its first byte: a started trial (its folder
    // exists) without the file printed nothing on that stream.
    std::error_code ec;
    if (!opened && !(trial->status != TrialStatus::kQueued && !trial->trial_dir.empty() &&
                     std::filesystem::is_directory(trial->trial_dir, ec))) {
      return Fail(ctx, Status::NotFound("trial " + trial->id + " (" +
                                        TrialStatusWord(trial->status) + ") has no " + stream +
                                        " log" + (path.empty() ? "" : " at " + path)));
    }
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
    bool ended = TrialEnded(current.status);
    path = TrialLogPath(current, stderr_stream);
    bool opened = !path.empty() && ReadFrom(path, offset, [&](std::string_view c) {
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
    if (ended) {
      if (!opened) {
        return Fail(ctx, Status::NotFound("trial " + current.id + " (" +
                                          TrialStatusWord(current.status) + ") has no " + stream +
                                          " log" + (path.empty() ? "" : " at " + path)));
      }
      return 0;
    }
    if (ctx.sleep) {
      ctx.sleep();
    } else {
      std::this_thread::sleep_for(ctx.follow_interval);
    }
    auto again = ctx.store.GetTrial(current.id);
    if (!again.ok()) return Fail(ctx, again.status());
    current = std::move(*again);
  }
}

}  // namespace sweep

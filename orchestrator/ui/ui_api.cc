// The JSON API: a small router over path segments, each route a method that reads the
// store (through the SweepViewCache for sweep-wide data) and serialises JSON.
//
// Store errors map to HTTP codes by kind: kNotFound -> 404, kUsage -> 400, anything
// else -> 500. nlohmann::json throws on invalid UTF-8 when dumping and on parse
// errors; both are avoided (dump with replacement, parse without exceptions) and a
// final catch turns anything unexpected into a 500, so a hostile trial's output can
// never take the server down. Columns and importance are computed once per view and
// kept as serialised text, since the page polls them.
#include "orchestrator/ui/ui_api.h"

#include <cmath>
#include <sstream>

#include "orchestrator/store/controller_probe.h"
#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/ranking.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/store/trial_labels.h"
#include "orchestrator/ui/lttb.h"
#include "orchestrator/ui/param_importance.h"
#include "orchestrator/ui/ui_trial_files.h"

namespace sweep {
namespace {

using Query = std::map<std::string, std::string>;

std::string Dump(const Value& v) { return v.dump(-1, ' ', false, Value::error_handler_t::replace); }

UiResponse Json(const Value& v, int status = 200) { return {status, "application/json", Dump(v)}; }

UiResponse Error(int status, const std::string& message) {
  return Json(Value{{"error", message}}, status);
}

UiResponse FromStatus(const Status& s) {
  switch (s.code()) {
    case ErrorCode::kNotFound:
      return Error(404, s.message());
    case ErrorCode::kUsage:
    case ErrorCode::kInvalidSpec:
      return Error(400, s.message());
    default:
      return Error(500, s.message());
  }
}

// A trial file that could not be read: kIo from the trial-file readers means a
// symlink or a non-regular file was refused, which is 403, not a server fault.
UiResponse Refused(const Status& s) {
  return s.code() == ErrorCode::kIo ? Error(403, s.message()) : FromStatus(s);
}

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) {
    if (!cur.empty()) out.push_back(cur);
  }
  return out;
}

size_t NumberArg(const Query& q, const std::string& key, size_t fallback, size_t lo, size_t hi) {
  auto it = q.find(key);
  if (it == q.end() || it->second.empty()) return fallback;
  size_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return fallback;
    v = v * 10 + static_cast<size_t>(c - '0');
    if (v > hi) return hi;
  }
  return std::clamp(v, lo, hi);
}

std::string Arg(const Query& q, const std::string& key) {
  auto it = q.find(key);
  return it == q.end() ? "" : it->second;
}

Value Nullable(const std::optional<double>& v) { return v ? Value(*v) : Value(); }

Value SweepSummary(const DashboardView& v) {
  const SweepRecord& s = v.sweep;
  Value out = Value::object();
  out["id"] = s.id;
  out["name"] = s.name;
  out["method"] = s.method;
  out["kind"] = IsTrackedRun(s) ? "run" : "sweep";  // "run": a tracked run (sweep run)
  out["metric"] = s.metric;
  out["goal"] = s.metric.empty() ? "" : (v.goal == Goal::kMaximize ? "maximize" : "minimize");
  out["status"] = SweepStatusName(s.status);
  out["reason"] = s.reason;
  out["created_at"] = s.created_at;
  out["ended_at"] = s.ended_at;
  out["stop_requested"] = s.stop_requested;
  out["trials"] = v.trials.size();
  out["counts"] = StatusCountsJson(v.counts);
  out["done"] = v.done();
  out["planned"] = v.planned ? Value(*v.planned) : Value();
  if (v.best) {
    out["best"] = {{"trial_id", v.trials[*v.best].id},
                   {"number", v.trials[*v.best].number},
                   {"value", Nullable(v.value[*v.best])}};
  } else {
    out["best"] = nullptr;
  }
  return out;
}

// A sweep recorded as running whose controller is gone (its lock is free) is shown
// as interrupted with the way on, as `sweep status` does (store/controller_probe.h);
// "controller" says who ran it and when it was last seen.
void ApplyControllerProbe(const std::string& store_root, const SweepRecord& s, Value& out) {
  if (s.status != SweepStatus::kRunning) return;
  ControllerProbe p = ProbeController(store_root, s.id);
  if (p.state == ControllerProbe::State::kUnknown) return;
  bool running = p.state == ControllerProbe::State::kRunning;
  out["controller"] = {{"running", running},
                       {"pid", p.pid > 0 ? Value(p.pid) : Value()},
                       {"host", p.host},
                       {"started_at", p.started_at},
                       {"last_seen", p.last_seen}};
  if (!running) {
    out["status"] = SweepStatusName(SweepStatus::kInterrupted);
    out["reason"] = ControllerGoneReason(p, s.id);
  }
}

// {"steps": [...], "values": [...], "raw": n, "non_finite": k}, at most max_points.
Value Series(const std::vector<MetricPoint>& pts, size_t begin, size_t end, size_t max_points) {
  std::vector<XY> xy;
  xy.reserve(end - begin);
  size_t non_finite = 0;
  for (size_t i = begin; i < end; ++i) {
    if (!std::isfinite(pts[i].value)) {
      ++non_finite;
      continue;
    }
    xy.push_back({static_cast<double>(pts[i].step), pts[i].value});
  }
  Value steps = Value::array(), values = Value::array();
  for (size_t i : LttbIndices(xy, max_points)) {
    steps.push_back(static_cast<int64_t>(xy[i].x));
    values.push_back(xy[i].y);
  }
  return {{"steps", std::move(steps)},
          {"values", std::move(values)},
          {"raw", end - begin},
          {"non_finite", non_finite}};
}

// Random-forest importance of the sweep's params for its target (pure; runs on a
// worker thread, reading the immutable view).
std::string ImportanceJson(const DashboardView& v) {
  std::vector<Value> rows;
  std::vector<double> target;
  for (size_t i = 0; i < v.trials.size(); ++i) {
    if (v.value[i] && std::isfinite(*v.value[i])) {
      rows.push_back(v.trials[i].params);
      target.push_back(*v.value[i]);
    }
  }
  Value out = {{"metric", v.sweep.metric}, {"trials", rows.size()}};
  ImportanceOptions opt;
  opt.seed = v.sweep.seed;
  for (const UiParamInfo& p : v.params)
    if (p.log_scale) opt.log_params.insert(p.name);
  auto imp =
      v.sweep.metric.empty()
          ? Result<std::vector<ParamImportance>>(Status::Usage("the sweep has no target metric"))
          : ComputeParamImportance(rows, target, opt);
  Value list = Value::array();
  if (imp.ok()) {
    for (const ParamImportance& p : *imp) {
      list.push_back({{"name", p.name},
                      {"importance", p.importance},
                      {"categorical", p.categorical},
                      {"log", p.log_scale}});
    }
  } else {
    out["note"] = imp.status().message();
  }
  out["params"] = std::move(list);
  return Dump(out);
}

// GET /api/sweeps/ID/pareto (multi-objective or constrained sweeps): the front's summary
// and one point per trial {id, number, status, values, front, feasible, violations};
// 404 for other sweeps. A free function so the class's header stays as it is.
UiResponse ParetoResponse(const SweepView& v) {
  const std::optional<ParetoSetup> setup = SweepPareto(v.sweep);
  if (!setup) return Error(404, "sweep " + v.sweep.id + " is not multi-objective or constrained");
  const ParetoRanking ranking = RankPareto(v.trials, *setup);
  // Non-finite numbers become null: JSON cannot carry them and the chart skips them.
  auto number = [](std::optional<double> x) {
    return x && std::isfinite(*x) ? Value(*x) : Value(nullptr);
  };
  Value objectives = Value::array();
  for (const ParetoObjective& o : setup->objectives)
    objectives.push_back({{"name", o.name}, {"goal", GoalName(o.goal)}});
  Value reference = Value::array();
  for (double r : ranking.reference) reference.push_back(number(r));
  Value points = Value::array();
  for (const ParetoRow& r : ranking.rows) {
    const TrialRecord& t = v.trials[r.index];
    Value values = Value::array();
    for (const auto& x : r.values) values.push_back(number(x));
    Value violations = Value::array();
    for (const std::string& s : r.violations) violations.push_back(s);
    points.push_back({{"id", t.id},
                      {"number", t.number},
                      {"status", TrialStatusName(t.status)},
                      {"values", values},
                      {"front", r.front > 0 ? Value(r.front) : Value(nullptr)},
                      {"feasible", r.feasible},
                      {"violations", violations}});
  }
  return Json(Value{{"objectives", objectives},
                    {"front_size", ranking.front_size},
                    {"hypervolume", number(ranking.hypervolume)},
                    {"reference", reference},
                    {"reference_derived", ranking.reference_derived},
                    {"points", points}});
}

}  // namespace

bool PercentDecode(const std::string& in, bool query, std::string* out) {
  out->clear();
  for (size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      if (i + 2 >= in.size()) return false;
      int a = hex(in[i + 1]), b = hex(in[i + 2]);
      if (a < 0 || b < 0) return false;
      out->push_back(static_cast<char>(a * 16 + b));
      i += 2;
    } else if (c == '+' && query) {
      out->push_back(' ');
    } else {
      out->push_back(c);
    }
  }
  return true;
}

UiApi::UiApi(TrialStore& store, UiApiOptions options)
    : store_(store), options_(options), views_(store, options.view_max_age, options.background) {}

UiResponse UiApi::Handle(const UiRequest& request) {
  try {
    return Route(request);
  } catch (const std::exception& e) {
    return Error(500, std::string("internal error: ") + e.what());
  }
}

UiResponse UiApi::Route(const UiRequest& request) {
  std::string path = request.target, raw_query;
  if (auto q = path.find('?'); q != std::string::npos) {
    raw_query = path.substr(q + 1);
    path.resize(q);
  }
  Query query;
  for (const std::string& pair : Split(raw_query, '&')) {
    auto eq = pair.find('=');
    std::string k, v;
    if (!PercentDecode(pair.substr(0, eq), true, &k) ||
        !PercentDecode(eq == std::string::npos ? "" : pair.substr(eq + 1), true, &v)) {
      return Error(400, "bad percent-encoding in query");
    }
    query[k] = v;
  }
  std::vector<std::string> seg;
  for (const std::string& raw : Split(path, '/')) {
    std::string s;
    if (!PercentDecode(raw, false, &s) || s.find('\0') != std::string::npos) {
      return Error(400, "bad percent-encoding in path");
    }
    seg.push_back(s);
  }
  if (seg.size() < 2 || seg[0] != "api") return Error(404, "no such API route");
  const bool get = request.method == "GET" || request.method == "HEAD";
  const bool post = request.method == "POST";
  auto only_get = [&](auto fn) { return get ? fn() : Error(405, "use GET"); };

  if (seg[1] == "sweeps") {
    if (seg.size() == 2) return only_get([&] { return Sweeps(); });
    const std::string& id = seg[2];
    if (seg.size() == 3) return only_get([&] { return Sweep(id); });
    if (seg.size() == 4) {
      if (seg[3] == "trials") return only_get([&] { return Trials(id, query); });
      if (seg[3] == "columns") return only_get([&] { return Columns(id); });
      if (seg[3] == "importance") return only_get([&] { return Importance(id); });
      if (seg[3] == "pareto")
        return only_get([&] {
          auto view = views_.Get(id);
          return view.ok() ? ParetoResponse(**view) : FromStatus(view.status());
        });
      if (seg[3] == "curves") return only_get([&] { return Curves(id, query); });
    }
  } else if (seg[1] == "trials" && seg.size() >= 3) {
    const std::string& id = seg[2];
    if (seg.size() == 3) return only_get([&] { return Trial(id); });
    if (seg.size() == 4 && seg[3] == "metrics") return only_get([&] { return Metrics(id, query); });
    if (seg.size() == 4 && seg[3] == "logs") return only_get([&] { return Logs(id, query); });
    if (seg.size() >= 5 && seg[3] == "files") {
      std::string rel = seg[4];
      for (size_t i = 5; i < seg.size(); ++i) rel += "/" + seg[i];
      return only_get([&] { return File(id, rel); });
    }
    if (seg.size() == 4 && (seg[3] == "notes" || seg[3] == "tags")) {
      if (!post) return Error(405, "use POST");
      return seg[3] == "notes" ? AddNote(id, request.body) : AddTags(id, request.body);
    }
  }
  return Error(404, "no such API route");
}

UiResponse UiApi::Sweeps() {
  auto sweeps = store_.ListSweeps();
  if (!sweeps.ok()) return FromStatus(sweeps.status());
  Value out = Value::array();
  for (const SweepRecord& s : *sweeps) {
    auto view = views_.Get(s.id);
    if (!view.ok()) return FromStatus(view.status());
    Value summary = SweepSummary(**view);
    ApplyControllerProbe(store_.root(), (*view)->sweep, summary);
    out.push_back(std::move(summary));
  }
  return Json(Value{{"sweeps", std::move(out)}});
}

UiResponse UiApi::Sweep(const std::string& id) {
  auto view = views_.Get(id);
  if (!view.ok()) return FromStatus(view.status());
  const DashboardView& v = **view;
  Value out = SweepSummary(v);
  ApplyControllerProbe(store_.root(), v.sweep, out);
  out["spec_file"] = v.sweep.spec_file;
  out["spec_text"] = v.sweep.spec_text;
  out["space"] = v.sweep.space;
  out["options"] = SweepOptionsToJson(v.sweep.options);
  out["workdir"] = v.sweep.workdir;
  out["seed"] = v.sweep.seed;
  out["metrics"] = v.metrics;
  Value params = Value::array();
  for (const UiParamInfo& p : v.params) {
    params.push_back({{"name", p.name}, {"categorical", p.categorical}, {"log", p.log_scale}});
  }
  out["params"] = std::move(params);
  return Json(out);
}

UiResponse UiApi::Trials(const std::string& id, const Query& q) {
  auto view = views_.Get(id);
  if (!view.ok()) return FromStatus(view.status());
  TrialPageQuery page;
  page.offset = NumberArg(q, "offset", 0, 0, SIZE_MAX / 4);
  page.limit = NumberArg(q, "limit", 50, 1, 1000);
  if (q.count("sort")) page.sort = Arg(q, "sort");
  page.descending = Arg(q, "order") == "desc";
  page.statuses = Split(Arg(q, "status"), ',');
  page.text = Arg(q, "q");
  if (q.count("metrics")) {
    for (std::string& m : Split(Arg(q, "metrics"), ','))
      if (!m.empty()) page.metrics.push_back(std::move(m));
  }
  auto out = TrialPage(**view, page);
  if (!out.ok()) return FromStatus(out.status());
  return Json(*out);
}

UiResponse UiApi::Columns(const std::string& id) {
  auto view = views_.Get(id);
  if (!view.ok()) return FromStatus(view.status());
  return {200, "application/json", (*view)->columns_json};
}

UiResponse UiApi::Importance(const std::string& id) {
  auto view = views_.Get(id);
  if (!view.ok()) return FromStatus(view.status());
  std::shared_ptr<DashboardView> v = *view;
  size_t valued = 0;
  for (const auto& x : v->value) valued += x && std::isfinite(*x);
  auto now = std::chrono::steady_clock::now();
  ImportanceEntry& e = importance_[v->sweep.id];
  if (e.pending.valid() &&
      e.pending.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
    e.json = e.pending.get();
    e.rows = e.pending_rows;
    e.at = now;
  }
  bool fresh = !e.json.empty() && (e.rows == valued || now - e.at < options_.importance_max_age);
  if (!fresh && !e.pending.valid()) {
    if (options_.background) {
      e.pending = std::async(std::launch::async, [v] { return ImportanceJson(*v); });
      e.pending_rows = valued;
    } else {
      e.json = ImportanceJson(*v);
      e.rows = valued;
      e.at = now;
    }
  }
  if (e.json.empty()) {
    return Json(Value{{"metric", v->sweep.metric},
                      {"pending", true},
                      {"params", Value::array()},
                      {"note", "computing parameter importance"}});
  }
  return {200, "application/json", e.json};
}

UiResponse UiApi::Curves(const std::string& id, const Query& q) {
  auto view = views_.Get(id);
  if (!view.ok()) return FromStatus(view.status());
  std::string metric = Arg(q, "metric");
  if (metric.empty()) metric = (*view)->sweep.metric;
  if (metric.empty()) return Error(400, "give ?metric=NAME (the sweep has no target metric)");
  size_t points = NumberArg(q, "points", 500, 2, 10000);
  std::vector<std::string> ids = Split(Arg(q, "trials"), ',');
  if (ids.size() > 100) return Error(400, "at most 100 trials per request");
  Value curves = Value::array();
  for (const std::string& tid : ids) {
    auto trial = store_.GetTrialWithoutSummary(tid);
    if (!trial.ok()) return FromStatus(trial.status());
    if (trial->sweep_id != (*view)->sweep.id)
      return Error(404, "trial " + tid + " is not in this sweep");
    auto pts = store_.GetMetrics({trial->id, metric, 0});
    if (!pts.ok()) return FromStatus(pts.status());
    Value c = Series(*pts, 0, pts->size(), points);
    c["trial_id"] = trial->id;
    c["number"] = trial->number;
    curves.push_back(std::move(c));
  }
  return Json(Value{{"metric", metric}, {"curves", std::move(curves)}});
}

UiResponse UiApi::Trial(const std::string& id) {
  auto trial = store_.GetTrial(id);
  if (!trial.ok()) return FromStatus(trial.status());
  const TrialRecord& t = *trial;
  auto notes = store_.GetNotes(t.id);
  auto tags = store_.GetTags(t.id);
  auto names = store_.MetricNames(t.id);
  if (!notes.ok()) return FromStatus(notes.status());
  if (!tags.ok()) return FromStatus(tags.status());
  if (!names.ok()) return FromStatus(names.status());
  Value out = Value::object();
  out["id"] = t.id;
  out["sweep_id"] = t.sweep_id;
  out["number"] = t.number;
  out["manual"] = IsManualTrial(t);  // filed by `sweep run --sweep`
  out["suggestion"] = t.suggestion;
  out["retry_of"] = t.retry_of;
  out["params"] = t.params;
  out["status"] = TrialStatusName(t.status);
  out["exit_code"] = t.exit_code ? Value(*t.exit_code) : Value();
  out["signal"] = t.signal ? Value(*t.signal) : Value();
  out["reason"] = t.reason;
  out["host"] = t.host;
  out["agent"] = t.agent;
  out["slot"] = t.slot;
  out["gpus"] = t.gpus;
  out["argv"] = t.argv;
  out["trial_dir"] = t.trial_dir;
  out["created_at"] = t.created_at;
  out["started_at"] = t.started_at;
  out["ended_at"] = t.ended_at;
  out["value"] = Nullable(t.value);
  out["summary"] = SummaryForOutput(t.summary);
  out["stderr_tail"] = t.stderr_tail;
  out["malformed_lines"] = t.malformed_lines;
  out["metric_names"] = *names;
  out["tags"] = *tags;
  Value nl = Value::array();
  for (const Note& n : *notes) nl.push_back({{"text", n.text}, {"created_at", n.created_at}});
  out["notes"] = std::move(nl);
  out["provenance"] = ReadTrialProvenance(t.trial_dir);
  out["files"] = ListTrialFiles(t.trial_dir, 500);
  auto sweep = store_.GetSweep(t.sweep_id);
  if (sweep.ok()) {
    out["sweep"] = {
        {"id", sweep->id}, {"name", sweep->name}, {"metric", sweep->metric}, {"goal", sweep->goal}};
  }
  return Json(out);
}

UiResponse UiApi::Metrics(const std::string& id, const Query& q) {
  auto trial = store_.GetTrialWithoutSummary(id);
  if (!trial.ok()) return FromStatus(trial.status());
  size_t points = NumberArg(q, "points", 1000, 2, 10000);
  auto pts = store_.GetMetrics({trial->id, Arg(q, "name"), 0});
  if (!pts.ok()) return FromStatus(pts.status());
  // Keyed: a trial may have very many series (a Value would scan its keys per insert).
  KeyedValue series = KeyedValue::object();
  for (size_t b = 0; b < pts->size();) {
    size_t e = b;
    while (e < pts->size() && (*pts)[e].name == (*pts)[b].name) ++e;
    series[(*pts)[b].name] = Series(*pts, b, e, points);
    b = e;
  }
  return Json(Value{{"trial_id", trial->id}, {"series", Value(series)}});
}

UiResponse UiApi::Logs(const std::string& id, const Query& q) {
  auto trial = store_.GetTrialWithoutSummary(id);
  if (!trial.ok()) return FromStatus(trial.status());
  std::string stream = Arg(q, "stream");
  if (stream.empty()) stream = "stdout";
  size_t bytes = NumberArg(q, "bytes", 64 << 10, 1, options_.max_log_bytes);
  auto out = TailTrialLog(trial->trial_dir, stream, bytes);
  if (!out.ok()) return Refused(out.status());
  return Json(*out);
}

UiResponse UiApi::File(const std::string& id, const std::string& path) {
  auto trial = store_.GetTrialWithoutSummary(id);
  if (!trial.ok()) return FromStatus(trial.status());
  auto data = ReadTrialFile(trial->trial_dir, path, options_.max_file_bytes);
  if (!data.ok()) return Refused(data.status());
  // Served as text or bytes, never as HTML: a trial's output must not run in the page.
  bool text = data->find('\0') == std::string::npos;
  return {200, text ? "text/plain; charset=utf-8" : "application/octet-stream", std::move(*data)};
}

UiResponse UiApi::AddNote(const std::string& id, const std::string& body) {
  Value v = Value::parse(body, nullptr, false);
  if (v.is_discarded() || !v.is_object() || !v.contains("text") || !v["text"].is_string()) {
    return Error(400, "body must be {\"text\": \"...\"}");
  }
  std::string text = v["text"].get<std::string>();
  if (Status s = ValidateNote(text); !s.ok()) return FromStatus(s);
  Status s = store_.AddNote(id, text);
  if (!s.ok()) return FromStatus(s);
  return Trial(id);
}

UiResponse UiApi::AddTags(const std::string& id, const std::string& body) {
  Value v = Value::parse(body, nullptr, false);
  if (v.is_discarded() || !v.is_object() || !v.contains("tags") || !v["tags"].is_array()) {
    return Error(400, "body must be {\"tags\": [\"...\"]}");
  }
  std::vector<std::string> tags;
  for (const Value& t : v["tags"]) {
    if (!t.is_string()) return Error(400, "each tag is a string");
    tags.push_back(t.get<std::string>());
  }
  // The CLI's rule (store/trial_labels.h), so `sweep tag` and the page agree.
  if (Status s = ValidateTags(tags); !s.ok()) return FromStatus(s);
  Status s = store_.AddTags(id, tags);
  if (!s.ok()) return FromStatus(s);
  return Trial(id);
}

}  // namespace sweep

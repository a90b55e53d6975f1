// Building, caching and paging sweep views.
//
// Freshness costs one GetSweep per request (a primary-key read). A view is rebuilt
// when the sweep is running and the view is older than max_age, or when the sweep's
// status or end time differ from the view's (it ended, or was resumed). Paging sorts
// an index vector (10,000 trials sort in about a millisecond) and serialises only the
// page's rows, so a page's cost does not grow with the JSON of the whole sweep.
#include "orchestrator/ui/ui_sweep_view.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "orchestrator/store/pareto_ranking.h"
#include "orchestrator/store/ranking.h"
#include "orchestrator/store/trial_kinds.h"
#include "orchestrator/ui/param_importance.h"
#include "orchestrator/ui/ui_trial_files.h"

namespace sweep {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

double Duration(const TrialRecord& t) {
  if (t.started_at <= 0) return 0;
  double end = t.ended_at > 0 ? t.ended_at : 0;
  return end > 0 ? end - t.started_at : 0;
}

std::string Dump(const Value& v) { return v.dump(-1, ' ', false, Value::error_handler_t::replace); }

Value Nullable(const std::optional<double>& v) { return v ? Value(*v) : Value(); }

// The columns document of /api/sweeps/{id}/columns, serialised once per view.
std::string ColumnsJson(const DashboardView& v) {
  Value numbers = Value::array(), ids = Value::array(), status = Value::array();
  Value values = Value::array(), best = Value::array();
  BestSoFar running(v.goal);
  for (size_t i = 0; i < v.trials.size(); ++i) {
    const TrialRecord& t = v.trials[i];
    numbers.push_back(t.number);
    ids.push_back(t.id);
    status.push_back(TrialStatusName(t.status));
    values.push_back(Nullable(v.value[i]));
    if (v.value[i] && std::isfinite(*v.value[i])) running.Offer(t.id, t.number, *v.value[i]);
    best.push_back(running.has_value() ? Value(running.value()) : Value());
  }
  Value params = Value::array();
  for (const UiParamInfo& p : v.params) {
    Value col = Value::array();
    for (const TrialRecord& t : v.trials) {
      auto it = t.params.is_object() ? t.params.find(p.name) : t.params.end();
      if (!t.params.is_object() || it == t.params.end() || it->is_null()) {
        col.push_back(nullptr);
      } else if (p.categorical) {
        auto c = std::lower_bound(p.categories.begin(), p.categories.end(), it->dump());
        col.push_back(c != p.categories.end() && *c == it->dump() ? Value(c - p.categories.begin())
                                                                  : Value());
      } else {
        col.push_back(*it);
      }
    }
    Value labels = Value::array();
    for (const std::string& c : p.categories) labels.push_back(Value::parse(c, nullptr, false));
    params.push_back({{"name", p.name},
                      {"categorical", p.categorical},
                      {"log", p.log_scale},
                      {"categories", std::move(labels)},
                      {"values", std::move(col)}});
  }
  return Dump({{"sweep", v.sweep.id},
               {"metric", v.sweep.metric},
               {"goal", v.goal == Goal::kMaximize ? "maximize" : "minimize"},
               {"numbers", std::move(numbers)},
               {"ids", std::move(ids)},
               {"status", std::move(status)},
               {"values", std::move(values)},
               {"best", std::move(best)},
               {"params", std::move(params)}});
}

}  // namespace

std::shared_ptr<DashboardView> BuildDashboardView(SweepRecord sweep,
                                                  std::vector<TrialRecord> trials) {
  auto view = std::make_shared<DashboardView>();
  static_cast<SweepView&>(*view) = MakeSweepView(std::move(sweep), std::move(trials));
  view->loaded = std::chrono::steady_clock::now();

  std::set<std::string> log_names;
  if (view->sweep.space.is_array()) {
    for (const Value& p : view->sweep.space) {
      if (p.is_object() && p.value("scale", "") == "log") log_names.insert(p.value("name", ""));
    }
  }
  std::set<std::string> metrics;
  std::map<std::string, size_t> pindex;
  std::vector<std::set<std::string>> cats;
  std::vector<std::vector<double>> numbers;  // per param, its finite values
  for (size_t i = 0; i < view->trials.size(); ++i) {
    const TrialRecord& t = view->trials[i];
    if (t.summary.is_object()) {
      for (auto it = t.summary.begin(); it != t.summary.end(); ++it) metrics.insert(it.key());
    }
    if (!t.params.is_object()) continue;
    for (auto it = t.params.begin(); it != t.params.end(); ++it) {
      auto [pos, added] = pindex.emplace(it.key(), view->params.size());
      if (added) {
        view->params.push_back(UiParamInfo{it.key(), false, false, {}});
        cats.emplace_back();
        numbers.emplace_back();
      }
      size_t k = pos->second;
      const Value& v = it.value();
      if (v.is_null()) continue;
      if (v.is_number() && std::isfinite(v.get<double>())) {
        numbers[k].push_back(v.get<double>());
      } else {
        view->params[k].categorical = true;
      }
      if (cats[k].size() <= 1000) cats[k].insert(v.dump());
    }
  }
  for (size_t k = 0; k < view->params.size(); ++k) {
    UiParamInfo& p = view->params[k];
    if (p.categorical) {
      p.categories.assign(cats[k].begin(), cats[k].end());
    } else {
      p.log_scale = log_names.count(p.name) > 0 || LooksLogScaled(numbers[k]);
    }
  }
  view->metrics.assign(metrics.begin(), metrics.end());
  for (const std::string& m : RankingMetricNames(view->sweep)) {
    if (view->table_metrics.size() == kTableMetricColumns) break;
    if (metrics.count(m) && std::find(view->table_metrics.begin(), view->table_metrics.end(), m) ==
                                view->table_metrics.end())
      view->table_metrics.push_back(m);
  }
  for (const std::string& m : view->metrics) {
    if (view->table_metrics.size() == kTableMetricColumns) break;
    if (std::find(view->table_metrics.begin(), view->table_metrics.end(), m) ==
        view->table_metrics.end())
      view->table_metrics.push_back(m);
  }
  view->search_text.reserve(view->trials.size());
  for (const TrialRecord& t : view->trials) {
    view->search_text.push_back(
        Lower(t.id + " " + TrialStatusName(t.status) + " " + t.reason + " " + Dump(t.params)));
  }
  view->columns_json = ColumnsJson(*view);
  return view;
}

namespace {

Result<std::shared_ptr<DashboardView>> LoadView(TrialStore& store, const std::string& id) {
  auto sweep = store.GetSweep(id);
  if (!sweep.ok()) return sweep.status();
  auto trials = store.ListTrials(sweep->id);
  if (!trials.ok()) return trials.status();
  return BuildDashboardView(std::move(*sweep), std::move(*trials));
}

}  // namespace

SweepViewCache::~SweepViewCache() {
  for (auto& [id, f] : reloads_) f.wait();
  for (auto& f : discarded_) f.wait();
}

Result<std::shared_ptr<DashboardView>> SweepViewCache::Get(const std::string& id_or_prefix) {
  auto sweep = store_.GetSweep(id_or_prefix);
  if (!sweep.ok()) return sweep.status();
  const std::string id = sweep->id;
  auto it = views_.find(id);
  if (it != views_.end()) {
    // Take a finished background reload first.
    auto r = reloads_.find(id);
    if (r != reloads_.end() &&
        r->second.wait_for(std::chrono::seconds(0)) == std::future_status::ready) {
      auto loaded = r->second.get();
      reloads_.erase(r);
      if (loaded.ok()) it->second = *loaded;
    }
    const DashboardView& v = *it->second;
    bool same = v.sweep.status == sweep->status && v.sweep.ended_at == sweep->ended_at;
    bool running = sweep->status == SweepStatus::kRunning;
    bool young = std::chrono::steady_clock::now() - v.loaded < max_age_;
    if (same && (!running || young)) return it->second;
    if (same && background_) {
      // Running and stale: serve this view, refresh behind it.
      if (!reloads_.count(id)) {
        std::string root = store_.root();
        reloads_[id] =
            std::async(std::launch::async, [root, id]() -> Result<std::shared_ptr<DashboardView>> {
              StoreOptions opts;
              opts.read_only = true;
              opts.create = false;
              auto store = OpenStore(root, opts);
              if (!store.ok()) return store.status();
              return LoadView(**store, id);
            });
      }
      return it->second;
    }
  }
  if (auto r = reloads_.find(id); r != reloads_.end()) {
    discarded_.push_back(std::move(r->second));
    reloads_.erase(r);
  }
  std::erase_if(discarded_, [](auto& f) {
    return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
  });
  auto view = LoadView(store_, id);
  if (!view.ok()) return view.status();
  views_[id] = *view;
  return *view;
}

std::optional<double> MetricValue(const DashboardView& view, size_t index,
                                  const std::string& metric) {
  if (metric == view.sweep.metric) return view.value[index];
  return SummaryValue(view.trials[index], metric, view.mode, view.goal);
}

Value TrialRow(const DashboardView& view, size_t index, const std::vector<std::string>& metrics) {
  const TrialRecord& t = view.trials[index];
  Value row = Value::object();
  row["id"] = t.id;
  row["number"] = t.number;
  row["manual"] = IsManualTrial(t);  // filed by `sweep run --sweep`
  row["status"] = TrialStatusName(t.status);
  row["params"] = t.params.is_object() ? t.params : Value::object();
  row["value"] = view.value[index] ? Value(*view.value[index]) : Value();
  Value values = Value::object();
  for (const std::string& m : metrics) {
    auto v = MetricValue(view, index, m);
    values[m] = v ? Value(*v) : Value();
  }
  row["metrics"] = std::move(values);
  row["started_at"] = t.started_at;
  row["ended_at"] = t.ended_at;
  row["duration"] = Duration(t);
  row["reason"] = t.reason;
  row["retry_of"] = t.retry_of;
  row["best"] = view.best && *view.best == index;
  return row;
}

Result<Value> TrialPage(const DashboardView& view, const TrialPageQuery& q) {
  if (q.metrics.size() > kMaxTableMetricColumns)
    return Status::Usage("at most " + std::to_string(kMaxTableMetricColumns) +
                         " metric columns per page");
  const std::vector<std::string>& columns = q.metrics.empty() ? view.table_metrics : q.metrics;
  const size_t n = view.trials.size();
  std::vector<size_t> idx;
  idx.reserve(n);
  std::string needle = Lower(q.text);
  for (size_t i = 0; i < n; ++i) {
    const TrialRecord& t = view.trials[i];
    if (!q.statuses.empty() && std::find(q.statuses.begin(), q.statuses.end(),
                                         TrialStatusName(t.status)) == q.statuses.end()) {
      continue;
    }
    if (!needle.empty() && view.search_text[i].find(needle) == std::string::npos) continue;
    idx.push_back(i);
  }

  // Numeric key per trial; nullopt sorts last either way. Ties by number.
  std::vector<std::optional<double>> key(n);
  std::vector<std::string> skey;  // string keys (status, categorical params)
  bool by_string = false;
  const std::string& s = q.sort;
  if (s == "number" || s.empty()) {
    for (size_t i : idx) key[i] = static_cast<double>(view.trials[i].number);
  } else if (s == "value") {
    for (size_t i : idx) key[i] = view.value[i];
  } else if (s == "duration") {
    for (size_t i : idx) key[i] = Duration(view.trials[i]);
  } else if (s == "started") {
    for (size_t i : idx) key[i] = view.trials[i].started_at;
  } else if (s == "status") {
    by_string = true;
    skey.resize(n);
    for (size_t i : idx) skey[i] = TrialStatusName(view.trials[i].status);
  } else if (s.rfind("metric:", 0) == 0) {
    std::string m = s.substr(7);
    for (size_t i : idx) key[i] = MetricValue(view, i, m);
  } else if (s.rfind("param:", 0) == 0) {
    std::string p = s.substr(6);
    skey.resize(n);
    for (size_t i : idx) {
      const Value& params = view.trials[i].params;
      auto it = params.is_object() ? params.find(p) : params.end();
      if (!params.is_object() || it == params.end() || it->is_null()) continue;
      if (it->is_number()) {
        key[i] = it->get<double>();
      } else {
        by_string = true;
        skey[i] = it->is_string() ? it->get<std::string>() : it->dump();
      }
    }
    if (by_string) {  // mixed column: numbers sort as their text
      for (size_t i : idx)
        if (key[i]) skey[i] = view.trials[i].params[p].dump();
    }
  } else {
    return Status::Usage("unknown sort key '" + s + "'");
  }
  for (size_t i : idx) {
    if (key[i] && std::isnan(*key[i])) key[i].reset();
  }
  auto less = [&](size_t a, size_t b) {
    if (by_string) {
      if (skey[a] != skey[b]) return q.descending ? skey[a] > skey[b] : skey[a] < skey[b];
    } else {
      if (key[a].has_value() != key[b].has_value()) return key[a].has_value();
      if (key[a] && *key[a] != *key[b]) return q.descending ? *key[a] > *key[b] : *key[a] < *key[b];
    }
    return view.trials[a].number < view.trials[b].number;
  };
  size_t limit = std::clamp<size_t>(q.limit, 1, 1000);
  size_t offset = std::min(q.offset, idx.size());
  size_t end = std::min(idx.size(), offset + limit);
  // Only the page needs to be in order.
  std::partial_sort(idx.begin(), idx.begin() + end, idx.end(), less);
  Value rows = Value::array();
  for (size_t k = offset; k < end; ++k) {
    Value row = TrialRow(view, idx[k], columns);
    // The commit, when provenance was recorded (one small file read per shown row).
    Value prov = ReadTrialProvenance(view.trials[idx[k]].trial_dir);
    if (prov.is_object() && prov.contains("git") && prov["git"].is_object() &&
        prov["git"].contains("commit")) {
      row["commit"] = prov["git"]["commit"];
    } else if (prov.is_object() && prov.contains("commit")) {
      row["commit"] = prov["commit"];
    }
    rows.push_back(std::move(row));
  }
  Value out = Value::object();
  out["total"] = n;
  out["matched"] = idx.size();
  out["offset"] = offset;
  out["metric_columns"] = columns;
  out["metric_count"] = view.metrics.size();
  out["rows"] = std::move(rows);
  return out;
}

}  // namespace sweep

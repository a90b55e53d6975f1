// DashboardView: one sweep's trials with what the dashboard derives from them, cached.
//
// Reading and parsing 10,000 trial rows costs tens of milliseconds; the dashboard asks
// for the same sweep every second or two. A view is loaded once and reused while it is
// fresh: forever for a sweep that has ended (its trials no longer change; a resume
// flips it back to running, which the cheap GetSweep check sees), and for at most
// `max_age` while it runs. A stale view of a running sweep is reloaded on a worker
// thread with its own read-only store connection while requests keep getting the
// previous view (stale-while-revalidate), so a 10,000-trial reload never stalls the
// server. Views are immutable once built and shared by shared_ptr, so the handoff
// needs no locks. Sorting, filtering and paging then work in memory.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/value.h"
#include "orchestrator/spec/spec.h"
#include "orchestrator/store/records.h"
#include "orchestrator/store/sweep_view.h"
#include "orchestrator/store/trial_store.h"
#include "search/strategy.h"

namespace sweep {

struct UiParamInfo {
  std::string name;
  bool categorical = false;             // any value that is not a finite number
  bool log_scale = false;               // the space says so, or LooksLogScaled
  std::vector<std::string> categories;  // categorical: distinct values as JSON text, sorted
};

// The store's view of the sweep (counts, values, best, planned: the same numbers the
// CLI prints) plus what only the dashboard needs.
struct DashboardView : SweepView {
  std::vector<UiParamInfo> params;   // in first-seen order
  std::vector<std::string> metrics;  // every metric any trial summarised, sorted
  // The trial table's metric columns when the page does not name them: the metrics
  // the sweep ranks by, then the others by name, at most kTableMetricColumns.
  std::vector<std::string> table_metrics;
  std::chrono::steady_clock::time_point loaded;
  std::vector<std::string> search_text;  // per trial: lower-case id, status, reason, params
  std::string columns_json;              // the /columns document, built with the view
};

// Builds a view from records (pure; no store access).
std::shared_ptr<DashboardView> BuildDashboardView(SweepRecord sweep,
                                                  std::vector<TrialRecord> trials);

// The cache. Not thread-safe: one per server thread (reload workers touch only their
// own connection and the view they build).
class SweepViewCache {
 public:
  // `max_age`: how long a running sweep's view is reused. `background`: reload stale
  // views on a worker thread (needs a store that OpenStore can open again at
  // store.root(), i.e. the SQLite store); otherwise reload inline.
  SweepViewCache(TrialStore& store, std::chrono::milliseconds max_age, bool background)
      : store_(store), max_age_(max_age), background_(background) {}
  // Waits for reloads in flight.
  ~SweepViewCache();

  // The view of a sweep by id or prefix ("" or "latest": the newest). Fails as
  // GetSweep/ListTrials do.
  Result<std::shared_ptr<DashboardView>> Get(const std::string& id_or_prefix);

  // Drops every cached view (tests; after a write that changes trials).
  void Clear() { views_.clear(); }

 private:
  TrialStore& store_;
  std::chrono::milliseconds max_age_;
  bool background_;
  std::map<std::string, std::shared_ptr<DashboardView>> views_;
  std::map<std::string, std::future<Result<std::shared_ptr<DashboardView>>>> reloads_;
  // Reloads overtaken by an inline load: their results are dropped.
  std::vector<std::future<Result<std::shared_ptr<DashboardView>>>> discarded_;
};

// How many metric columns the trial table carries by default. A script that logs a
// metric per layer reports thousands of names; a row holding all of them made a page
// of the table megabytes long (and its HTML table as many columns wide).
inline constexpr size_t kTableMetricColumns = 24;
// The most metric columns one page may ask for by name.
inline constexpr size_t kMaxTableMetricColumns = 200;

// Query of one page of a sweep's trial table.
struct TrialPageQuery {
  size_t offset = 0;
  size_t limit = 50;            // clamped to [1, 1000]
  std::string sort = "number";  // number | value | status | duration | started |
                                // param:NAME | metric:NAME
  bool descending = false;
  std::vector<std::string> statuses;  // empty = every status
  std::string text;                   // case-insensitive substring of id, params, status, reason
  // The metric columns of the rows; empty: the view's table_metrics. At most
  // kMaxTableMetricColumns (more is a kUsage error).
  std::vector<std::string> metrics;
};

// {"total", "matched", "offset", "metric_columns", "metric_count", "rows": [...]} for
// the page (metric_count: every metric name of the sweep); trials without a value for
// the sort key come last in both directions. Fails with kUsage on an unknown sort.
Result<Value> TrialPage(const DashboardView& view, const TrialPageQuery& query);

// One trial as a table row: id, number, status, params, value, the `metrics` named,
// times.
Value TrialRow(const DashboardView& view, size_t index, const std::vector<std::string>& metrics);

// Summary value of `metric` for trial `index` (the ranking's rules).
std::optional<double> MetricValue(const DashboardView& view, size_t index,
                                  const std::string& metric);

}  // namespace sweep

// UiApi: the dashboard's JSON API over a TrialStore, independent of HTTP plumbing.
//
// Routes (GET unless noted; ids accept unique prefixes; every body is JSON, errors are
// {"error": message} with 400 (bad request), 404 (no such thing), 405 (method), 500):
//   /api/sweeps                          every sweep: status, progress, counts, best
//   /api/sweeps/{id}                     one sweep: record, counts, params, metrics, best
//   /api/sweeps/{id}/trials?offset&limit&sort&order=asc|desc&status=a,b&q=
//                                        one page of the trial table, sorted server-side
//   /api/sweeps/{id}/columns             every trial as columns (number, value, running
//                                        best, status, params): progress chart, parallel
//                                        coordinates and scatter plots
//   /api/sweeps/{id}/importance          parameter importance for the target metric
//                                        ({"pending": true} while first computed)
//   /api/sweeps/{id}/curves?metric=M&trials=a,b&points=N   learning curves, LTTB'd
//   /api/trials/{id}                     params, summary, status and reason, provenance,
//                                        notes, tags, metric names, files
//   /api/trials/{id}/metrics?name=M&points=N              every (or one) series, LTTB'd
//   /api/trials/{id}/logs?stream=stdout|stderr&bytes=N    tail of a log
//   /api/trials/{id}/files/{path}        one file of the trial folder (download)
//   POST /api/trials/{id}/notes  {"text": "..."}          AddNote
//   POST /api/trials/{id}/tags   {"tags": ["a", ...]}     AddTags
// Files of a trial's folder are read without following symlinks (base/safe_open.h): a
// link, fifo or folder where a file should be is 403 with the reason. Tags and notes
// obey the CLI's rule (store/trial_labels.h), else 400. A sweep recorded as running
// whose controller is gone is shown as interrupted (store/controller_probe.h).
// Series are downsampled to at most `points` (default 1000, at most 10000) per series
// with LTTB; non-finite values are left out and counted.
#pragma once

#include <chrono>
#include <future>
#include <map>
#include <string>

#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_sweep_view.h"

namespace sweep {

struct UiRequest {
  std::string method;  // "GET", "POST", ...
  std::string target;  // path and query, percent-encoded as received
  std::string body;
};

struct UiResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
};

struct UiApiOptions {
  // How long a running sweep's trial list is reused between store reads.
  std::chrono::milliseconds view_max_age{1000};
  // Parameter importance of a running sweep is recomputed at most this often.
  std::chrono::milliseconds importance_max_age{10000};
  // Reload running sweeps and compute importance on worker threads (needs the SQLite
  // store); false does both inline (deterministic, for tests).
  bool background = true;
  size_t max_log_bytes = 256 << 10;  // largest log tail served
  size_t max_file_bytes = 64 << 20;  // largest file served by /files/
};

// Not thread-safe: the server calls it from its one io_context thread. The store must
// outlive it. Never throws; every failure is a response.
class UiApi {
 public:
  UiApi(TrialStore& store, UiApiOptions options = {});

  // Handles one request whose path starts with /api/.
  UiResponse Handle(const UiRequest& request);

 private:
  UiResponse Route(const UiRequest& request);
  UiResponse Sweeps();
  UiResponse Sweep(const std::string& id);
  UiResponse Trials(const std::string& id, const std::map<std::string, std::string>& query);
  UiResponse Columns(const std::string& id);
  UiResponse Importance(const std::string& id);
  UiResponse Curves(const std::string& id, const std::map<std::string, std::string>& query);
  UiResponse Trial(const std::string& id);
  UiResponse Metrics(const std::string& id, const std::map<std::string, std::string>& query);
  UiResponse Logs(const std::string& id, const std::map<std::string, std::string>& query);
  UiResponse File(const std::string& id, const std::string& path);
  UiResponse AddNote(const std::string& id, const std::string& body);
  UiResponse AddTags(const std::string& id, const std::string& body);

  TrialStore& store_;
  UiApiOptions options_;
  SweepViewCache views_;
  struct ImportanceEntry {
    size_t rows = 0;  // trials with a value when `json` was computed
    std::chrono::steady_clock::time_point at;
    std::string json;
    std::future<std::string> pending;  // a computation in flight
    size_t pending_rows = 0;
  };
  std::map<std::string, ImportanceEntry> importance_;
};

// Percent-decoding ('+' is a space in queries only). Returns false on a bad escape.
bool PercentDecode(const std::string& in, bool query, std::string* out);

}  // namespace sweep

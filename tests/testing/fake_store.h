// FakeStore: an in-memory TrialStore for tests.
//
// Behaves like the SQLite store as far as the interface says: upsert by id (a metric
// point must refer to a trial on record or in the same batch), sweeps
// and trials found by exact id or unique prefix ("" and "latest" = the sweep with the
// greatest created_at), trials listed by number, metric points ordered by name then
// step. Ambiguous prefixes are kUsage errors mentioning "ambiguous"; unknown ids are
// kNotFound. Tests may also inject a failure for every call, and pin the clock used
// for note times. Not thread-safe.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orchestrator/store/trial_store.h"

namespace sweep {

class FakeStore : public TrialStore {
 public:
  explicit FakeStore(std::string root = "/fake/.sweep") : root_(std::move(root)) {}

  Status Commit(const WriteBatch& batch) override;
  Result<SweepRecord> GetSweep(const std::string& id_or_prefix) override;
  Result<std::vector<SweepRecord>> ListSweeps() override;
  Result<TrialRecord> GetTrial(const std::string& id_or_prefix) override;
  Result<std::vector<TrialRecord>> ListTrials(const std::string& sweep_id) override;
  Result<std::vector<MetricPoint>> GetMetrics(const MetricQuery& query) override;
  Result<std::vector<std::string>> MetricNames(const std::string& trial_id) override;
  Status AddNote(const std::string& trial_id, const std::string& text) override;
  Result<std::vector<Note>> GetNotes(const std::string& trial_id) override;
  Status AddTags(const std::string& trial_id, const std::vector<std::string>& tags) override;
  Result<std::vector<std::string>> GetTags(const std::string& trial_id) override;
  Status RequestStop(const std::string& sweep_id, bool cancel) override;
  const std::string& root() const override { return root_; }

  // Conveniences: one-record commits.
  void PutSweep(const SweepRecord& sweep);
  void PutTrial(const TrialRecord& trial);
  void PutPoints(const std::vector<MetricPoint>& points);

  // When set, every call returns this error (a store that went away).
  void FailWith(std::optional<Status> status) { fail_ = std::move(status); }
  // Fault injection on writes: the `n`th Commit from now (1 = the next one) fails
  // with `status` and writes nothing, as a failed SQLite transaction would; the
  // Commits after it succeed again.
  void FailCommit(int n, Status status) {
    fail_commit_at_ = commits_ + n;
    fail_commit_ = std::move(status);
  }
  // Commit calls so far, failed ones included.
  int commits() const { return commits_; }
  // How many committed batches carried a record of this trial.
  int trial_writes(const std::string& id) const {
    auto it = trial_writes_.find(id);
    return it == trial_writes_.end() ? 0 : it->second;
  }
  // Time stamped on notes (default 1700000000).
  void SetNow(double now) { now_ = now; }
  // Called at the start of every GetTrial (tests advance a trial while it is read).
  std::function<void(const std::string& id)> on_get_trial;

 private:
  std::map<std::string, SweepRecord> sweeps_;
  std::map<std::string, TrialRecord> trials_;
  std::map<std::string, int> trial_writes_;
  std::vector<MetricPoint> points_;
  std::vector<Note> notes_;
  std::map<std::string, std::vector<std::string>> tags_;
  std::optional<Status> fail_;
  int commits_ = 0;
  int fail_commit_at_ = 0;
  Status fail_commit_;
  double now_ = 1700000000;
  std::string root_;
};

}  // namespace sweep

// FakeStore: maps keyed by id; prefix lookups scan them. Mirrors the store's
// documented behaviour, not its SQL, so tests of the read commands and the controller
// run without a database.
#include "tests/testing/fake_store.h"

#include <algorithm>

namespace sweep {
namespace {

// The one record whose id starts with `prefix`: exact match first, then a unique
// prefix.
template <typename Map>
Result<typename Map::mapped_type> FindByPrefix(const Map& map, const std::string& prefix,
                                               const char* what) {
  auto exact = map.find(prefix);
  if (exact != map.end()) return exact->second;
  std::vector<const typename Map::mapped_type*> hits;
  for (auto it = map.lower_bound(prefix); it != map.end() && it->first.rfind(prefix, 0) == 0;
       ++it) {
    hits.push_back(&it->second);
  }
  if (hits.size() == 1) return *hits[0];
  if (hits.empty()) return Status::NotFound(std::string("no ") + what + " '" + prefix + "'");
  return Status::Usage(std::string("ambiguous ") + what + " prefix '" + prefix + "'");
}

}  // namespace

Status FakeStore::Commit(const WriteBatch& batch) {
  ++commits_;
  if (commits_ == fail_commit_at_) return fail_commit_;
  if (fail_) return *fail_;
  // As the SQLite store: a point must refer to a trial on record or in this batch.
  for (const auto& p : batch.points) {
    bool known = trials_.count(p.trial_id) > 0;
    for (const auto& t : batch.trials) known = known || t.id == p.trial_id;
    if (!known) return Status::Store("metric point for unknown trial " + p.trial_id);
  }
  for (const auto& s : batch.sweeps) sweeps_[s.id] = s;
  for (const auto& t : batch.trials) {
    trial_writes_[t.id]++;
    TrialRecord& stored = trials_[t.id] = t;
    // As the SQLite store: a pre-serialised summary is what gets stored.
    if (!stored.summary_text.empty()) {
      stored.summary = KeyedValue::parse(stored.summary_text);
      stored.summary_text.clear();
    }
  }
  points_.insert(points_.end(), batch.points.begin(), batch.points.end());
  return Status::Ok();
}

Result<SweepRecord> FakeStore::GetSweep(const std::string& id_or_prefix) {
  if (fail_) return *fail_;
  if (id_or_prefix.empty() || id_or_prefix == "latest") {
    const SweepRecord* latest = nullptr;
    for (const auto& [id, s] : sweeps_) {
      if (latest == nullptr || s.created_at >= latest->created_at) latest = &s;
    }
    if (latest == nullptr) return Status::NotFound("the store holds no sweep");
    return *latest;
  }
  return FindByPrefix(sweeps_, id_or_prefix, "sweep");
}

Result<std::vector<SweepRecord>> FakeStore::ListSweeps() {
  if (fail_) return *fail_;
  std::vector<SweepRecord> out;
  for (const auto& [id, s] : sweeps_) out.push_back(s);
  return out;
}

Result<TrialRecord> FakeStore::GetTrial(const std::string& id_or_prefix) {
  if (on_get_trial) on_get_trial(id_or_prefix);
  if (fail_) return *fail_;
  return FindByPrefix(trials_, id_or_prefix, "trial");
}

Result<std::vector<TrialRecord>> FakeStore::ListTrials(const std::string& sweep_id) {
  if (fail_) return *fail_;
  std::vector<TrialRecord> out;
  for (const auto& [id, t] : trials_) {
    if (t.sweep_id == sweep_id) out.push_back(t);
  }
  std::sort(out.begin(), out.end(),
            [](const TrialRecord& a, const TrialRecord& b) { return a.number < b.number; });
  return out;
}

Result<std::vector<MetricPoint>> FakeStore::GetMetrics(const MetricQuery& query) {
  if (fail_) return *fail_;
  std::vector<MetricPoint> out;
  for (const auto& p : points_) {
    if (p.trial_id == query.trial_id && (query.name.empty() || p.name == query.name)) {
      out.push_back(p);
    }
  }
  std::stable_sort(out.begin(), out.end(), [](const MetricPoint& a, const MetricPoint& b) {
    return a.name != b.name ? a.name < b.name : a.step < b.step;
  });
  if (query.limit > 0 && out.size() > query.limit) out.resize(query.limit);
  return out;
}

Result<std::vector<std::string>> FakeStore::MetricNames(const std::string& trial_id) {
  if (fail_) return *fail_;
  std::vector<std::string> names;
  for (const auto& p : points_) {
    if (p.trial_id == trial_id) names.push_back(p.name);
  }
  std::sort(names.begin(), names.end());
  names.erase(std::unique(names.begin(), names.end()), names.end());
  return names;
}

Status FakeStore::AddNote(const std::string& trial_id, const std::string& text) {
  if (fail_) return *fail_;
  if (!trials_.count(trial_id)) return Status::NotFound("no trial '" + trial_id + "'");
  notes_.push_back(Note{trial_id, text, now_});
  return Status::Ok();
}

Result<std::vector<Note>> FakeStore::GetNotes(const std::string& trial_id) {
  if (fail_) return *fail_;
  std::vector<Note> out;
  for (const auto& n : notes_) {
    if (n.trial_id == trial_id) out.push_back(n);
  }
  return out;
}

Status FakeStore::AddTags(const std::string& trial_id, const std::vector<std::string>& tags) {
  if (fail_) return *fail_;
  if (!trials_.count(trial_id)) return Status::NotFound("no trial '" + trial_id + "'");
  auto& list = tags_[trial_id];
  for (const auto& t : tags) {
    if (std::find(list.begin(), list.end(), t) == list.end()) list.push_back(t);
  }
  return Status::Ok();
}

Result<std::vector<std::string>> FakeStore::GetTags(const std::string& trial_id) {
  if (fail_) return *fail_;
  auto it = tags_.find(trial_id);
  return it == tags_.end() ? std::vector<std::string>{} : it->second;
}

Status FakeStore::RequestStop(const std::string& sweep_id, bool cancel) {
  if (fail_) return *fail_;
  auto it = sweeps_.find(sweep_id);
  if (it == sweeps_.end()) return Status::NotFound("no sweep '" + sweep_id + "'");
  it->second.stop_requested = true;
  if (cancel) it->second.cancel_requested = true;
  return Status::Ok();
}

void FakeStore::PutSweep(const SweepRecord& sweep) {
  WriteBatch b;
  b.sweeps.push_back(sweep);
  (void)Commit(b);
}

void FakeStore::PutTrial(const TrialRecord& trial) {
  WriteBatch b;
  b.trials.push_back(trial);
  (void)Commit(b);
}

void FakeStore::PutPoints(const std::vector<MetricPoint>& points) {
  WriteBatch b;
  b.points = points;
  (void)Commit(b);
}

}  // namespace sweep

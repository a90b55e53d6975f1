// ASHA as an early-stopping rule: record at the rung on report, judge on Decide.
//
// OnReport appends to the trial's history; when the number of reports first reaches
// the trial's next rung, the value of that report goes into the rung's list and the
// rung is queued for judgement. Decide judges each queued rung once: with n values at
// the rung (this one included) and n >= eta, the trial continues only if its value is
// no worse than the floor(n/eta)-th best of them (ties continue); with n < eta it
// continues, since promotion in ASHA never waits for more trials. Values of stopped and
// finished trials stay in the rung lists, so later trials face the same bar. Unlike
// hyperband, a trial is judged once per rung, never again between rungs.
#include "orchestrator/early_stop/asha_rule.h"

#include <algorithm>
#include <cmath>

namespace sweep {
namespace {

constexpr int64_t kMaxRung = int64_t{1} << 40;

Status BadSpec(const std::string& key, const std::string& what) {
  return Status::InvalidSpec("early_terminate." + key + ": " + what);
}

}  // namespace

Result<std::vector<int64_t>> AshaRungs(const AshaOptions& o) {
  if (!std::isfinite(o.eta) || o.eta <= 1) return BadSpec("eta", "must be greater than 1");
  if (o.min_iter < 1) return BadSpec("min_iter", "must be at least 1");
  if (o.max_iter && *o.max_iter <= o.min_iter) {
    return BadSpec("max_iter", "must be greater than min_iter (" + std::to_string(o.min_iter) +
                                   ") for asha to have a rung");
  }
  std::vector<int64_t> rungs;
  for (double r = static_cast<double>(o.min_iter); r <= static_cast<double>(kMaxRung); r *= o.eta) {
    const int64_t rung = static_cast<int64_t>(r);
    if (o.max_iter && rung >= *o.max_iter) break;
    if (rungs.empty() || rung > rungs.back()) rungs.push_back(rung);
  }
  return rungs;
}

AshaRule::AshaRule(std::vector<int64_t> rungs, double eta, Goal goal, std::string metric_name)
    : rungs_(std::move(rungs)),
      eta_(eta),
      metric_(std::move(metric_name)),
      histories_(goal),
      rung_values_(rungs_.size()) {}

Result<std::unique_ptr<AshaRule>> AshaRule::Make(const AshaOptions& options, Goal goal,
                                                 std::string metric_name) {
  auto rungs = AshaRungs(options);
  if (!rungs.ok()) return rungs.status();
  return std::make_unique<AshaRule>(std::move(rungs).value(), options.eta, goal,
                                    std::move(metric_name));
}

void AshaRule::OnReport(const std::string& trial_id, int64_t count, double value) {
  if (histories_.Add(trial_id, count, value) < 0) return;
  const std::vector<double>& h = *histories_.Find(trial_id);
  TrialState& t = trials_[trial_id];
  const int64_t reports = static_cast<int64_t>(h.size());
  while (t.next_rung < rungs_.size() && reports >= rungs_[t.next_rung]) {
    const double v = h[static_cast<size_t>(rungs_[t.next_rung]) - 1];
    rung_values_[t.next_rung].push_back(v);
    if (flags_.Eligible(trial_id)) t.pending.push_back({t.next_rung, v});
    ++t.next_rung;
  }
}

void AshaRule::OnEnd(const std::string& trial_id) {
  flags_.MarkEnded(trial_id);
  auto it = trials_.find(trial_id);
  if (it != trials_.end()) it->second.pending.clear();
}

std::vector<StopDecision> AshaRule::Decide(const std::vector<std::string>& running) {
  std::vector<StopDecision> out;
  for (const std::string& id : running) {
    auto it = trials_.find(id);
    if (it == trials_.end() || !flags_.Eligible(id)) continue;
    std::vector<Pending> pending;
    pending.swap(it->second.pending);
    for (const Pending& p : pending) {
      const std::vector<double>& all = rung_values_[p.rung];
      const double n = static_cast<double>(all.size());
      if (n < eta_) continue;
      const size_t top = static_cast<size_t>(std::floor(n / eta_));  // >= 1 since n >= eta
      std::vector<double> sorted = all;
      std::nth_element(sorted.begin(), sorted.begin() + (top - 1), sorted.end());
      const double cutoff = sorted[top - 1];
      if (!(p.value > cutoff)) continue;
      flags_.MarkStopped(id);
      StopDecision d;
      d.trial_id = id;
      d.rule = "asha";
      d.bracket = static_cast<int>(p.rung);
      d.reason = "asha: " + metric_ + " at report " + std::to_string(rungs_[p.rung]) + " is " +
                 histories_.Show(p.value) + ", outside the top 1/" + FormatNumber(eta_) +
                 " (best " + std::to_string(top) + " of " + std::to_string(all.size()) +
                 ", cutoff " + histories_.Show(cutoff) + ") of the values recorded at rung " +
                 std::to_string(p.rung);
      out.push_back(std::move(d));
      break;
    }
  }
  return out;
}

std::vector<double> AshaRule::RungValues(size_t k) const {
  std::vector<double> out;
  if (k >= rung_values_.size()) return out;
  for (double v : rung_values_[k]) out.push_back(histories_.Raw(v));
  return out;
}

std::string AshaRule::Describe() const {
  std::string s = "asha (eta " + FormatNumber(eta_) + "): rungs at reports";
  const size_t shown = std::min<size_t>(rungs_.size(), 6);
  for (size_t i = 0; i < shown; ++i) s += (i ? ", " : " ") + std::to_string(rungs_[i]);
  if (shown < rungs_.size()) s += ", ...";
  return s;
}

}  // namespace sweep

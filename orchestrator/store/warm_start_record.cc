// The warm-start record, read leniently like every stored record: entries of the
// wrong shape are skipped, never an error.
#include "orchestrator/store/warm_start_record.h"

#include "orchestrator/store/ranking.h"

namespace sweep {

std::vector<std::string> PriorLines(const Value& warm_start) {
  std::vector<std::string> lines;
  if (!warm_start.is_object() || !warm_start.contains("sources")) return lines;
  for (const Value& s : warm_start["sources"]) {
    if (!s.is_object()) continue;
    const std::string kind = s.value("kind", "");
    const std::string name =
        kind == "sweep" ? s.value("sweep", s.value("source", "")) : s.value("source", "");
    const uint64_t used = s.value("used", uint64_t{0});
    const uint64_t skipped = s.value("skipped", uint64_t{0});
    std::string line = "warm start: " + std::to_string(used) + " trial" + (used == 1 ? "" : "s") +
                       " from " + kind + " " + name;
    if (skipped > 0) {
      line += " (" + std::to_string(skipped) + " skipped";
      if (s.contains("reasons") && s["reasons"].is_object()) {
        std::string why;
        for (auto it = s["reasons"].begin(); it != s["reasons"].end(); ++it)
          if (it->is_number_unsigned())
            why +=
                (why.empty() ? ": " : "; ") + std::to_string(it->get<uint64_t>()) + " " + it.key();
        line += why;
      }
      line += ")";
    }
    lines.push_back(std::move(line));
  }
  return lines;
}

std::vector<TrialRecord> PriorTrialRecords(const SweepRecord& sweep) {
  std::vector<TrialRecord> out;
  const Value& w = sweep.options.warm_start;
  if (!w.is_object() || !w.contains("trials") || !w["trials"].is_array()) return out;
  for (const Value& t : w["trials"]) {
    if (!t.is_object() || !t.contains("params") || !t["params"].is_object()) continue;
    TrialRecord r;
    r.id = t.value("ref", std::string("prior"));
    r.sweep_id = t.value("source", std::string());
    r.params = t["params"];
    r.status = TrialStatus::kFinished;
    if (t.contains("summary") && t["summary"].is_object()) r.summary = KeyedValue(t["summary"]);
    if (!sweep.metric.empty())
      r.value = SummaryValue(r, sweep.metric, SweepSummaryMode(sweep), SweepGoal(sweep));
    r.metric_reported = r.value.has_value();
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace sweep

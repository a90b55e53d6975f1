// SweepOptions <-> JSON. Known keys are read by type and everything else is carried
// in `extra`, so a record round-trips through this version unchanged.
#include "orchestrator/store/sweep_options.h"

#include <algorithm>
#include <initializer_list>

namespace sweep {
namespace {

constexpr const char* kKnown[] = {
    "workers",         "gpus",         "max_trials", "space_size", "run_cap",
    "summary",         "slurm_agents", "listen",     "token_file", "lease_interval_s",
    "lease_timeout_s", "tls_cert",     "tls_key",    "pareto",     "warm_start"};

bool Known(const std::string& key) {
  return std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* k) { return key == k; });
}

std::optional<uint64_t> Count(const Value& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t n = it->get<int64_t>();
  if (n < 0) return std::nullopt;
  return static_cast<uint64_t>(n);
}

std::optional<int> Int(const Value& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number_integer()) return std::nullopt;
  int64_t n = it->get<int64_t>();
  if (n < INT32_MIN || n > INT32_MAX) return std::nullopt;
  return static_cast<int>(n);
}

std::optional<double> Number(const Value& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return std::nullopt;
  return it->get<double>();
}

std::string Text(const Value& j, const char* key, std::string fallback = "") {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return fallback;
  return it->get<std::string>();
}

Value Nullable(const std::optional<uint64_t>& n) { return n ? Value(*n) : Value(nullptr); }

}  // namespace

bool SweepOptions::operator==(const SweepOptions& o) const {
  return SweepOptionsToJson(*this) == SweepOptionsToJson(o);
}

Value SweepOptionsToJson(const SweepOptions& o) {
  Value j = o.extra.is_object() ? o.extra : Value::object();
  if (o.workers) j["workers"] = *o.workers;
  j["gpus"] = o.gpus;
  j["max_trials"] = Nullable(o.max_trials);
  j["space_size"] = Nullable(o.space_size);
  j["run_cap"] = Nullable(o.run_cap);
  j["summary"] = o.summary;
  if (o.slurm_agents) j["slurm_agents"] = *o.slurm_agents;
  if (!o.listen.empty()) j["listen"] = o.listen;
  if (!o.token_file.empty()) j["token_file"] = o.token_file;
  if (o.lease_interval_s) j["lease_interval_s"] = *o.lease_interval_s;
  if (o.lease_timeout_s) j["lease_timeout_s"] = *o.lease_timeout_s;
  if (!o.tls_cert.empty()) j["tls_cert"] = o.tls_cert;
  if (!o.tls_key.empty()) j["tls_key"] = o.tls_key;
  if (!o.pareto.is_null()) j["pareto"] = o.pareto;
  if (!o.warm_start.is_null()) j["warm_start"] = o.warm_start;
  return j;
}

SweepOptions ParseSweepOptions(const Value& j) {
  SweepOptions o;
  if (!j.is_object()) return o;
  o.workers = Int(j, "workers");
  o.gpus = Text(j, "gpus");
  o.max_trials = Count(j, "max_trials");
  o.space_size = Count(j, "space_size");
  o.run_cap = Count(j, "run_cap");
  o.summary = Text(j, "summary", "last");
  o.slurm_agents = Int(j, "slurm_agents");
  o.listen = Text(j, "listen");
  o.token_file = Text(j, "token_file");
  o.lease_interval_s = Number(j, "lease_interval_s");
  o.lease_timeout_s = Number(j, "lease_timeout_s");
  o.tls_cert = Text(j, "tls_cert");
  o.tls_key = Text(j, "tls_key");
  if (j.contains("pareto") && j["pareto"].is_object()) o.pareto = j["pareto"];
  if (j.contains("warm_start") && j["warm_start"].is_object()) o.warm_start = j["warm_start"];
  for (auto it = j.begin(); it != j.end(); ++it)
    if (!Known(it.key())) o.extra[it.key()] = it.value();
  return o;
}

std::optional<uint64_t> PlannedTrials(const SweepOptions& o) {
  std::optional<uint64_t> planned;
  for (const auto& n : {o.max_trials, o.run_cap, o.space_size}) {
    // 0 would mean "nothing planned", which no launch records; treat it as unknown.
    if (n && *n > 0) planned = std::min(planned.value_or(UINT64_MAX), *n);
  }
  return planned;
}

}  // namespace sweep

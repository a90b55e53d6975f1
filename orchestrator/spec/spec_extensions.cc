// Parsing of the extension keys: each is checked for type and range, and every
// mapping-valued key rejects unknown sub-keys with a did-you-mean hint, exactly like
// the W&B keys. Values land in SweepSpec fields whose defaults are the documented ones,
// so a key that fails validation leaves its default in place (the parse fails anyway).
#include "orchestrator/spec/spec_extensions.h"

#include <algorithm>
#include <regex>

#include "orchestrator/remote/slurm_text.h"
#include "orchestrator/spec/did_you_mean.h"

namespace sweep {
namespace {

bool IsEnvName(const std::string& s) {
  if (s.empty() || (s[0] >= '0' && s[0] <= '9')) return false;
  for (char c : s)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'))
      return false;
  return true;
}

void ParseEnv(const MapEntry& e, SpecReader& r, SweepSpec& spec) {
  auto entries = r.Entries(e.value, "env", e.key_node);
  if (!entries) return;
  for (const MapEntry& v : *entries) {
    const std::string path = "env." + v.key;
    if (!IsEnvName(v.key)) {
      r.Error(v.key_node, path,
              "'" + v.key + "' is not an environment variable name ([A-Za-z_][A-Za-z0-9_]*)");
      continue;
    }
    if (auto text = r.Text(v, path)) spec.env[v.key] = *text;
  }
}

// reporting.wandb: how a trial's `import wandb` is served (agents/python/wandb).
void ParseWandbMode(const MapEntry& k, const std::string& path, SpecReader& r, SweepSpec& spec) {
  static const std::vector<std::string> kModes = {"shim", "tee", "off"};
  auto text = r.Text(k, path);
  if (!text) return;
  if (std::find(kModes.begin(), kModes.end(), *text) != kModes.end()) {
    // Trials learn the mode from $SWEEP_WANDB (agents/runtime/wandb_files.h), set
    // like the spec's other env entries, so remote agents get it with the assign.
    spec.env["SWEEP_WANDB"] = *text;
    return;
  }
  std::string msg = "unknown wandb mode '" + *text + "'";
  if (auto s = DidYouMean(*text, kModes))
    msg += "; did you mean '" + *s + "'?";
  else
    msg += " (expected one of: shim, tee, off)";
  r.Error(k.value, path, msg);
}

void ParseReporting(const MapEntry& e, SpecReader& r, SweepSpec& spec) {
  static const std::vector<std::string> kKeys = {"metrics_file", "stdout", "stdout_pattern",
                                                 "wandb", "max_metric_names"};
  auto entries = r.Entries(e.value, "reporting", e.key_node);
  if (!entries) return;
  for (const MapEntry& k : *entries) {
    const std::string path = "reporting." + k.key;
    if (k.key == "metrics_file") {
      if (auto b = r.Bool(k, path)) spec.reporting.metrics_file = *b;
    } else if (k.key == "stdout") {
      if (auto b = r.Bool(k, path)) spec.reporting.stdout_pairs = *b;
    } else if (k.key == "stdout_pattern") {
      auto text = r.Text(k, path);
      if (!text) continue;
      // std::regex compiles recursively: bound the pattern so a spec cannot blow the stack.
      if (text->size() > 1000) {
        r.Error(k.value, path, "pattern longer than 1000 characters");
        continue;
      }
      try {
        std::regex re(*text, std::regex::ECMAScript);
        if (re.mark_count() < 2) {
          r.Error(k.value, path,
                  "the pattern needs 2 capture groups (name, value), found " +
                      std::to_string(re.mark_count()));
          continue;
        }
      } catch (const std::regex_error& err) {
        r.Error(k.value, path, std::string("not a valid regular expression: ") + err.what());
        continue;
      }
      spec.reporting.stdout_pattern = *text;
    } else if (k.key == "wandb") {
      ParseWandbMode(k, path, r, spec);
    } else if (k.key == "max_metric_names") {
      auto n = r.Int(k, path);
      if (!n) continue;
      if (*n < 1 || *n > 1000000) {
        r.Error(k.value, path, "must be between 1 and 1000000, not " + std::to_string(*n));
        continue;
      }
      spec.max_metric_names = static_cast<size_t>(*n);
    } else {
      r.UnknownKey(k, "reporting", kKeys);
    }
  }
}

void ParseTrack(const MapEntry& e, SpecReader& r, SweepSpec& spec) {
  static const std::vector<std::string> kKeys = {
      "git", "env", "packages", "env_vars", "system_metrics_interval", "max_diff_bytes"};
  auto entries = r.Entries(e.value, "track", e.key_node);
  if (!entries) return;
  for (const MapEntry& k : *entries) {
    const std::string path = "track." + k.key;
    if (k.key == "git") {
      if (auto b = r.Bool(k, path)) spec.track.git = *b;
    } else if (k.key == "env") {
      if (auto b = r.Bool(k, path)) spec.track.env = *b;
    } else if (k.key == "packages") {
      if (auto b = r.Bool(k, path)) spec.track.packages = *b;
    } else if (k.key == "env_vars") {
      if (auto l = r.TextList(k, path)) spec.track.env_vars = *l;
    } else if (k.key == "system_metrics_interval") {
      if (auto d = r.Duration(k, path)) spec.track.system_metrics_interval_s = *d;
    } else if (k.key == "max_diff_bytes") {
      if (auto n = r.Bytes(k, path)) spec.track.max_diff_bytes = *n;
    } else {
      r.UnknownKey(k, "track", kKeys);
    }
  }
}

void ParseBackend(const MapEntry& e, SpecReader& r, SweepSpec& spec) {
  static const std::vector<std::string> kKeys = {
      "type",           "agents",          "sbatch",          "listen", "workers_per_agent",
      "gpus_per_trial", "pending_timeout", "max_replacements"};
  static const std::vector<std::string> kTypes = {"local", "slurm"};
  auto entries = r.Entries(e.value, "backend", e.key_node);
  if (!entries) return;
  for (const MapEntry& k : *entries) {
    const std::string path = "backend." + k.key;
    if (k.key == "type") {
      auto t = r.Text(k, path);
      if (!t) continue;
      if (*t != "local" && *t != "slurm") {
        r.Error(
            k.value, path,
            "unknown backend '" + *t + "' (known: local, slurm)" + DidYouMeanSuffix(*t, kTypes));
        continue;
      }
      spec.backend.type = *t;
    } else if (k.key == "agents") {
      if (auto v = r.IntInRange(k, path, 1, 100000)) spec.backend.agents = static_cast<int>(*v);
    } else if (k.key == "sbatch") {
      auto l = r.TextList(k, path);
      if (!l) continue;
      // Flags sweep sets itself (--array, --wrap, ...) are refused here, at their element.
      bool ok = true;
      for (size_t i = 0; i < l->size(); ++i) {
        if (Status s = CheckSbatchFlags({(*l)[i]}); !s.ok()) {
          r.Error(k.value[i], path + "[" + std::to_string(i) + "]", s.message(), k.value);
          ok = false;
        }
      }
      if (ok) spec.backend.sbatch = *l;
    } else if (k.key == "listen") {
      auto t = r.Text(k, path);
      if (!t) continue;
      const size_t colon = t->rfind(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == t->size() ||
          t->find_first_not_of("0123456789", colon + 1) != std::string::npos ||
          std::stol(t->substr(colon + 1, 6)) > 65535) {
        r.Error(k.value, path, "expected HOST:PORT, found '" + *t + "'");
        continue;
      }
      spec.backend.listen = *t;
    } else if (k.key == "workers_per_agent") {
      if (auto v = r.IntInRange(k, path, 1, 4096))
        spec.backend.workers_per_agent = static_cast<int>(*v);
    } else if (k.key == "pending_timeout") {
      if (auto d = r.Duration(k, path)) spec.backend.pending_timeout_s = *d;
    } else if (k.key == "gpus_per_trial") {
      if (auto v = r.IntInRange(k, path, 0, 1024))
        spec.backend.gpus_per_trial = static_cast<int>(*v);
    } else if (k.key == "max_replacements") {
      if (auto v = r.IntInRange(k, path, 0, 100000))
        spec.backend.max_replacements = static_cast<int>(*v);
    } else {
      r.UnknownKey(k, "backend", kKeys);
    }
  }
}

}  // namespace

const std::vector<std::string>& ExtensionKeys() {
  static const std::vector<std::string> keys = {
      "seed",        "workers",      "gpus_per_trial",     "timeout", "stop_grace",
      "max_retries", "max_failures", "interpreter",        "env",     "reporting",
      "track",       "artifacts",    "artifact_max_bytes", "data",    "backend",
      "warm_start"};
  return keys;
}

bool ParseExtensionKey(const MapEntry& e, SpecReader& r, SweepSpec& spec) {
  const std::string& k = e.key;
  if (k == "seed") {
    if (auto v = r.IntInRange(e, k, 0, INT64_MAX)) spec.seed = static_cast<uint64_t>(*v);
  } else if (k == "workers") {
    if (auto v = r.IntInRange(e, k, 1, 4096)) spec.workers = static_cast<int>(*v);
  } else if (k == "gpus_per_trial") {
    if (auto v = r.IntInRange(e, k, 0, 1024)) spec.gpus_per_trial = static_cast<int>(*v);
  } else if (k == "timeout") {
    if (auto d = r.Duration(e, k)) spec.timeout_s = *d;
  } else if (k == "stop_grace") {
    if (auto d = r.Duration(e, k)) spec.stop_grace_s = *d;
  } else if (k == "max_retries") {
    if (auto v = r.IntInRange(e, k, 0, 1000)) spec.max_retries = static_cast<int>(*v);
  } else if (k == "max_failures") {
    if (auto v = r.IntInRange(e, k, 1, INT32_MAX)) spec.max_failures = static_cast<int>(*v);
  } else if (k == "interpreter") {
    auto t = r.Text(e, k);
    if (t && t->empty()) r.Error(e.value, k, "interpreter must not be empty", e.key_node);
    if (t && !t->empty()) spec.interpreter = *t;
  } else if (k == "env") {
    ParseEnv(e, r, spec);
  } else if (k == "reporting") {
    ParseReporting(e, r, spec);
  } else if (k == "track") {
    ParseTrack(e, r, spec);
  } else if (k == "artifacts") {
    if (auto l = r.TextList(e, k)) spec.artifacts = *l;
  } else if (k == "artifact_max_bytes") {
    if (auto b = r.Bytes(e, k)) spec.artifact_max_bytes = *b;
  } else if (k == "data") {
    if (auto l = r.TextList(e, k)) spec.data = *l;
  } else if (k == "backend") {
    ParseBackend(e, r, spec);
  } else if (k == "warm_start") {
    // Sweep ids or prior-trial files (schemas/warm_start.md); one string or a list.
    if (e.value.IsScalar()) {
      if (auto t = r.Text(e, k)) spec.warm_start = {*t};
    } else if (auto l = r.TextList(e, k)) {
      spec.warm_start = *l;
    }
    for (const std::string& s : spec.warm_start)
      if (s.empty()) r.Error(e.value, k, "a warm_start source must not be empty", e.key_node);
  } else {
    return false;
  }
  return true;
}

}  // namespace sweep

// `sweep validate` and `sweep launch --dry-run`: both parse the spec and ask the
// strategy exactly as a real launch would, and write nothing anywhere.
#include <algorithm>
#include <regex>
#include <set>

#include "base/shell_quote.h"
#include "orchestrator/controller/prior_trials.h"
#include "orchestrator/launch.h"
#include "orchestrator/spec/command_builder.h"
#include "orchestrator/spec/spec_parser.h"
#include "orchestrator/spec/spec_summary.h"
#include "orchestrator/store/warm_start_record.h"
#include "search/grid_search.h"

namespace sweep {
namespace {

// The number of configurations as text. A strategy's count saturates at 2^64 - 1;
// then the grid's exact product is printed instead (a 100^10 grid has exactly
// 100000000000000000000, not 18446744073709551615).
std::string SizeText(const SweepSpec& spec, uint64_t size) {
  if (size == UINT64_MAX) {
    auto grid = DiscreteGrid::Build(spec.space, DiscreteGrid::Mode::kGrid);
    if (grid.ok() && grid->Saturated()) return grid->ExactSizeText();
  }
  return std::to_string(size);
}

}  // namespace

std::string StrategyError(const std::string& file, const std::string& message) {
  if (message.rfind(file + ":", 0) == 0) return message;
  // "PATH:LINE:COL: ..." from another spelling of the path is a location too.
  static const std::regex kLocated(R"(^[^\n]+:[0-9]+:[0-9]+: )");
  if (std::regex_search(message, kLocated)) return message;
  return file + ": method: " + message;
}

int RunDryRun(const SweepSpec& spec, const LaunchFlags& flags, uint64_t seed,
              const Value& warm_start, std::ostream& out, std::ostream& err) {
  StrategyOptions so;
  so.seed = seed;
  so.goal = spec.metric.goal;
  so.impute = spec.metric.impute;
  so.has_metric = !spec.metric.name.empty();
  auto strategy = MakeStrategy(spec.method, spec.space, so);
  if (!strategy.ok()) {
    err << StrategyError(spec.file, strategy.status().message()) << "\n";
    return 2;
  }
  // The warm start, replayed first exactly as the controller does: grid and random
  // then skip its configurations, bayes fits on it.
  const std::vector<Observation> prior = PriorObservations(spec, warm_start);
  if (!prior.empty()) (*strategy)->Replay(prior);
  std::set<std::string> finished;  // distinct prior configurations
  for (const Observation& o : prior) finished.insert(ConfigKey(o.config));
  const bool skips = spec.method == "grid" || spec.method == "random";
  const std::optional<uint64_t> space_size = (*strategy)->SpaceSize();
  std::optional<uint64_t> total = space_size;
  if (spec.run_cap && (!total || *spec.run_cap < *total)) total = spec.run_cap;
  // What is left to run: a finite grid or random space loses its finished
  // configurations; run_cap counts only this sweep's trials.
  std::optional<uint64_t> left = space_size;
  if (left && skips) left = *left - std::min<uint64_t>(*left, finished.size());
  if (spec.run_cap && (!left || *spec.run_cap < *left)) left = spec.run_cap;
  uint64_t limit = flags.max_trials ? *flags.max_trials
                   : left           ? std::min<uint64_t>(*left, 1000)
                                    : 10;
  if (left && limit > *left) limit = *left;
  Value trials = Value::array();
  std::vector<Config> pending;
  for (uint64_t i = 0; i < limit && !(*strategy)->Exhausted(); ++i) {
    std::vector<Config> c = (*strategy)->Suggest(1, pending);
    if (c.empty()) break;
    CommandContext ctx;
    ctx.args_json_file = "$SWEEP_TRIAL_DIR/params.json";
    auto argv = BuildArgv(spec, c[0], ctx);
    if (!argv.ok()) {
      err << spec.file << ": " << argv.status().message() << "\n";
      return 2;
    }
    Value t = Value::object();
    t["number"] = i;
    t["params"] = spec.space.ToFlat(c[0]);
    t["argv"] = argv.value();
    trials.push_back(std::move(t));
    pending.push_back(std::move(c[0]));
  }
  if (flags.json) {
    Value doc = Value::object();
    doc["method"] = spec.method;
    doc["seed"] = seed;
    doc["total"] = total ? Value(*total) : Value(nullptr);
    doc["shown"] = trials.size();
    doc["trials"] = trials;
    if (warm_start.is_object()) {
      Value w = Value::object();
      w["sources"] = warm_start.value("sources", Value::array());
      w["trials"] = prior.size();
      if (skips) w["skipped_configurations"] = finished.size();
      doc["warm_start"] = std::move(w);
    }
    out << doc.dump(2) << "\n";
    return 0;
  }
  out << "dry run: method " << spec.method << ", seed " << seed << ", "
      << (total ? SizeText(spec, *total) + " configuration(s)" : std::string("unbounded"))
      << "; showing " << trials.size() << " (nothing is run or written)\n";
  for (const std::string& line : PriorLines(warm_start)) out << line << "\n";
  if (warm_start.is_object()) {
    if (skips) {
      out << "warm start: " << spec.method << " will not run the " << finished.size()
          << " configuration(s) already finished there";
      if (space_size)
        out << "; " << (*space_size - std::min<uint64_t>(*space_size, finished.size())) << " of "
            << SizeText(spec, *space_size) << " left";
      out << "\n";
    } else {
      out << "warm start: " << spec.method << " learns from these " << prior.size()
          << " trial(s) before its first suggestion\n";
    }
  }
  for (const Value& t : trials) {
    out << "#" << t["number"].get<uint64_t>() << "  ";
    bool first = true;
    for (auto it = t["params"].begin(); it != t["params"].end(); ++it) {
      out << (first ? "" : "  ") << it.key() << "=" << FormatPython(it.value());
      first = false;
    }
    out << "\n    argv:";
    for (const Value& a : t["argv"]) out << " " << ShellQuoteForDisplay(a.get<std::string>());
    out << "\n";
  }
  if (spec.method == "bayes" && trials.size() > 1)
    out << "note: bayes suggestions after the initial design depend on results; shown are the "
           "suggestions made before any result of this sweep\n";
  if (left && trials.size() < *left)
    out << "... " << (*left - trials.size()) << " more (use --max-trials N to see more)\n";
  return 0;
}

int RunValidate(const std::string& spec_path, bool json, std::ostream& out, std::ostream& err) {
  auto spec = ParseSpecFile(spec_path);
  if (!spec.ok()) {
    err << spec.status().message() << "\n";
    return spec.status().ExitCode();
  }
  StrategyOptions so;
  auto strategy = MakeStrategy(spec->method, spec->space, so);
  if (!strategy.ok()) {
    err << StrategyError(spec_path, strategy.status().message()) << "\n";
    return 2;
  }
  std::optional<uint64_t> size = (*strategy)->SpaceSize();
  if (json) {
    Value doc = SpecToJson(spec.value());
    doc["valid"] = true;
    doc["space_size"] = size ? Value(*size) : Value(nullptr);
    // space_size saturates at 2^64 - 1; this one is exact, as a decimal string.
    if (size) doc["space_size_exact"] = SizeText(spec.value(), *size);
    out << doc.dump(2) << "\n";
    return 0;
  }
  out << spec_path << ": ok";
  if (size) out << " (" << SizeText(spec.value(), *size) << " configuration(s))";
  out << "\n";
  for (const std::string& line : SummarizeSpec(spec.value())) out << "  " << line << "\n";
  return 0;
}

}  // namespace sweep

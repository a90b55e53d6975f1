// `sweep validate` and `sweep launch --dry-run`: both parse the spec and ask the
// strategy exactly as a real launch would, and write nothing anywhere.
#include <algorithm>
#include <regex>

#include "base/shell_quote.h"
#include "orchestrator/launch.h"
#include "orchestrator/spec/command_builder.h"
#include "orchestrator/spec/spec_parser.h"
#include "orchestrator/spec/spec_summary.h"
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

int RunDryRun(const SweepSpec& spec, const LaunchFlags& flags, uint64_t seed, std::ostream& out,
              std::ostream& err) {
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
  std::optional<uint64_t> total = (*strategy)->SpaceSize();
  if (spec.run_cap && (!total || *spec.run_cap < *total)) total = spec.run_cap;
  uint64_t limit = flags.max_trials ? *flags.max_trials
                   : total          ? std::min<uint64_t>(*total, 1000)
                                    : 10;
  if (total && limit > *total) limit = *total;
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
    out << doc.dump(2) << "\n";
    return 0;
  }
  out << "dry run: method " << spec.method << ", seed " << seed << ", "
      << (total ? SizeText(spec, *total) + " configuration(s)" : std::string("unbounded"))
      << "; showing " << trials.size() << " (nothing is run or written)\n";
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
           "suggestions made before any result\n";
  if (total && trials.size() < *total)
    out << "... " << (*total - trials.size()) << " more (use --max-trials N to see more)\n";
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

// Parsing of `metrics:`, `constraints:` and `where:` (see spec_objectives.h).
//
// W&B's rules for `metrics:` are kept: a list of at least two {name, goal} mappings and
// exclusive with `metric:`; names must differ. Our additions per entry are `reference`
// (the objective's coordinate of the hypervolume reference point), `summary` and, on
// the first entry only, `impute` (it governs the whole sweep, as metric.impute does).
//
// `where:` errors point into the expression: the parser gives a character offset,
// which is mapped to the spec's line and column by finding the expression's lines in
// the spec text after the scalar's own position (a quoted, plain or block scalar all
// keep each line's characters as written; only escapes in double-quoted strings would
// shift columns, and the expression language has none). When the text cannot be found
// (an escape was used) the scalar's position is given with the column inside it.
#include "orchestrator/spec/spec_objectives.h"

#include <algorithm>

#include "orchestrator/spec/did_you_mean.h"
#include "search/grid_search.h"
#include "search/random_search.h"

namespace sweep {
namespace {

std::optional<Goal> GoalOf(SpecReader& r, const MapEntry& k, const std::string& path) {
  auto t = r.Text(k, path);
  if (!t) return std::nullopt;
  if (*t == "minimize") return Goal::kMinimize;
  if (*t == "maximize") return Goal::kMaximize;
  r.Error(k.value, path,
          "unknown goal '" + *t + "'" + DidYouMeanSuffix(*t, {"minimize", "maximize"}));
  return std::nullopt;
}

std::string Describe(const Config& config, const SearchSpace& space) {
  std::string out;
  const std::vector<bool> live = space.ActiveMask(config);
  for (size_t i = 0; i < config.size() && i < space.params.size(); ++i)
    if (live[i])
      out += (out.empty() ? "" : ", ") + space.params[i].name + "=" + FormatPython(config[i]);
  return out;
}

}  // namespace

const std::vector<std::string>& ObjectiveExtensionKeys() {
  static const std::vector<std::string> keys = {"constraints", "where"};
  return keys;
}

bool ObjectivesParser::Key(const MapEntry& e) {
  if (e.key == "metrics") {
    Metrics(e);
  } else if (e.key == "constraints") {
    Constraints(e);
  } else if (e.key == "where") {
    Where(e);
  } else {
    return false;
  }
  return true;
}

void ObjectivesParser::Metrics(const MapEntry& e) {
  static const std::vector<std::string> kKeys = {"name", "goal", "reference", "summary", "impute"};
  has_metrics_ = true;
  metrics_key_ = e.key_node;
  if (!e.value.IsSequence()) {
    r_.Error(e.value, "metrics",
             "expected a list of {name, goal} mappings, found " + SpecReader::Describe(e.value),
             e.key_node);
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) {
    const std::string base = "metrics[" + std::to_string(i) + "]";
    auto entries = r_.Entries(e.value[i], base, e.key_node);
    if (!entries) continue;
    MetricSpec m;
    const MapEntry* name_entry = nullptr;
    for (const MapEntry& k : *entries) {
      const std::string path = base + "." + k.key;
      if (k.key == "name") {
        auto t = r_.Text(k, path);
        if (t && t->empty()) r_.Error(k.value, path, "metric name must not be empty", k.key_node);
        if (t) m.name = *t;
        name_entry = &k;
      } else if (k.key == "goal") {
        if (auto g = GoalOf(r_, k, path)) m.goal = *g;
      } else if (k.key == "reference") {
        if (auto v = r_.Number(k, path)) m.reference = *v;
      } else if (k.key == "summary") {
        auto s = r_.Text(k, path);
        if (s && (*s == "last" || *s == "min" || *s == "max" || *s == "best"))
          m.summary = *s == "min"    ? SummaryMode::kMin
                      : *s == "max"  ? SummaryMode::kMax
                      : *s == "best" ? SummaryMode::kBest
                                     : SummaryMode::kLast;
        else if (s)
          r_.Error(k.value, path, "unknown summary '" + *s + "' (expected last, min, max or best)");
      } else if (k.key == "impute") {
        auto s = r_.Text(k, path);
        if (i > 0) {
          r_.Error(k.key_node, path,
                   "impute applies to the whole sweep: give it on the first entry of metrics");
        } else if (s && (*s == "worst" || *s == "best" || *s == "latest")) {
          m.impute = *s == "best"     ? Impute::kBest
                     : *s == "latest" ? Impute::kLatest
                                      : Impute::kWorst;
        } else if (s) {
          r_.Error(k.value, path, "unknown impute '" + *s + "' (expected worst, best or latest)");
        }
      } else {
        r_.UnknownKey(k, base, kKeys);
      }
    }
    if (!name_entry) {
      r_.Error(e.value[i], base + ".name", "each entry of metrics needs a name");
      continue;
    }
    for (const MetricSpec& earlier : spec_.objectives)
      if (!m.name.empty() && earlier.name == m.name)
        r_.Error(name_entry->value, base + ".name",
                 "metric '" + m.name + "' is listed twice in metrics");
    spec_.objectives.push_back(std::move(m));
  }
  if (e.value.size() < 2)
    r_.Error(e.key_node, "metrics",
             "metrics needs at least two {name, goal} entries (found " +
                 std::to_string(e.value.size()) + "); for one objective use metric:");
}

void ObjectivesParser::Constraints(const MapEntry& e) {
  static const std::vector<std::string> kKeys = {"metric", "min", "max"};
  constraints_key_ = e.key_node;
  if (!e.value.IsSequence()) {
    r_.Error(
        e.value, "constraints",
        "expected a list of {metric, min, max} mappings, found " + SpecReader::Describe(e.value),
        e.key_node);
    return;
  }
  for (size_t i = 0; i < e.value.size(); ++i) {
    const std::string base = "constraints[" + std::to_string(i) + "]";
    auto entries = r_.Entries(e.value[i], base, e.key_node);
    if (!entries) continue;
    ConstraintSpec c;
    const MapEntry* metric_entry = nullptr;
    for (const MapEntry& k : *entries) {
      const std::string path = base + "." + k.key;
      if (k.key == "metric") {
        auto t = r_.Text(k, path);
        if (t && t->empty()) r_.Error(k.value, path, "metric name must not be empty", k.key_node);
        if (t) c.metric = *t;
        metric_entry = &k;
      } else if (k.key == "min") {
        c.bound.min = r_.Number(k, path);
      } else if (k.key == "max") {
        c.bound.max = r_.Number(k, path);
      } else {
        r_.UnknownKey(k, base, kKeys);
      }
    }
    if (!metric_entry) {
      r_.Error(e.value[i], base + ".metric", "a constraint needs the metric it bounds");
      continue;
    }
    if (!c.bound.min && !c.bound.max)
      r_.Error(e.value[i], base, "a constraint needs min, max or both");
    if (c.bound.min && c.bound.max && *c.bound.min > *c.bound.max)
      r_.Error(e.value[i], base,
               "min " + FormatPythonFloat(*c.bound.min) + " is greater than max " +
                   FormatPythonFloat(*c.bound.max) + ": no value could satisfy it");
    for (const ConstraintSpec& earlier : spec_.constraints)
      if (earlier.metric == c.metric && !c.metric.empty())
        r_.Error(metric_entry->value, base + ".metric",
                 "metric '" + c.metric + "' is constrained twice; give min and max in one entry");
    spec_.constraints.push_back(std::move(c));
  }
  if (e.value.size() == 0) r_.Error(e.key_node, "constraints", "constraints is an empty list");
}

void ObjectivesParser::Where(const MapEntry& e) {
  where_node_ = e.value;
  if (!e.value.IsScalar() || ResolveScalar(e.value).kind != ScalarKind::kString) {
    r_.Error(e.value, "where",
             "expected an expression in a string, found " + SpecReader::Describe(e.value),
             e.key_node);
    return;
  }
  auto parsed = WhereExpr::Parse(e.value.Scalar());
  if (auto* err = std::get_if<sweep::WhereError>(&parsed)) {
    ReportWhere(err->offset, err->message);
    return;
  }
  spec_.space.where = std::get<std::shared_ptr<const WhereExpr>>(parsed);
}

void ObjectivesParser::ReportWhere(size_t offset, const std::string& message) {
  const SourceLocation at = r_.Where(where_node_, "where");
  const std::string expr = where_node_.Scalar();
  const std::string& text = spec_.text;
  // Where the scalar starts in the spec text.
  size_t pos = 0;
  for (int l = 1; l < at.line && pos != std::string::npos; ++l) {
    pos = text.find('\n', pos);
    if (pos != std::string::npos) ++pos;
  }
  if (pos != std::string::npos && at.line > 0) {
    pos += static_cast<size_t>(std::max(at.col - 1, 0));
    // Find each expression line in turn; the one holding `offset` gives the column.
    size_t line_start = 0;
    while (pos <= text.size()) {
      size_t line_end = expr.find('\n', line_start);
      if (line_end == std::string::npos) line_end = expr.size();
      const size_t hit = text.find(expr.substr(line_start, line_end - line_start), pos);
      if (hit == std::string::npos) break;
      if (offset <= line_end || line_end == expr.size()) {
        const int line = 1 + static_cast<int>(std::count(text.begin(), text.begin() + hit, '\n'));
        const size_t bol = text.rfind('\n', hit);
        const size_t col = hit - (bol == std::string::npos ? 0 : bol + 1) + 1 +
                           (std::min(offset, line_end) - line_start);
        r_.ErrorAt(line, static_cast<int>(col), "where", message);
        return;
      }
      pos = hit + (line_end - line_start);
      line_start = line_end + 1;
    }
  }
  r_.ErrorAt(at.line, at.col, "where",
             message + " (at character " + std::to_string(offset + 1) + " of the expression)");
}

void ObjectivesParser::CheckWhereSatisfiable() {
  const SearchSpace& space = spec_.space;
  std::vector<std::string> names;
  for (const Parameter& p : space.params) names.push_back(p.name);
  bool unknown = false;
  for (const auto& [name, offset] : space.where->names()) {
    if (space.IndexOf(name) >= 0) continue;
    unknown = true;
    ReportWhere(offset, "unknown parameter '" + name + "'" + DidYouMeanSuffix(name, names));
  }
  if (unknown || r_.has_errors()) return;
  auto check = [&](const Config& c) {
    sweep::WhereError err;
    if (space.Admits(c, &err)) return 1;
    if (!err.message.empty()) {
      ReportWhere(err.offset, err.message + " for the configuration " + Describe(c, space));
      return -1;
    }
    return 0;
  };
  if (spec_.method == "grid") {
    auto grid = DiscreteGrid::Build(space, DiscreteGrid::Mode::kGrid);
    if (!grid.ok() || grid->Saturated() || grid->IndexLimit() > GridSearch::kCountLimit) return;
    for (uint64_t i = grid->NextLive(0); i < grid->IndexLimit(); i = grid->NextLive(i + 1)) {
      const int r = check(grid->Decode(i));
      if (r != 0) return;
    }
    ReportWhere(0, "no grid point satisfies this expression (all " + std::to_string(grid->Size()) +
                       " were checked)");
    return;
  }
  for (int k = 0; k < kWhereCheckDraws; ++k) {
    const int r = check(RandomSearch::Draw(space, 0x57EE, static_cast<uint64_t>(k)));
    if (r != 0) return;
  }
  ReportWhere(0, "no configuration satisfies this expression: none of " +
                     std::to_string(kWhereCheckDraws) +
                     " random draws from the parameters did (is the region empty?)");
}

void ObjectivesParser::CrossChecks(bool has_metric, const YAML::Node& metric_key) {
  if (has_metrics_ && has_metric)
    r_.Error(metrics_key_, "metrics",
             "metric and metrics are exclusive (as in W&B): use metric for one objective, "
             "metrics for two or more");
  (void)metric_key;
  if (has_metrics_ && !spec_.objectives.empty() && !has_metric) {
    spec_.metric = spec_.objectives.front();
    spec_.metric.target.reset();
  }
  if (!spec_.constraints.empty() && !has_metric && !has_metrics_)
    r_.Error(constraints_key_, "constraints",
             "constraints need a metric (or metrics) to rank the feasible trials by");
  if (spec_.space.where && !r_.has_errors()) CheckWhereSatisfiable();
}

}  // namespace sweep

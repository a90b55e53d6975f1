// The spec parser's entry points and the W&B top-level keys.
//
// Parsing runs in three stages. (1) CheckSpecText looks at the raw bytes (size,
// encoding, tabs, nesting depth) so that yaml-cpp only ever sees text it can handle
// without deep recursion. (2) yaml-cpp builds the node tree; its exceptions are caught
// here and become errors with 1-based positions. (3) Each top-level key is validated
// into SweepSpec fields by its own function, reporting every problem to one
// SpecReader; checks that span keys (grid over a continuous parameter, bayes without
// a metric, a command that needs a program) run after all keys are read. The result is
// either the spec or one kInvalidSpec status listing every problem, sorted by
// position.
#include "orchestrator/spec/spec_parser.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "orchestrator/spec/did_you_mean.h"
#include "orchestrator/spec/spec_conditions.h"
#include "orchestrator/spec/spec_extensions.h"
#include "orchestrator/spec/spec_objectives.h"
#include "orchestrator/spec/spec_params.h"
#include "orchestrator/spec/spec_reader.h"
#include "orchestrator/spec/spec_text_checks.h"
#include "search/strategy.h"

namespace sweep {
namespace {

const std::vector<std::string> kWandbKeys = {
    "program",    "command", "method",      "metric",    "parameters", "early_terminate",
    "run_cap",    "name",    "description", "entity",    "project",    "controller",
    "apiVersion", "kind",    "job",         "image_uri", "metrics",    "scheduler"};
const std::vector<std::string> kIgnoredWandbKeys = {"entity", "project", "controller", "apiVersion",
                                                    "kind",   "job",     "image_uri"};

std::vector<std::string> TopLevelKeys() {
  std::vector<std::string> keys = kWandbKeys;
  for (const std::string& k : ExtensionKeys()) keys.push_back(k);
  for (const std::string& k : ObjectiveExtensionKeys()) keys.push_back(k);
  return keys;
}

std::string JoinList(const std::vector<std::string>& v) {
  std::string out;
  for (const std::string& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

// One of `choices`, or an error with a did-you-mean hint.
std::optional<std::string> Choice(SpecReader& r, const MapEntry& e, const std::string& path,
                                  const std::vector<std::string>& choices,
                                  const std::string& what) {
  auto t = r.Text(e, path);
  if (!t) return std::nullopt;
  if (std::find(choices.begin(), choices.end(), *t) != choices.end()) return t;
  std::string msg = "unknown " + what + " '" + *t + "'";
  if (auto s = DidYouMean(*t, choices)) {
    msg += "; did you mean '" + *s + "'?";
  } else {
    msg += " (expected one of: " + JoinList(choices) + ")";
  }
  r.Error(e.value, path, msg);
  return std::nullopt;
}

// Python's str() of a YAML scalar, which is what W&B's agent puts in argv.
std::string PythonText(const YAML::Node& n) {
  const Scalar s = ResolveScalar(n);
  switch (s.kind) {
    case ScalarKind::kNull:
      return "None";
    case ScalarKind::kBool:
      return s.b ? "True" : "False";
    case ScalarKind::kInt:
      return std::to_string(s.i);
    case ScalarKind::kUnsigned:
      return std::to_string(s.u);
    case ScalarKind::kFloat:
      return FormatPythonFloat(s.f);
    default:
      return s.text;
  }
}

class TopLevelParser {
 public:
  TopLevelParser(SpecReader& r, SweepSpec& spec) : r_(r), spec_(spec), objectives_(r, spec) {}

  void Parse(const YAML::Node& root) {
    auto entries = r_.Entries(root, "", YAML::Node());
    if (!entries) return;
    for (const MapEntry& e : *entries) Key(e);
    CrossChecks();
  }

 private:
  void Key(const MapEntry& e) {
    const std::string& k = e.key;
    if (k == "method") {
      const auto known = KnownMethods();
      auto t = r_.Text(e, k);
      has_method_ = true;
      method_node_ = e.value;
      if (!t) return;
      if (*t == "custom") {
        r_.Error(e.value, k,
                 "method custom (a W&B scheduler plug-in) is not supported; use one of: " +
                     JoinList(known));
      } else if (std::find(known.begin(), known.end(), *t) == known.end()) {
        const auto hint = DidYouMean(*t, known);
        r_.Error(
            e.value, k,
            "unknown method '" + *t + "'" +
                (hint ? "; did you mean '" + *hint + "'?" : " (known: " + JoinList(known) + ")"));
      } else {
        spec_.method = *t;
      }
    } else if (k == "parameters") {
      has_parameters_ = true;
      ParseParameters(e.value, e.key_node, r_, spec_.space);
    } else if (k == "metric") {
      has_metric_ = true;
      metric_node_ = e.key_node;
      Metric(e);
    } else if (k == "early_terminate") {
      early_terminate_node_ = e.key_node;
      EarlyTerminate(e);
    } else if (k == "program") {
      has_program_ = true;  // a bad value is its own error, not also a missing program
      auto t = r_.Text(e, k);
      if (t && t->empty()) r_.Error(e.value, k, "program must not be empty", e.key_node);
      if (t) spec_.program = *t;
    } else if (k == "command") {
      command_node_ = e.key_node;
      Command(e);
    } else if (k == "run_cap") {
      if (auto v = r_.IntInRange(e, k, 1, INT64_MAX)) spec_.run_cap = static_cast<uint64_t>(*v);
    } else if (k == "name") {
      if (auto t = r_.Text(e, k)) spec_.name = *t;
    } else if (k == "description") {
      if (auto t = r_.Text(e, k)) spec_.description = *t;
    } else if (std::find(kIgnoredWandbKeys.begin(), kIgnoredWandbKeys.end(), k) !=
               kIgnoredWandbKeys.end()) {
      r_.Note(e.key_node, k, "W&B-only key '" + k + "' is accepted and ignored");
    } else if (objectives_.Key(e)) {
      // metrics, constraints, where: spec_objectives.cc
    } else if (k == "scheduler") {
      r_.Error(e.key_node, k, "'scheduler' (W&B custom schedulers) is not supported");
    } else if (!ParseExtensionKey(e, r_, spec_)) {
      // A misspelt required key is reported once, as misspelt, not also as missing.
      if (auto s = r_.UnknownKey(e, "", TopLevelKeys())) suggested_.push_back(*s);
    }
  }

  void Metric(const MapEntry& e) {
    static const std::vector<std::string> kKeys = {
        "name", "goal", "target", "impute", "impute_while_running", "summary"};
    auto entries = r_.Entries(e.value, "metric", e.key_node);
    if (!entries) return;
    bool has_name = false;
    for (const MapEntry& k : *entries) {
      const std::string path = "metric." + k.key;
      if (k.key == "name") {
        auto t = r_.Text(k, path);
        if (t && t->empty()) r_.Error(k.value, path, "metric name must not be empty", k.key_node);
        if (t && !t->empty()) spec_.metric.name = *t;
        has_name = has_name || t.has_value();
      } else if (k.key == "goal") {
        if (auto g = Choice(r_, k, path, {"minimize", "maximize"}, "goal"))
          spec_.metric.goal = *g == "maximize" ? Goal::kMaximize : Goal::kMinimize;
      } else if (k.key == "target") {
        if (auto v = r_.Number(k, path)) spec_.metric.target = *v;
      } else if (k.key == "impute") {
        if (auto i = Choice(r_, k, path, {"worst", "best", "latest"}, "impute"))
          spec_.metric.impute = *i == "best"     ? Impute::kBest
                                : *i == "latest" ? Impute::kLatest
                                                 : Impute::kWorst;
      } else if (k.key == "impute_while_running") {
        if (Choice(r_, k, path, {"latest", "best", "worst", "false"}, "impute_while_running"))
          r_.Note(k.key_node, path, "impute_while_running is accepted and ignored");
      } else if (k.key == "summary") {
        if (auto s = Choice(r_, k, path, {"last", "min", "max", "best"}, "summary"))
          spec_.metric.summary = *s == "min"    ? SummaryMode::kMin
                                 : *s == "max"  ? SummaryMode::kMax
                                 : *s == "best" ? SummaryMode::kBest
                                                : SummaryMode::kLast;
      } else {
        r_.UnknownKey(k, "metric", kKeys);
      }
    }
    if (!has_name && !entries->empty()) r_.Error(e.key_node, "metric.name", "metric needs a name");
    if (entries->empty()) r_.Error(e.key_node, "metric", "metric needs a name");
  }

  void EarlyTerminate(const MapEntry& e) {
    static const std::vector<std::string> kAll = {"type", "min_iter", "max_iter",   "s",
                                                  "eta",  "strict",   "min_trials", "confidence"};
    static const std::map<std::string, std::vector<std::string>> kByType = {
        {"hyperband", {"type", "min_iter", "max_iter", "s", "eta", "strict"}},
        {"asha", {"type", "min_iter", "max_iter", "eta"}},
        {"median", {"type", "min_iter", "min_trials"}},
        {"curve", {"type", "min_iter", "max_iter", "confidence"}}};
    auto entries = r_.Entries(e.value, "early_terminate", e.key_node);
    if (!entries) return;
    EarlyTerminateSpec& et = spec_.early_terminate;
    std::string type;
    for (const MapEntry& k : *entries) {
      if (k.key != "type") continue;
      if (auto t = Choice(r_, k, "early_terminate.type", {"hyperband", "asha", "median", "curve"},
                          "early_terminate type"))
        type = *t;
      else
        return;
    }
    if (type.empty()) {
      r_.Error(e.key_node, "early_terminate.type",
               "early_terminate needs a type (hyperband, asha, median or curve)");
      return;
    }
    et.type = type == "hyperband" ? EarlyTerminateType::kHyperband
              : type == "asha"    ? EarlyTerminateType::kAsha
              : type == "curve"   ? EarlyTerminateType::kCurve
                                  : EarlyTerminateType::kMedian;
    // Hyperband's `strict` defaults to true: W&B's engine fills early_terminate from its
    // schema (default true) and stops on `strict is True`. (EarlyTerminateSpec keeps
    // false as its field default; only a hyperband spec gets W&B's.)
    if (et.type == EarlyTerminateType::kHyperband) et.strict = true;
    const auto& allowed = kByType.at(type);
    const MapEntry *min_iter = nullptr, *max_iter = nullptr, *s = nullptr;
    for (const MapEntry& k : *entries) {
      const std::string path = "early_terminate." + k.key;
      if (std::find(allowed.begin(), allowed.end(), k.key) == allowed.end()) {
        if (std::find(kAll.begin(), kAll.end(), k.key) != kAll.end())
          r_.Error(k.key_node, path,
                   "'" + k.key + "' does not apply to early_terminate type " + type +
                       " (it takes: " + JoinList(allowed) + ")");
        else
          r_.UnknownKey(k, "early_terminate", allowed);
        continue;
      }
      if (k.key == "min_iter") {
        if (auto v = r_.IntInRange(k, path, 1, 1 << 30)) et.min_iter = static_cast<int>(*v);
        min_iter = &k;
      } else if (k.key == "max_iter") {
        if (auto v = r_.IntInRange(k, path, 1, 1 << 30)) et.max_iter = static_cast<int>(*v);
        max_iter = &k;
      } else if (k.key == "s") {
        if (auto v = r_.IntInRange(k, path, 1, 1000)) et.s = static_cast<int>(*v);
        s = &k;
      } else if (k.key == "eta") {
        auto v = r_.Number(k, path);
        if (v && *v <= 1) r_.Error(k.value, path, "eta must be > 1, found " + k.value.Scalar());
        if (v && *v > 1) et.eta = *v;
      } else if (k.key == "strict") {
        if (auto b = r_.Bool(k, path)) et.strict = *b;
      } else if (k.key == "min_trials") {
        if (auto v = r_.IntInRange(k, path, 1, 1 << 30)) et.min_trials = static_cast<int>(*v);
      } else if (k.key == "confidence") {
        auto v = r_.Number(k, path);
        if (v && !(*v >= 0.5 && *v < 1))
          r_.Error(k.value, path,
                   "confidence must be at least 0.5 and less than 1, found " + k.value.Scalar());
        else if (v)
          et.confidence = *v;
      }
    }
    if (type == "hyperband") {
      if (max_iter && !s) {
        r_.Error(max_iter->key_node, "early_terminate.s",
                 "hyperband with max_iter also needs s (the number of brackets)");
      } else if (s && !max_iter) {
        r_.Error(s->key_node, "early_terminate.max_iter", "hyperband with s also needs max_iter");
      } else if (!min_iter && !max_iter) {
        r_.Error(e.key_node, "early_terminate", "hyperband needs min_iter, or max_iter and s");
      } else if (et.max_iter && et.max_iter < et.eta) {
        r_.Error(max_iter->value, "early_terminate.max_iter",
                 "max_iter " + std::to_string(*et.max_iter) +
                     " is less than eta: hyperband would have no brackets");
      } else if (min_iter && max_iter) {
        r_.Note(min_iter->key_node, "early_terminate.min_iter",
                "min_iter is ignored when max_iter and s are given (as in W&B)");
      }
    }
    if (type == "curve" && et.min_iter && *et.min_iter < 2)
      r_.Error(min_iter->value, "early_terminate.min_iter",
               "curve needs min_iter of at least 2 (a curve needs two points)");
    if (type == "asha" && et.min_iter && et.max_iter && *et.max_iter <= *et.min_iter)
      r_.Error(max_iter->value, "early_terminate.max_iter",
               "max_iter must be greater than min_iter");
    // curve's min_iter defaults to 3 (CurveOptions), so max_iter alone is checked too.
    if (type == "curve" && et.max_iter && *et.max_iter <= et.min_iter.value_or(3))
      r_.Error(max_iter->value, "early_terminate.max_iter",
               "max_iter must be greater than min_iter (" +
                   std::to_string(et.min_iter.value_or(3)) + ")");
  }

  void Command(const MapEntry& e) {
    if (!e.value.IsSequence()) {
      r_.Error(e.value, "command",
               "expected a list of command elements, found " + SpecReader::Describe(e.value),
               e.key_node);
      return;
    }
    const auto& macros = CommandMacros();
    for (size_t i = 0; i < e.value.size(); ++i) {
      const YAML::Node item = e.value[i];
      const std::string path = "command[" + std::to_string(i) + "]";
      if (!item.IsScalar() && !item.IsNull()) {
        r_.Error(item, path, "expected a string, found " + SpecReader::Describe(item), e.key_node);
        continue;
      }
      std::string text = PythonText(item);
      if (text.size() > 3 && text.compare(0, 2, "${") == 0 && text.back() == '}' &&
          text.find('}') == text.size() - 1) {
        const std::string name = text.substr(2, text.size() - 3);
        if (name.compare(0, 7, "envvar:") == 0) {
          CheckEnvvar(item, path, text);
        } else if (std::find(macros.begin(), macros.end(), name) == macros.end()) {
          std::string msg = "unknown macro " + text;
          if (auto s = DidYouMean(name, macros)) {
            msg += "; did you mean ${" + *s + "}?";
          } else {
            msg += " (known: ${" + JoinList(macros) + "}, ${envvar:NAME})";
          }
          r_.Error(item, path, msg, e.key_node);
        } else if (name == "program") {
          uses_program_ = true;
        }
      } else if (text.find("${") != std::string::npos) {
        CheckEnvvar(item, path, text);
        std::string rest = text;
        for (size_t p; (p = rest.find("${envvar:")) != std::string::npos;) {
          size_t end = rest.find('}', p);
          rest.erase(p, end == std::string::npos ? std::string::npos : end - p + 1);
        }
        if (rest.find("${") != std::string::npos)
          r_.Note(item, path,
                  "'" + text +
                      "': macros are expanded only when they are a whole command element (as "
                      "in W&B); this one is passed literally");
      }
      spec_.command.push_back(text);
    }
  }

  void CheckEnvvar(const YAML::Node& item, const std::string& path, const std::string& text) {
    for (size_t p = text.find("${envvar:"); p != std::string::npos;
         p = text.find("${envvar:", p + 1)) {
      const size_t end = text.find('}', p);
      const std::string name = end == std::string::npos ? "" : text.substr(p + 9, end - p - 9);
      bool ok = !name.empty();
      for (char c : name)
        ok = ok && ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '_');
      if (!ok)
        r_.Error(item, path,
                 "malformed ${envvar:NAME} in '" + text + "' (NAME: letters, digits and '_')");
    }
  }

  void CrossChecks() {
    ResolveConditions(spec_.space, r_);  // `when:` parents may be defined after their child
    const auto suggested = [&](const std::string& k) {
      return std::find(suggested_.begin(), suggested_.end(), k) != suggested_.end();
    };
    if (!has_method_ && !suggested("method"))
      r_.ErrorAt(1, 1, "method",
                 "missing required key 'method' (" + JoinList(KnownMethods()) + ")");
    if (!has_parameters_ && !suggested("parameters"))
      r_.ErrorAt(1, 1, "parameters", "missing required key 'parameters'");
    if (spec_.method == "grid") {
      for (const Parameter& p : spec_.space.params) {
        if (!p.IsContinuous()) continue;
        r_.ErrorAt(p.where.line, p.where.col, p.where.key_path,
                   "grid search cannot enumerate parameter '" + p.name + "' (distribution " +
                       std::string(DistributionName(p.distribution)) +
                       "); give it values: [...] or use method random or bayes");
      }
    }
    objectives_.CrossChecks(has_metric_, metric_node_);
    const bool has_objective = has_metric_ || !spec_.objectives.empty();
    if (spec_.method == "bayes" && !has_objective && !suggested("metric"))
      r_.Error(method_node_, "method", "method bayes needs a metric to optimize");
    if (spec_.early_terminate.type != EarlyTerminateType::kNone && !has_objective &&
        !suggested("metric"))
      r_.Error(early_terminate_node_, "early_terminate",
               "early termination needs a metric to compare trials by");
    if (!spec_.in_process && spec_.program.empty() && !has_program_ && !suggested("program") &&
        (spec_.command.empty() || uses_program_)) {
      if (spec_.command.empty())
        r_.ErrorAt(1, 1, "program",
                   "missing 'program': the default command `${env} ${interpreter} ${program} "
                   "${args}` needs one");
      else
        r_.Error(command_node_, "program", "missing 'program': the command uses ${program}");
    }
  }

  SpecReader& r_;
  SweepSpec& spec_;
  bool has_method_ = false;
  bool has_parameters_ = false;
  bool has_metric_ = false;
  bool has_program_ = false;
  bool uses_program_ = false;
  YAML::Node method_node_, metric_node_, early_terminate_node_, command_node_;
  std::vector<std::string> suggested_;  // did-you-mean answers for unknown top-level keys
  ObjectivesParser objectives_;         // metrics, constraints, where
};

// Receives parse events and ignores them: only the number of documents matters.
class IgnoreEvents : public YAML::EventHandler {
 public:
  void OnDocumentStart(const YAML::Mark&) override {}
  void OnDocumentEnd() override {}
  void OnNull(const YAML::Mark&, YAML::anchor_t) override {}
  void OnAlias(const YAML::Mark&, YAML::anchor_t) override {}
  void OnScalar(const YAML::Mark&, const std::string&, YAML::anchor_t,
                const std::string&) override {}
  void OnSequenceStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                       YAML::EmitterStyle::value) override {}
  void OnSequenceEnd() override {}
  void OnMapStart(const YAML::Mark&, const std::string&, YAML::anchor_t,
                  YAML::EmitterStyle::value) override {}
  void OnMapEnd() override {}
};

// The number of YAML documents in `text`, counting at most `limit`. Not YAML::LoadAll:
// yaml-cpp 0.7 reports an endless stream of empty documents for some invalid input (a
// line starting with ','; jbeder/yaml-cpp#1040), and LoadAll would loop forever.
int CountDocuments(const std::string& text, int limit) {
  std::istringstream in(text);
  YAML::Parser parser(in);
  IgnoreEvents events;
  int n = 0;
  while (n < limit && parser.HandleNextDocument(events)) ++n;
  return n;
}

// Where the second document starts: the first "---" line after content, or the
// second "---" line when the text opens with one. 1:1 when neither is found.
std::pair<int, int> SecondDocumentStart(std::string_view text) {
  bool content = false;
  int line = 1;
  for (size_t start = 0; start < text.size(); ++line) {
    size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string_view s = text.substr(start, end - start);
    const bool marker = s.substr(0, 3) == "---" && (s.size() == 3 || s[3] == ' ' || s[3] == '\r');
    if (marker && content) return {line, 1};
    const size_t first = s.find_first_not_of(" \t\r");
    if (marker || (first != std::string_view::npos && s[first] != '#')) content = true;
    start = end + 1;
  }
  return {1, 1};
}

bool IsBlank(std::string_view text) {
  bool in_comment = false;
  for (char c : text) {
    if (c == '\n') {
      in_comment = false;
    } else if (c == '#') {
      in_comment = true;
    } else if (!in_comment && c != ' ' && c != '\t' && c != '\r') {
      return false;
    }
  }
  return true;
}

}  // namespace

std::vector<std::string> KnownMethods() {
  std::vector<std::string> methods = {"grid", "random", "bayes"};
  for (const std::string& n : StrategyNames())
    if (std::find(methods.begin(), methods.end(), n) == methods.end()) methods.push_back(n);
  return methods;
}

const std::vector<std::string>& CommandMacros() {
  static const std::vector<std::string> macros = {"env",
                                                  "interpreter",
                                                  "program",
                                                  "args",
                                                  "args_no_equals",
                                                  "args_no_hyphens",
                                                  "args_no_boolean_flags",
                                                  "args_json",
                                                  "args_json_file",
                                                  "args_append_hydra",
                                                  "args_override_hydra",
                                                  "args_dict"};
  return macros;
}

Result<SweepSpec> ParseSpecText(std::string_view text, const std::string& file_name) {
  return ParseSpecText(text, file_name, SpecParseOptions{});
}

Result<SweepSpec> ParseSpecText(std::string_view text, const std::string& file_name,
                                const SpecParseOptions& options) {
  SpecReader r(file_name);
  // After any text-level problem the YAML structure cannot be trusted (a tab shifts
  // indentation, a stray ',' confuses yaml-cpp), so those are all the user gets.
  for (const TextIssue& issue : CheckSpecText(text))
    r.ErrorAt(issue.line, issue.col, "", issue.message);
  if (r.has_errors()) return r.ToStatus();
  if (IsBlank(text)) {
    r.ErrorAt(1, 1, "",
              text.empty() ? "the spec is empty: it needs at least 'method' and 'parameters'"
                           : "the spec has only comments: it needs at least 'method' and "
                             "'parameters'");
    return r.ToStatus();
  }

  YAML::Node root;
  int documents = 0;
  try {
    const std::string owned(text);
    root = YAML::Load(owned);
    documents = CountDocuments(owned, 2);
  } catch (const YAML::ParserException& e) {
    r.ErrorAt(e.mark.line + 1, e.mark.column + 1, "", "not valid YAML: " + e.msg);
    return r.ToStatus();
  } catch (const std::exception& e) {
    r.ErrorAt(0, 0, "", std::string("not valid YAML: ") + e.what());
    return r.ToStatus();
  }
  if (documents > 1) {
    const auto [line, col] = SecondDocumentStart(text);
    r.ErrorAt(line, col, "",
              "a second YAML document starts here ('---'); a spec must be exactly one document");
    return r.ToStatus();
  }
  if (!root.IsMap()) {
    const SourceLocation at = r.Where(root, "");
    r.ErrorAt(at.line > 0 ? at.line : 1, at.line > 0 ? at.col : 1, "",
              "a spec must be a mapping of keys (method, parameters, ...), found " +
                  SpecReader::Describe(root));
    return r.ToStatus();
  }

  SweepSpec spec;
  spec.file = file_name;
  spec.text = std::string(text);
  spec.in_process = options.in_process;
  try {
    TopLevelParser(r, spec).Parse(root);
  } catch (const std::exception& e) {
    // yaml-cpp throws on some malformed node accesses; it must never escape.
    r.ErrorAt(0, 0, "", std::string("could not read the spec: ") + e.what());
  }
  if (r.has_errors()) return r.ToStatus();
  spec.notes = r.Notes();
  return spec;
}

Result<SweepSpec> ParseSpecFile(const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  const fs::file_status st = fs::status(path, ec);
  if (ec || !fs::exists(st))
    return Status::InvalidSpec(path + ": cannot read spec file: no such file");
  if (fs::is_directory(st))
    return Status::InvalidSpec(path + ": cannot read spec file: it is a directory");
  const auto size = fs::file_size(path, ec);
  if (!ec && size > kMaxSpecBytes)
    return Status::InvalidSpec(path + ": spec file is " + std::to_string(size) +
                               " bytes, over the 4 MiB limit for a spec file");
  std::ifstream in(path, std::ios::binary);
  if (!in)
    return Status::InvalidSpec(path + ": cannot read spec file: permission denied or I/O error");
  std::string text;
  // Read at most one byte past the limit: a file that grows while we read is refused too.
  text.resize(kMaxSpecBytes + 1);
  in.read(text.data(), static_cast<std::streamsize>(text.size()));
  text.resize(static_cast<size_t>(in.gcount()));
  if (in.bad()) return Status::InvalidSpec(path + ": cannot read spec file: I/O error");
  return ParseSpecText(text, path);
}

}  // namespace sweep

// `sweep __complete WORDS...`: what the shell completion scripts ask.
//
// The earlier words are walked the way CLI11 parses them: an option that takes a value
// swallows the next word, the first bare word names the subcommand, later bare words
// fill its positionals in order (a vector positional such as TRIALS takes the rest).
// The current word is then completed from that position. Positional names carry the
// kind of value (SWEEP, TRIAL, TRIALS, SPEC), and an option's value kind is read from
// its name (the store folder, *-file, *-cert, *-key, *-ca and --dir are paths) or from
// its IsMember set, so the answers follow cli.cc without a second list here. Ids come
// from the store opened read-only; trials are listed only for sweeps whose ids can
// start the typed prefix, so completing `abc1-` reads one sweep, not the whole store.
#include "orchestrator/completion.h"

#include <algorithm>
#include <exception>

#include "orchestrator/store/trial_store.h"

namespace sweep {
namespace {

constexpr size_t kMaxIds = 2000;  // more than a shell can usefully show

bool StartsWith(const std::string& s, const std::string& prefix) {
  return s.compare(0, prefix.size(), prefix) == 0;
}

bool TakesValue(const CLI::Option* opt) { return opt->get_items_expected_max() > 0; }

bool Hidden(const CLI::App* app) { return app->get_group().empty(); }

// The option named by word ("--workers", "-k", "--store=x") in sub, else in app.
const CLI::Option* FindOption(const CLI::App& app, const CLI::App* sub, std::string word) {
  word = word.substr(0, word.find('='));
  for (const CLI::App* scope : {sub, &app}) {
    if (!scope) continue;
    for (const CLI::Option* opt : scope->get_options()) {
      for (const auto& l : opt->get_lnames()) {
        if (word == "--" + l) return opt;
      }
      for (const auto& s : opt->get_snames()) {
        if (word == "-" + s) return opt;
      }
    }
  }
  return nullptr;
}

bool IsPathOption(const CLI::Option* opt) {
  for (const std::string& l : opt->get_lnames()) {
    for (const char* end : {"-file", "-cert", "-key", "-ca"}) {
      const std::string e(end);
      if (l.size() > e.size() && l.compare(l.size() - e.size(), e.size(), e) == 0) return true;
    }
    if (l == "store" || l == "dir") return true;
  }
  return false;
}

// The members of an IsMember check ("TEXT:{csv,json}" -> csv, json); none otherwise.
std::vector<std::string> Members(const CLI::Option* opt) {
  const std::string t = opt->get_type_name();
  const size_t open = t.find('{'), close = t.rfind('}');
  std::vector<std::string> out;
  if (open == std::string::npos || close == std::string::npos || close < open) return out;
  std::string item;
  for (size_t i = open + 1; i <= close; ++i) {
    if (t[i] == ',' || i == close) {
      if (!item.empty()) out.push_back(item);
      item.clear();
    } else if (t[i] != ' ') {
      item.push_back(t[i]);
    }
  }
  return out;
}

void Line(std::ostream& out, const std::string& value, const std::string& description) {
  out << value << '\t' << description << '\n';
}

void Ids(const std::string& kind, const std::string& prefix, const std::string& store_flag,
         std::ostream& out) {
  StoreOptions opts;
  opts.read_only = true;
  opts.create = false;
  auto store = OpenStore(DefaultStorePath(store_flag), opts);
  if (!store.ok()) return;
  auto sweeps = (*store)->ListSweeps();
  if (!sweeps.ok()) return;
  std::stable_sort(sweeps->begin(), sweeps->end(), [](const auto& a, const auto& b) {
    return a.created_at > b.created_at;  // newest first, as a user looks for them
  });
  size_t n = 0;
  for (const SweepRecord& s : *sweeps) {
    if (n >= kMaxIds) return;
    if (kind == "sweep") {
      if (!StartsWith(s.id, prefix)) continue;
      Line(out, s.id, (s.name.empty() ? std::string() : s.name + ", ") + SweepStatusName(s.status));
      ++n;
      continue;
    }
    // A trial id is "<sweep>-<number>": only this sweep's trials can match when the
    // prefix is a prefix of its id or starts with its id and a dash.
    if (!StartsWith(s.id, prefix) && !StartsWith(prefix, s.id + "-")) continue;
    auto trials = (*store)->ListTrials(s.id);
    if (!trials.ok()) continue;
    for (const TrialRecord& t : *trials) {
      if (n >= kMaxIds) return;
      if (!StartsWith(t.id, prefix)) continue;
      Line(out, t.id, TrialStatusName(t.status));
      ++n;
    }
  }
}

void Options(const CLI::App& app, const CLI::App* sub, const std::string& prefix,
             std::ostream& out) {
  std::vector<const CLI::Option*> opts;
  for (const CLI::Option* o : (sub ? sub : &app)->get_options()) opts.push_back(o);
  if (sub) {  // --store is the main command's, accepted after the subcommand too
    if (const CLI::Option* store = FindOption(app, nullptr, "--store")) opts.push_back(store);
  }
  for (const CLI::Option* o : opts) {
    if (!o->nonpositional() || o->get_group().empty()) continue;  // positional or hidden
    for (const auto& s : o->get_snames()) {                       // in --help's order: -h, --help
      if (StartsWith("-" + s, prefix)) Line(out, "-" + s, o->get_description());
    }
    for (const auto& l : o->get_lnames()) {
      if (StartsWith("--" + l, prefix)) Line(out, "--" + l, o->get_description());
    }
  }
}

void CompleteWords(const CLI::App& app, const std::vector<std::string>& words,
                   const std::string& store_flag_arg, std::ostream& out) {
  const std::string cur = words.empty() ? std::string() : words.back();
  std::string store_flag = store_flag_arg;
  const CLI::App* sub = nullptr;
  const CLI::Option* pending = nullptr;  // an option whose value the next word is
  size_t positionals = 0;
  bool only_positionals = false;  // after "--"
  for (size_t i = 0; i + 1 < words.size(); ++i) {
    const std::string& w = words[i];
    if (pending) {
      if (pending->check_lname("store")) store_flag = w;
      pending = nullptr;
      continue;
    }
    if (w == "--") {
      only_positionals = true;
      continue;
    }
    if (!only_positionals && w.size() > 1 && w[0] == '-') {
      const CLI::Option* opt = FindOption(app, sub, w);
      if (opt && TakesValue(opt)) {
        if (w.find('=') == std::string::npos) {
          pending = opt;
        } else if (opt->check_lname("store")) {
          store_flag = w.substr(w.find('=') + 1);
        }
      }
      continue;
    }
    if (!sub) {
      for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
        if (s->get_name() == w) sub = s;
      }
      if (!sub) return;  // not a subcommand: nothing sensible follows
      continue;
    }
    ++positionals;
  }

  if (pending) {
    if (IsPathOption(pending)) {
      out << kCompleteFiles << '\n';
      return;
    }
    for (const std::string& m : Members(pending)) {
      if (StartsWith(m, cur)) Line(out, m, pending->get_description());
    }
    return;
  }
  if (!only_positionals && !cur.empty() && cur[0] == '-') return Options(app, sub, cur, out);
  if (!sub) {
    for (const CLI::App* s : app.get_subcommands([](const CLI::App*) { return true; })) {
      if (!Hidden(s) && StartsWith(s->get_name(), cur))
        Line(out, s->get_name(), s->get_description());
    }
    return;
  }
  // Which positional the current word fills: each takes its expected count of words,
  // a vector one (expected -1, stored as a large maximum) all the rest.
  size_t seen = 0;
  for (const CLI::Option* o : sub->get_options()) {
    if (!o->get_positional()) continue;
    const int max = o->get_expected_max();
    const size_t takes = max < 0 ? kMaxIds * 1000 : static_cast<size_t>(std::max(max, 1));
    if (positionals < seen + takes) {
      const std::string name = o->get_name(true);
      if (name == "SWEEP") return Ids("sweep", cur, store_flag, out);
      if (name == "TRIAL" || name == "TRIALS") return Ids("trial", cur, store_flag, out);
      if (name == "SPEC") out << kCompleteFiles << '\n';
      return;
    }
    seen += takes;
  }
}

}  // namespace

int Complete(const CLI::App& app, const std::vector<std::string>& words,
             const std::string& store_flag, std::ostream& out) {
  try {
    CompleteWords(app, words, store_flag, out);
  } catch (const std::exception&) {
    // A completion that cannot be computed offers nothing; the shell stays quiet.
  }
  return 0;
}

}  // namespace sweep

// Reading provenance back. The trial row holds the code facts and the environment's
// hash; the snapshot itself is fetched from the store's environments table. Text
// output passes every recorded string through SanitizeForTerminal, since branch
// names, paths and package names come from the trial's machine.
#include "orchestrator/report/report_provenance.h"

#include <map>
#include <set>
#include <sstream>

#include "orchestrator/report/report_format.h"
#include "orchestrator/report/text_table.h"

namespace sweep {
namespace {

Value Field(const Value& v, const char* key) {
  if (!v.is_object()) return nullptr;
  auto it = v.find(key);
  return it == v.end() ? Value(nullptr) : *it;
}

std::string Str(const Value& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_null()) return "";
  return v.dump();
}

Value EnvironmentOf(TrialStore& store, const TrialRecord& t) {
  std::string hash = Str(Field(t.provenance, "env_hash"));
  if (hash.empty()) return nullptr;
  auto env = store.GetEnvironment(hash);
  return env.ok() ? *env : Value(nullptr);
}

// "name==1.2" -> (name lowercased, "1.2"); other lines (editable installs, URLs)
// keep the whole line as the version.
std::map<std::string, std::string> Packages(const Value& env) {
  std::map<std::string, std::string> out;
  Value list = Field(env, "packages");
  if (!list.is_array()) return out;
  for (const Value& p : list) {
    std::string line = Str(p);
    size_t eq = line.find("==");
    size_t at = line.find(" @ ");
    size_t cut = eq != std::string::npos ? eq : at;
    std::string name = cut == std::string::npos ? line : line.substr(0, cut);
    for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[name] = eq != std::string::npos ? line.substr(eq + 2) : line;
  }
  return out;
}

}  // namespace

Value ProvenanceJson(TrialStore& store, const TrialRecord& t) {
  return {
      {"code", Field(t.provenance, "code")},
      {"env_hash", Field(t.provenance, "env_hash")},
      {"environment", EnvironmentOf(store, t)},
      {"artifacts", t.provenance.is_object() ? Field(t.provenance, "artifacts") : Value::array()},
      {"data", t.provenance.is_object() ? Field(t.provenance, "data") : Value::array()},
      {"warnings", t.provenance.is_object() ? Field(t.provenance, "warnings") : Value::array()}};
}

std::string ProvenanceText(TrialStore& store, const TrialRecord& t) {
  if (!t.provenance.is_object()) return "";
  std::ostringstream o;
  auto line = [&](const std::string& label, const std::string& text) {
    o << label << std::string(label.size() < 11 ? 11 - label.size() : 1, ' ')
      << SanitizeForTerminal(text) << "\n";
  };
  Value code = Field(t.provenance, "code");
  if (code.is_object()) {
    o << "\ncode\n";
    if (Field(code, "repo") == true) {
      std::string commit = Str(Field(code, "commit"));
      line("commit", commit.empty() ? "(no commits)" : commit);
      line("branch", Str(Field(code, "branch")));
      std::string remote = Str(Field(code, "remote"));
      line("remote", remote.empty() ? "-" : remote);
      line("repo", Str(Field(code, "root")));
      Value diff = Field(code, "diff");
      std::string dirty = Field(code, "dirty") == true ? "yes" : "no";
      if (diff.is_object()) {
        dirty += "  diff " + Str(Field(diff, "path")) + " (" + Str(Field(diff, "size")) + " bytes";
        if (Field(diff, "truncated") == true)
          dirty += ", TRUNCATED from " + Str(Field(diff, "original_size")) + " bytes";
        dirty += ")";
      }
      line("dirty", dirty);
      Value untracked = Field(code, "untracked");
      if (untracked.is_array() && !untracked.empty()) {
        std::string list;
        for (const Value& u : untracked)
          list += (list.empty() ? "" : ", ") + Str(Field(u, "path")) + " (" +
                  Str(Field(u, "size")) + (Field(u, "included") == true ? " B)" : " B, not kept)");
        line("untracked", list);
      }
    } else {
      line("repo", "none (" + Str(Field(code, "note")) + ")");
    }
    if (!Field(code, "repo").is_null() && !Str(Field(code, "note")).empty() &&
        Field(code, "repo") == true)
      line("note", Str(Field(code, "note")));
    Value prog = Field(code, "program");
    if (prog.is_object())
      line("program", Str(Field(prog, "path")) + "  sha256 " + Str(Field(prog, "sha256")));
  }
  Value env = EnvironmentOf(store, t);
  if (env.is_object()) {
    o << "\nenvironment  (" << Str(Field(t.provenance, "env_hash")).substr(0, 12) << ")\n";
    line("os", Str(Field(env, "os")) + "  " + Str(Field(env, "kernel")));
    line("host", Str(Field(env, "hostname")));
    Value cpu = Field(env, "cpu");
    line("cpu", Str(Field(cpu, "model")) + " x" + Str(Field(cpu, "cores")) + ", " +
                    Str(Field(env, "memory_mb")) + " MB RAM");
    Value gpus = Field(env, "gpus");
    std::string g;
    if (gpus.is_array())
      for (const Value& x : gpus)
        g += (g.empty() ? "" : "; ") + Str(Field(x, "index")) + ": " + Str(Field(x, "name")) + " " +
             Str(Field(x, "memory_mb")) + " MiB, driver " + Str(Field(x, "driver"));
    if (!g.empty() && !Str(Field(env, "cuda_version")).empty())
      g += "; CUDA " + Str(Field(env, "cuda_version"));
    line("gpus", g.empty() ? "none" : g);
    Value assigned = Field(env, "gpus_assigned");
    line("assigned",
         assigned.is_null() ? "(not managed)" : "CUDA_VISIBLE_DEVICES=" + Str(assigned));
    Value interp = Field(env, "interpreter");
    if (interp.is_object()) {
      line("python", Str(Field(interp, "path")) + " " + Str(Field(interp, "version")) + ", " +
                         std::to_string(Packages(env).size()) + " packages");
    }
    Value vars = Field(env, "env_vars");
    if (vars.is_object())
      for (auto it = vars.begin(); it != vars.end(); ++it) line("  " + it.key(), Str(it.value()));
  }
  Value artifacts = Field(t.provenance, "artifacts");
  if (artifacts.is_array() && !artifacts.empty()) {
    o << "\nartifacts  (" << t.trial_dir << "/artifacts)\n";
    for (const Value& a : artifacts)
      o << "  " << SanitizeForTerminal(Str(Field(a, "path"))) << "  " << Str(Field(a, "size"))
        << " B  sha256 " << Str(Field(a, "sha256")) << "\n";
  }
  Value data = Field(t.provenance, "data");
  if (data.is_array() && !data.empty()) {
    o << "\ndata\n";
    for (const Value& d : data)
      o << "  " << SanitizeForTerminal(Str(Field(d, "path"))) << "  sha256 "
        << Str(Field(d, "sha256")) << "\n";
  }
  Value warnings = Field(t.provenance, "warnings");
  if (warnings.is_array())
    for (const Value& w : warnings) o << "warning: " << SanitizeForTerminal(Str(w)) << "\n";
  return o.str();
}

std::vector<std::pair<std::string, std::vector<std::string>>> ProvenanceCompareRows(
    TrialStore& store, const std::vector<TrialRecord>& trials) {
  std::vector<std::pair<std::string, std::vector<std::string>>> rows;
  auto code_row = [&](const std::string& name, auto cell) {
    std::vector<std::string> cells;
    for (const auto& t : trials) cells.push_back(cell(Field(t.provenance, "code")));
    rows.emplace_back(name, cells);
  };
  code_row("code.commit", [](const Value& c) { return Str(Field(c, "commit")); });
  code_row("code.dirty", [](const Value& c) {
    return c.is_null() ? std::string() : Field(c, "dirty") == true ? "yes" : "no";
  });
  code_row("code.diff",
           [](const Value& c) { return Str(Field(Field(c, "diff"), "sha256")).substr(0, 12); });
  std::vector<std::map<std::string, std::string>> pkgs;
  std::set<std::string> names;
  for (const auto& t : trials) {
    pkgs.push_back(Packages(EnvironmentOf(store, t)));
    for (const auto& [n, v] : pkgs.back()) names.insert(n);
  }
  for (const auto& n : names) {
    std::vector<std::string> cells;
    for (const auto& p : pkgs) {
      auto it = p.find(n);
      cells.push_back(it == p.end() ? "" : it->second);
    }
    bool differ = false;
    for (const auto& c : cells) differ |= c != cells[0];
    if (differ) rows.emplace_back("packages." + n, cells);
  }
  return rows;
}

}  // namespace sweep

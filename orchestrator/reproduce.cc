// Reproduce: read the trial, its sweep and its provenance from the store; print them;
// with --run, rebuild the code and launch it again.
//
// The re-run goes through RunLaunch (not a hand-made subprocess) so metrics,
// provenance and the trial folder are captured exactly like any trial's. Its spec is
// the original spec text with method set to grid and every parameter replaced by
// {value: <the original value>}, walking the original `parameters` tree so nested
// parameters keep their shape. The spec is written to <store>/reproduce/<id>-<time>.yaml
// (kept: the new sweep's spec_file points at it) and the worktree sits beside it.
// git worktree add registers the worktree in the user's repository; `git worktree
// prune` after deleting the folder removes it.
#include "orchestrator/reproduce.h"

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "agents/runtime/subprocess.h"
#include "orchestrator/launch.h"
#include "orchestrator/report/report_format.h"
#include "orchestrator/report/report_provenance.h"
#include "orchestrator/report/text_table.h"
#include "orchestrator/store/records.h"
#include "orchestrator/store/trial_store.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

std::string Str(const Value& v) {
  return v.is_string() ? v.get<std::string>() : v.is_null() ? "" : v.dump();
}

Value Get(const Value& v, const char* k) {
  if (!v.is_object() || !v.contains(k)) return nullptr;
  return v[k];
}

YAML::Node ToYaml(const Value& v) {
  if (v.is_boolean()) return YAML::Node(v.get<bool>());
  if (v.is_number_integer()) return YAML::Node(v.get<int64_t>());
  if (v.is_number_float()) return YAML::Node(v.get<double>());
  if (v.is_string()) return YAML::Node(v.get<std::string>());
  YAML::Node n;
  if (v.is_array()) {
    for (const Value& x : v) n.push_back(ToYaml(x));
  } else if (v.is_object()) {
    for (auto it = v.begin(); it != v.end(); ++it) n[it.key()] = ToYaml(it.value());
  }
  return n;
}

// parameters tree -> every leaf {value: params[dotted]}; false when a leaf has no value.
bool PinParameters(YAML::Node params, const std::string& prefix, const Value& flat) {
  for (auto it = params.begin(); it != params.end(); ++it) {
    std::string name = prefix + it->first.as<std::string>();
    YAML::Node def = it->second;
    if (def.IsMap() && def["parameters"]) {
      if (!PinParameters(def["parameters"], name + ".", flat)) return false;
      continue;
    }
    if (!flat.is_object() || !flat.contains(name)) return false;
    YAML::Node pinned;
    pinned["value"] = ToYaml(flat[name]);
    params[it->first.as<std::string>()] = pinned;
  }
  return true;
}

Result<std::string> PinnedSpec(const std::string& spec_text, const Value& params,
                               const std::string& name) {
  try {
    YAML::Node root = YAML::Load(spec_text);
    root["method"] = "grid";
    root["name"] = name;
    for (const char* k : {"run_cap", "early_terminate", "description"}) root.remove(k);
    if (root["parameters"] && !PinParameters(root["parameters"], "", params))
      return Status::Internal("the trial's params do not cover the spec's parameters");
    YAML::Emitter e;
    e << root;
    return std::string(e.c_str()) + "\n";
  } catch (const std::exception& ex) {
    return Status::Internal(std::string("cannot rebuild the spec: ") + ex.what());
  }
}

int Run(TrialStore& store, const TrialRecord& t, const SweepRecord& sweep, std::ostream& out,
        std::ostream& err) {
  Value code = Get(t.provenance, "code");
  std::string stamp = std::to_string(std::chrono::duration_cast<std::chrono::seconds>(
                                         std::chrono::system_clock::now().time_since_epoch())
                                         .count());
  std::string base = store.root() + "/reproduce/" + t.id + "-" + stamp;
  std::error_code ec;
  fs::create_directories(store.root() + "/reproduce", ec);
  std::string cwd = sweep.workdir;
  if (Get(code, "repo") == true && !Str(Get(code, "commit")).empty()) {
    Value diff = Get(code, "diff");
    if (Get(diff, "truncated") == true) {
      err << "error: the recorded diff of " << t.id << " was truncated ("
          << Str(Get(diff, "original_size")) << " bytes); it cannot be re-applied\n";
      return 1;
    }
    std::string root = Str(Get(code, "root"));
    auto add = RunCapture({"git", "-C", root, "worktree", "add", "--detach", base + "/code",
                           Str(Get(code, "commit"))},
                          120);
    if (!add.ok()) {
      err << "error: git worktree add: " << add.status().message() << "\n";
      return 1;
    }
    if (diff.is_object()) {
      auto apply = RunCapture({"git", "-C", base + "/code", "apply", "--binary",
                               "--whitespace=nowarn", Str(Get(diff, "path"))},
                              120);
      if (!apply.ok()) {
        err << "error: git apply: " << apply.status().message() << "\n";
        return 1;
      }
    }
    for (const Value& u :
         Get(code, "untracked").is_array() ? Get(code, "untracked") : Value::array())
      if (Get(u, "included") == false)
        err << "warning: untracked file " << Str(Get(u, "path"))
            << " was too large to record; it is missing\n";
    fs::path rel = fs::path(sweep.workdir).lexically_relative(root);
    cwd = (fs::path(base + "/code") / (rel.empty() || rel.string() == "." ? "" : rel)).string();
    err << "code: " << Str(Get(code, "commit")) << (diff.is_object() ? " + recorded diff" : "")
        << " checked out in " << base << "/code\n";
  } else {
    err << "note: " << t.id << " did not run in a git repository; running in its original "
        << "working directory " << cwd << " (the code there may have changed)\n";
  }
  auto spec = PinnedSpec(sweep.spec_text, t.params, "reproduce-" + t.id);
  if (!spec.ok()) {
    err << "error: " << spec.status().message() << "\n";
    return 1;
  }
  std::string spec_path = base + ".yaml";
  std::ofstream(spec_path) << *spec;
  std::string store_root = store.root();
  fs::current_path(cwd, ec);
  if (ec) {
    err << "error: cannot enter " << cwd << ": " << ec.message() << "\n";
    return 1;
  }
  LaunchFlags lf;
  lf.spec_path = spec_path;
  lf.store = store_root;
  lf.workers = 1;
  lf.max_trials = 1;
  lf.quiet = true;
  std::ostringstream launch_out;
  int rc = RunLaunch(lf, launch_out, err);
  auto sweeps = store.ListSweeps();
  if (!sweeps.ok()) return 1;
  const SweepRecord* mine = nullptr;
  for (const auto& s : *sweeps)
    if (s.spec_file == spec_path) mine = &s;
  if (!mine) return rc == 0 ? 1 : rc;
  auto trials = store.ListTrials(mine->id);
  if (!trials.ok() || trials->empty()) return rc == 0 ? 1 : rc;
  TrialRecord copy = trials->back();
  copy.reproduces = t.id;
  WriteBatch batch;
  batch.trials.push_back(copy);
  if (Status s = store.Commit(batch); !s.ok()) err << "warning: " << s.message() << "\n";
  out << "reproduced " << t.id << " as " << copy.id << " (" << TrialStatusName(copy.status)
      << ")\n";
  out << "METRIC  ORIGINAL  REPRODUCED  (last values)\n";
  auto last = [](const TrialRecord& r, const std::string& m) -> std::string {
    if (!r.summary.is_object() || !r.summary.contains(m)) return "-";
    Value l = Get(r.summary[m], "last");
    return l.is_number() ? FormatExactNumber(l.get<double>()) : Str(l);
  };
  std::set<std::string> names;
  for (const TrialRecord* r : std::initializer_list<const TrialRecord*>{&t, &copy})
    if (r->summary.is_object())
      for (auto it = r->summary.begin(); it != r->summary.end(); ++it) names.insert(it.key());
  for (const auto& m : names) out << m << "  " << last(t, m) << "  " << last(copy, m) << "\n";
  return rc;
}

}  // namespace

int RunReproduce(const ReproduceFlags& flags, std::ostream& out, std::ostream& err) {
  std::string root = DefaultStorePath(flags.store);
  std::error_code ec;
  root = fs::absolute(root, ec).string();
  auto store = OpenStore(root, StoreOptions{.read_only = !flags.run, .create = false});
  if (!store.ok()) {
    err << "error: " << store.status().message() << "\n";
    return store.status().ExitCode();
  }
  auto t = (*store)->GetTrial(flags.trial);
  if (!t.ok()) {
    err << "error: " << t.status().message() << "\n";
    return t.status().ExitCode();
  }
  auto sweep = (*store)->GetSweep(t->sweep_id);
  if (!sweep.ok()) {
    err << "error: " << sweep.status().message() << "\n";
    return sweep.status().ExitCode();
  }
  Value prov = ProvenanceJson(**store, *t);
  Value env = Get(prov, "environment");
  Value code = Get(prov, "code");
  if (flags.json && !flags.run) {
    out << Value({{"trial", t->id},
                  {"argv", t->argv},
                  {"cwd", sweep->workdir},
                  {"params", t->params},
                  {"code", code},
                  {"env_vars", Get(env, "env_vars")},
                  {"packages", Get(env, "packages")}})
               .dump(2, ' ', false, Value::error_handler_t::replace)
        << "\n";
    return 0;
  }
  out << "trial     " << t->id << "\n";
  out << "cwd       " << SanitizeForTerminal(sweep->workdir) << "\n";
  out << "argv      " << SanitizeForTerminal(ShellJoin(t->argv)) << "\n";
  if (Get(code, "repo") == true) {
    out << "commit    " << Str(Get(code, "commit")) << " (" << Str(Get(code, "branch")) << ")\n";
    Value diff = Get(code, "diff");
    if (diff.is_object())
      out << "diff      " << Str(Get(diff, "path"))
          << (Get(diff, "truncated") == true ? " (TRUNCATED)" : "")
          << "\n          git apply --binary " << Str(Get(diff, "path")) << "\n";
  } else if (code.is_object()) {
    out << "code      not a git repository (" << Str(Get(code, "note")) << ")\n";
  } else {
    out << "code      not recorded\n";
  }
  Value prog = Get(code, "program");
  if (prog.is_object())
    out << "program   " << Str(Get(prog, "path")) << " sha256 " << Str(Get(prog, "sha256")) << "\n";
  Value vars = Get(env, "env_vars");
  if (vars.is_object() && !vars.empty()) {
    out << "environment (recorded variables; SWEEP_* are set afresh per trial)\n";
    for (auto it = vars.begin(); it != vars.end(); ++it)
      out << "  " << it.key() << "=" << SanitizeForTerminal(Str(it.value())) << "\n";
  }
  Value interp = Get(env, "interpreter");
  if (interp.is_object())
    out << "python    " << Str(Get(interp, "path")) << " " << Str(Get(interp, "version")) << "\n";
  Value pkgs = Get(env, "packages");
  if (pkgs.is_array() && !pkgs.empty()) {
    out << "packages (" << pkgs.size() << ")\n";
    for (const Value& p : pkgs) out << "  " << SanitizeForTerminal(Str(p)) << "\n";
  }
  if (!flags.run) return 0;
  out << "\n";
  return Run(**store, *t, *sweep, out, err);
}

}  // namespace sweep

// Environment capture: /etc/os-release, uname, /proc/cpuinfo, /proc/meminfo,
// nvidia-smi, and the trial's Python interpreter.
//
// The machine facts and nvidia-smi's answer do not change while an agent runs, so
// they are read once per process (nvidia-smi is never run per trial); the
// interpreter facts (version, package list) are cached per resolved interpreter path
// and Python variables, and re-validated per trial by a stat stamp of what decides
// them (StampPackages). pip freeze takes ~0.5 s, which is why the trial runner calls
// this off the trial's critical path (after the spawn, on its worker thread). Per trial only the
// cheap parts are recomputed: the assigned GPUs and the allow-listed environment variables, minus
// anything that looks secret.
#include "agents/runtime/provenance_env.h"

#include <dirent.h>
#include <fnmatch.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <thread>

#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_code.h"
#include "agents/runtime/stat_stamp.h"
#include "agents/runtime/subprocess.h"

extern char** environ;

namespace sweep {
namespace {

namespace fs = std::filesystem;

std::string Trim(std::string s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.pop_back();
  size_t b = 0;
  while (b < s.size() && std::isspace(static_cast<unsigned char>(s[b]))) ++b;
  return s.substr(b);
}

std::string FieldOf(const std::string& file, const std::string& key, char sep) {
  std::ifstream f(file);
  std::string line;
  while (std::getline(f, line)) {
    size_t p = line.find(sep);
    if (p == std::string::npos || Trim(line.substr(0, p)) != key) continue;
    std::string v = Trim(line.substr(p + 1));
    if (v.size() >= 2 && v.front() == '"' && v.back() == '"') v = v.substr(1, v.size() - 2);
    return v;
  }
  return "";
}

Value MachineFacts() {
  Value m = Value::object();
  m["os"] = FieldOf("/etc/os-release", "PRETTY_NAME", '=');
  struct utsname u {};
  if (::uname(&u) == 0) {
    m["kernel"] = std::string(u.sysname) + " " + u.release + " " + u.machine;
  }
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  m["hostname"] = std::string(host);
  m["cpu"] = {{"model", FieldOf("/proc/cpuinfo", "model name", ':')},
              {"cores", std::thread::hardware_concurrency()}};
  std::string mem = FieldOf("/proc/meminfo", "MemTotal", ':');
  m["memory_mb"] = mem.empty() ? 0 : std::stoull(mem) / 1024;
  Value gpus = Value::array();
  std::string cuda;
  auto q = RunCapture({"nvidia-smi", "--query-gpu=index,name,driver_version,memory.total",
                       "--format=csv,noheader,nounits"},
                      10);
  if (q.ok()) {
    std::istringstream in(*q);
    std::string line;
    while (std::getline(in, line)) {
      std::vector<std::string> f;
      std::stringstream ls(line);
      std::string cell;
      while (std::getline(ls, cell, ',')) f.push_back(Trim(cell));
      if (f.size() < 4) continue;
      Value g = {{"index", f[0]}, {"name", f[1]}, {"driver", f[2]}, {"memory_mb", f[3]}};
      gpus.push_back(g);
    }
    auto header = RunCapture({"nvidia-smi"}, 10);
    if (header.ok()) {
      size_t p = header->find("CUDA Version:");
      if (p != std::string::npos) {
        std::istringstream v(header->substr(p + 13));
        v >> cuda;
      }
    }
  }
  m["gpus"] = gpus;
  m["cuda_version"] = cuda;
  return m;
}

// PATH lookup of a bare program name, in the trial's PATH.
std::string Resolve(const std::string& prog, const std::string& path_var) {
  std::error_code ec;
  if (prog.find('/') != std::string::npos) return fs::weakly_canonical(prog, ec).string();
  std::stringstream ss(path_var);
  std::string dir;
  while (std::getline(ss, dir, ':')) {
    if (dir.empty()) continue;
    std::string cand = dir + "/" + prog;
    if (::access(cand.c_str(), X_OK) == 0) return fs::canonical(cand, ec).string();
  }
  return "";
}

// `env` arguments that give a helper run the trial's Python-relevant variables
// (PYTHON*, HOME: they decide sys.path and so which packages are seen): unset the
// caller's, set the trial's.
std::vector<std::string> PythonEnvArgs(const std::map<std::string, std::string>& vars) {
  std::vector<std::string> args = {"env"};
  for (char** e = environ; e && *e; ++e) {
    std::string_view kv(*e);
    std::string name(kv.substr(0, kv.find('=')));
    if (name.rfind("PYTHON", 0) == 0 || name == "HOME") args.insert(args.end(), {"-u", name});
  }
  for (const auto& [name, value] : vars)
    if (name.rfind("PYTHON", 0) == 0 || name == "HOME") args.push_back(name + "=" + value);
  return args;
}

// What decides an interpreter's package list: the interpreter file, every sys.path
// entry and the user site folder (missing ones too: creating one is a change), and in
// each folder its *.dist-info / *.egg-info entries with their METADATA / PKG-INFO,
// *.egg-link and *.pth files. Installing, removing or upgrading a package changes one
// of these; editing a METADATA file in place does too.
StatStamp StampPackages(const std::string& python, const Value& where) {
  std::vector<std::string> paths = {python};
  std::vector<std::string> dirs;
  if (where.contains("path") && where["path"].is_array())
    for (const auto& p : where["path"])
      if (p.is_string() && !p.get<std::string>().empty() && p.get<std::string>()[0] == '/')
        dirs.push_back(p.get<std::string>());
  if (where.contains("user_site") && where["user_site"].is_string() &&
      !where["user_site"].get<std::string>().empty())
    dirs.push_back(where["user_site"].get<std::string>());
  auto ends_with = [](const std::string& s, const char* suffix) {
    size_t n = std::strlen(suffix);
    return s.size() >= n && s.compare(s.size() - n, n, suffix) == 0;
  };
  for (const auto& d : dirs) {
    paths.push_back(d);
    DIR* dir = ::opendir(d.c_str());
    if (!dir) continue;
    while (dirent* e = ::readdir(dir)) {
      std::string name = e->d_name;
      if (ends_with(name, ".dist-info") || ends_with(name, ".egg-info")) {
        paths.push_back(d + "/" + name);
        paths.push_back(d + "/" + name + "/METADATA");
        paths.push_back(d + "/" + name + "/PKG-INFO");
      } else if (ends_with(name, ".egg-link") || ends_with(name, ".pth")) {
        paths.push_back(d + "/" + name);
      }
    }
    ::closedir(dir);
  }
  return StatStamp::Take(std::move(paths));
}

constexpr const char* kWhereScript =
    "import json, platform, site, sys\n"
    "try:\n  u = site.getusersitepackages()\nexcept Exception:\n  u = ''\n"
    "print(json.dumps({'version': platform.python_version(), 'path': sys.path, "
    "'user_site': u}))";

// Version and package list of `python` as the trial sees it; `stamp` receives what
// decides them, taken before the package list is read.
Value InterpreterFacts(const std::string& python, bool packages,
                       const std::vector<std::string>& env_args, StatStamp* stamp) {
  Value i = {{"path", python}};
  auto run = [&](std::vector<std::string> argv, double timeout) {
    argv.insert(argv.begin(), env_args.begin(), env_args.end());
    return RunCapture(argv, timeout);
  };
  auto where = run({python, "-c", kWhereScript}, 20);
  Value w = where.ok() ? Value::parse(*where, nullptr, false) : Value();
  if (!w.is_object()) w = Value::object();
  i["version"] = w.contains("version") && w["version"].is_string() ? w["version"] : Value("");
  *stamp = where.ok() ? StampPackages(python, w) : StatStamp();
  Value pkgs = Value::array();
  if (packages) {
    auto freeze = run({python, "-m", "pip", "freeze", "--disable-pip-version-check"}, 60);
    if (!freeze.ok()) {
      freeze = run({python, "-c",
                    "import importlib.metadata as m\n"
                    "for d in sorted(m.distributions(), key=lambda d: "
                    "(d.metadata['Name'] or '').lower()):\n"
                    "  print(f\"{d.metadata['Name']}=={d.version}\")"},
                   60);
    }
    if (freeze.ok()) {
      std::istringstream in(*freeze);
      std::string line;
      while (std::getline(in, line))
        if (!Trim(line).empty()) pkgs.push_back(ValidUtf8(Trim(line)));
    }
  }
  i["packages"] = pkgs;
  return i;
}

struct InterpreterEntry {
  StatStamp stamp;
  Value facts;
  uint64_t capture = 0;  // which listing this is (interpreter_captures after it)
};

std::mutex mu;
std::atomic<uint64_t> interpreter_captures{0};
Value* machine = nullptr;
std::map<std::string, InterpreterEntry>* interpreters =
    new std::map<std::string, InterpreterEntry>();

}  // namespace

bool LooksSecret(const std::string& name) {
  std::string up = name;
  std::transform(up.begin(), up.end(), up.begin(), ::toupper);
  for (const char* s : {"TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"})
    if (up.find(s) != std::string::npos) return true;
  return false;
}

std::string EnvironmentHash(const Value& env) {
  // Consecutive trials almost always share one snapshot: comparing it with the last
  // one hashed is cheaper than serializing and hashing it again.
  static std::mutex memo_mu;
  static Value* last_env = new Value();
  static std::string* last_hash = new std::string();
  {
    std::lock_guard<std::mutex> lock(memo_mu);
    if (!last_hash->empty() && *last_env == env) return *last_hash;
  }
  std::string hash = Sha256Hex(env.dump(-1, ' ', false, Value::error_handler_t::replace));
  std::lock_guard<std::mutex> lock(memo_mu);
  *last_env = env;
  *last_hash = hash;
  return hash;
}

uint64_t InterpreterCapturesRun() { return interpreter_captures.load(); }

namespace {

// Where the program is in argv: argv[0], or what `env [-opts] [NAME=value...] PROGRAM`
// runs (the default W&B command starts with /usr/bin/env).
size_t ProgramIndex(const std::vector<std::string>& argv) {
  size_t prog = 0;
  if (!argv.empty() && fs::path(argv[0]).filename() == "env") {
    prog = 1;
    while (prog < argv.size() &&
           (argv[prog].find('=') != std::string::npos || argv[prog].rfind("-", 0) == 0))
      ++prog;
  }
  return prog;
}

// Everything Capture's answer depends on besides the machine and the interpreter's
// stamp: the program part of argv, the variables other than SWEEP_* (never recorded,
// and the only ones that differ between a sweep's trials), the globs, packages.
std::string Fingerprint(const EnvCaptureOptions& o, size_t prog) {
  std::string fp(1, o.packages ? 'p' : '-');
  for (const auto& g : o.env_vars) fp.append(g).push_back('\0');
  fp.push_back('\1');
  for (size_t i = 0; i <= prog && i < o.argv.size(); ++i) fp.append(o.argv[i]).push_back('\0');
  fp.push_back('\1');
  for (const auto& kv : o.env)
    if (kv.rfind("SWEEP_", 0) != 0) fp.append(kv).push_back('\0');
  return fp;
}

// The last answers, by fingerprint (a few: trials on different GPU slots differ in
// CUDA_VISIBLE_DEVICES). Consecutive trials of a sweep reuse one: building the
// snapshot anew (variable map, glob and secret filters, the machine facts' copy) was
// most of a cached capture's cost, on the event loop, per trial (issue 16).
struct Memo {
  std::string fingerprint;
  std::string interpreter_key;  // empty: not a Python program
  uint64_t capture = 0;         // the interpreter entry's listing this env holds
  Value env;
};
constexpr size_t kMemos = 8;
std::vector<Memo>* memos = new std::vector<Memo>();

// CaptureEnvironment and CachedEnvironment in one: with cached_only, every cache must
// answer without waiting for its lock, without running a program, and from a stamp of
// at most max_paths paths; otherwise nothing is returned.
std::optional<Value> Capture(const EnvCaptureOptions& o, bool cached_only, size_t max_paths) {
  // The event loop asks with cached_only: it must never wait while a capture on the
  // worker thread holds the lock (a first capture runs nvidia-smi under it).
  auto acquire = [cached_only](std::unique_lock<std::mutex>& lock) {
    if (cached_only) return lock.try_lock();
    lock.lock();
    return true;
  };
  const size_t prog = ProgramIndex(o.argv);
  std::string fingerprint = Fingerprint(o, prog);
  Value env;
  {
    std::unique_lock<std::mutex> lock(mu, std::defer_lock);
    if (!acquire(lock)) return std::nullopt;
    if (!machine) {
      if (cached_only) return std::nullopt;  // the first capture runs nvidia-smi
      machine = new Value(MachineFacts());
    }
    for (const Memo& m : *memos) {
      if (m.fingerprint != fingerprint) continue;
      if (m.interpreter_key.empty()) return m.env;
      auto it = interpreters->find(m.interpreter_key);
      if (it == interpreters->end() || it->second.capture != m.capture) break;
      if (cached_only && it->second.stamp.size() > max_paths) break;
      if (!it->second.stamp.Unchanged()) break;
      return m.env;
    }
    env = *machine;
  }
  std::map<std::string, std::string> vars;
  for (const auto& kv : o.env) {
    size_t eq = kv.find('=');
    if (eq == std::string::npos) continue;
    vars[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  auto cvd = vars.find("CUDA_VISIBLE_DEVICES");
  env["gpus_assigned"] = cvd == vars.end() ? Value(nullptr) : Value(cvd->second);

  std::string interpreter_key;
  uint64_t capture = 0;
  if (prog < o.argv.size()) {
    std::string base = fs::path(o.argv[prog]).filename().string();
    if (base.rfind("python", 0) == 0) {
      std::string path = Resolve(o.argv[prog], vars.count("PATH") ? vars["PATH"] : "");
      if (!path.empty()) {
        std::vector<std::string> env_args = PythonEnvArgs(vars);
        std::string key = path + (o.packages ? "+pkgs" : "");
        for (const auto& a : env_args) key += "\n" + a;
        Value facts;
        {
          std::unique_lock<std::mutex> lock(mu, std::defer_lock);
          if (!acquire(lock)) return std::nullopt;
          auto it = interpreters->find(key);
          bool cheap =
              !cached_only || (it != interpreters->end() && it->second.stamp.size() <= max_paths);
          if (cheap && it != interpreters->end() && it->second.stamp.Unchanged()) {
            facts = it->second.facts;
            capture = it->second.capture;
          }
        }
        if (facts.is_null()) {
          if (cached_only) return std::nullopt;
          StatStamp stamp;
          capture = ++interpreter_captures;
          facts = InterpreterFacts(path, o.packages, env_args, &stamp);
          std::lock_guard<std::mutex> lock(mu);
          (*interpreters)[key] = InterpreterEntry{std::move(stamp), facts, capture};
        }
        env["interpreter"] = {{"path", facts["path"]}, {"version", facts["version"]}};
        env["packages"] = facts["packages"];
        interpreter_key = std::move(key);
      }
    }
  }
  Value recorded = Value::object();
  for (const auto& [name, value] : vars) {
    if (LooksSecret(name) || name.rfind("SWEEP_", 0) == 0) continue;
    bool allowed = false;
    for (const auto& g : o.env_vars)
      if (::fnmatch(g.c_str(), name.c_str(), 0) == 0) allowed = true;
    if (allowed) recorded[name] = ValidUtf8(value);
  }
  env["env_vars"] = recorded;
  std::lock_guard<std::mutex> lock(mu);
  if (memos->size() >= kMemos) memos->erase(memos->begin());
  memos->push_back(Memo{std::move(fingerprint), std::move(interpreter_key), capture, env});
  return env;
}

}  // namespace

Value CaptureEnvironment(const EnvCaptureOptions& o) {
  return *Capture(o, /*cached_only=*/false, 0);
}

std::optional<Value> CachedEnvironment(const EnvCaptureOptions& o, size_t max_stamp_paths) {
  return Capture(o, /*cached_only=*/true, max_stamp_paths);
}

}  // namespace sweep

// Environment capture: /etc/os-release, uname, /proc/cpuinfo, /proc/meminfo,
// nvidia-smi, and the trial's Python interpreter.
//
// The machine facts and nvidia-smi's answer do not change while an agent runs, so
// they are read once per process; the interpreter facts (version, package list) are
// cached per resolved interpreter path. pip freeze takes ~0.5 s, which is why the
// trial runner calls this off the trial's critical path (after the spawn, on a
// worker thread). Per trial only the cheap parts are recomputed: the assigned GPUs
// and the allow-listed environment variables, minus anything that looks secret.
#include "agents/runtime/provenance_env.h"

#include <fnmatch.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>

#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_code.h"
#include "agents/runtime/subprocess.h"

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

Value InterpreterFacts(const std::string& python, bool packages) {
  Value i = {{"path", python}};
  auto v = RunCapture({python, "-c", "import platform;print(platform.python_version())"}, 20);
  i["version"] = v.ok() ? Trim(*v) : "";
  Value pkgs = Value::array();
  if (packages) {
    auto freeze = RunCapture({python, "-m", "pip", "freeze", "--disable-pip-version-check"}, 60);
    if (!freeze.ok()) {
      freeze = RunCapture({python, "-c",
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

std::mutex mu;
Value* machine = nullptr;
std::map<std::string, Value>* interpreters = new std::map<std::string, Value>();

}  // namespace

bool LooksSecret(const std::string& name) {
  std::string up = name;
  std::transform(up.begin(), up.end(), up.begin(), ::toupper);
  for (const char* s : {"TOKEN", "KEY", "SECRET", "PASSWORD", "PASSWD", "CREDENTIAL", "AUTH"})
    if (up.find(s) != std::string::npos) return true;
  return false;
}

std::string EnvironmentHash(const Value& env) {
  return Sha256Hex(env.dump(-1, ' ', false, Value::error_handler_t::replace));
}

Value CaptureEnvironment(const EnvCaptureOptions& o) {
  Value env;
  {
    std::lock_guard<std::mutex> lock(mu);
    if (!machine) machine = new Value(MachineFacts());
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

  // The program: argv[0], or what `env [-opts] [NAME=value...] PROGRAM` runs (the
  // default W&B command starts with /usr/bin/env).
  size_t prog = 0;
  if (!o.argv.empty() && fs::path(o.argv[0]).filename() == "env") {
    prog = 1;
    while (prog < o.argv.size() &&
           (o.argv[prog].find('=') != std::string::npos || o.argv[prog].rfind("-", 0) == 0))
      ++prog;
  }
  if (prog < o.argv.size()) {
    std::string base = fs::path(o.argv[prog]).filename().string();
    if (base.rfind("python", 0) == 0) {
      std::string path = Resolve(o.argv[prog], vars.count("PATH") ? vars["PATH"] : "");
      if (!path.empty()) {
        std::string key = path + (o.packages ? "+pkgs" : "");
        Value facts;
        {
          std::lock_guard<std::mutex> lock(mu);
          auto it = interpreters->find(key);
          if (it != interpreters->end()) facts = it->second;
        }
        if (facts.is_null()) {
          facts = InterpreterFacts(path, o.packages);
          std::lock_guard<std::mutex> lock(mu);
          (*interpreters)[key] = facts;
        }
        env["interpreter"] = {{"path", facts["path"]}, {"version", facts["version"]}};
        env["packages"] = facts["packages"];
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
  return env;
}

}  // namespace sweep

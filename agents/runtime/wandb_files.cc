// W&B's params file and the reported.json reader.
//
// The params file is written the way W&B's agent writes it, one top-level key per
// parameter wrapped in {value: ...}; values are JSON flow scalars, which YAML reads
// as such, except floats, whose exponent form PyYAML (YAML 1.1) needs with a dot and a
// signed exponent. reported.json is written by a trial and so is untrusted: it is
// opened with openat and O_NOFOLLOW from the trial folder's own descriptor (a trial
// that swaps its folder or the file for a symlink gets nothing read), capped in size,
// parsed without exceptions, and every field is type-checked and bounded before it
// leaves this file. Artifacts it names are opened the same way, component by
// component, and hashed through /proc/self/fd so the bytes hashed are the file opened.
#include "agents/runtime/wandb_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include <optional>
#include <set>

#include "agents/runtime/provenance_code.h"

namespace sweep {
namespace {

// A float as PyYAML reads it back: "1e-05" -> "1.0e-05", NaN -> .nan.
std::string YamlFloat(double v) {
  if (std::isnan(v)) return ".nan";
  if (std::isinf(v)) return v > 0 ? ".inf" : "-.inf";
  std::string s = FormatPythonFloat(v);
  size_t e = s.find_first_of("eE");
  if (e == std::string::npos) return s;
  std::string mantissa = s.substr(0, e), exponent = s.substr(e + 1);
  if (mantissa.find('.') == std::string::npos) mantissa += ".0";
  if (!exponent.empty() && exponent[0] != '+' && exponent[0] != '-') exponent = "+" + exponent;
  return mantissa + "e" + exponent;
}

std::string YamlFlow(const Value& v) {
  if (v.is_number_float()) return YamlFloat(v.get<double>());
  if (v.is_object()) {
    std::string s = "{";
    for (auto it = v.begin(); it != v.end(); ++it) {
      if (s.size() > 1) s += ", ";
      s += Value(it.key()).dump(-1, ' ', false, Value::error_handler_t::replace) + ": " +
           YamlFlow(it.value());
    }
    return s + "}";
  }
  if (v.is_array()) {
    std::string s = "[";
    for (const Value& item : v) {
      if (s.size() > 1) s += ", ";
      s += YamlFlow(item);
    }
    return s + "]";
  }
  return v.dump(-1, ' ', false, Value::error_handler_t::replace);
}

class Fd {
 public:
  explicit Fd(int fd = -1) : fd_(fd) {}
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return fd_; }

 private:
  int fd_;
};

// Opens `rel` (a relative path without "..") beneath dirfd, no symlink anywhere.
int OpenBeneath(int dirfd, const std::string& rel, int flags) {
  if (rel.empty() || rel[0] == '/') return -1;
  int cur = ::dup(dirfd);
  size_t start = 0;
  while (cur >= 0) {
    size_t slash = rel.find('/', start);
    std::string part =
        rel.substr(start, slash == std::string::npos ? std::string::npos : slash - start);
    if (part.empty() || part == "." || part == "..") {
      ::close(cur);
      return -1;
    }
    const bool last = slash == std::string::npos;
    int next = ::openat(cur, part.c_str(),
                        (last ? flags : O_RDONLY | O_DIRECTORY) | O_NOFOLLOW | O_CLOEXEC);
    ::close(cur);
    if (last) return next;
    cur = next;
    start = slash + 1;
  }
  return -1;
}

// The whole regular file, or nullopt (absent, not regular, too large, unreadable).
std::optional<std::string> ReadRegular(int fd, size_t max_bytes, std::string* why) {
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    *why = "not a regular file";
    return std::nullopt;
  }
  if (static_cast<uint64_t>(st.st_size) > max_bytes) {
    *why = "larger than " + std::to_string(max_bytes) + " bytes";
    return std::nullopt;
  }
  std::string text(static_cast<size_t>(st.st_size), '\0');
  size_t got = 0;
  while (got < text.size()) {
    ssize_t n = ::read(fd, text.data() + got, text.size() - got);
    if (n <= 0) break;
    got += static_cast<size_t>(n);
  }
  text.resize(got);
  return text;
}

std::string Cut(const std::string& s, size_t n) { return s.size() <= n ? s : s.substr(0, n); }

// Scalars and short strings only: what a params row or summary cell can hold.
std::optional<Value> Scalar(const Value& v, size_t max_text) {
  if (v.is_number() || v.is_boolean() || v.is_null()) return v;
  if (v.is_string()) return Value(Cut(v.get<std::string>(), max_text));
  return std::nullopt;
}

void Flatten(const std::string& prefix, const Value& v, size_t depth, const ReportedLimits& lim,
             Value& out, bool* cut) {
  for (auto it = v.begin(); it != v.end(); ++it) {
    if (out.size() >= lim.max_config_keys) {
      *cut = true;
      return;
    }
    std::string name = prefix.empty() ? it.key() : prefix + "." + it.key();
    if (it.value().is_object() && depth < 8) {
      Flatten(name, it.value(), depth + 1, lim, out, cut);
    } else if (auto s = Scalar(it.value(), lim.max_text)) {
      out[Cut(name, 256)] = *s;
    } else {
      out[Cut(name, 256)] =
          Cut(it.value().dump(-1, ' ', false, Value::error_handler_t::replace), lim.max_text);
    }
  }
}

}  // namespace

std::string WandbModeOf(const std::vector<std::pair<std::string, std::string>>& env) {
  std::string mode = kWandbShim;
  for (const auto& [name, value] : env)
    if (name == kWandbModeVar) mode = value;
  return mode;
}

bool WritesWandbParamsFile(const std::string& python_client_dir,
                           const std::vector<std::pair<std::string, std::string>>& env) {
  // sweep's module is first on PYTHONPATH exactly when BuildTrialEnvironment puts it
  // there: a client folder is known and the mode is shim.
  return python_client_dir.empty() || WandbModeOf(env) != kWandbShim;
}

std::string WandbParamsYaml(const Value& params) {
  std::string out = "wandb_version: 1\n";
  if (!params.is_object()) return out;
  for (auto it = params.begin(); it != params.end(); ++it)
    out += Value(it.key()).dump(-1, ' ', false, Value::error_handler_t::replace) +
           ":\n  value: " + YamlFlow(it.value()) + "\n";
  return out;
}

bool ReportedFileExists(const std::string& trial_dir) {
  for (const char* name : {kReportedFile, kLoggedParamsFile}) {
    struct stat st;
    std::string path = trial_dir + "/" + name;
    if (::fstatat(AT_FDCWD, path.c_str(), &st, AT_SYMLINK_NOFOLLOW) == 0 || errno != ENOENT)
      return true;
  }
  return false;
}

namespace {

// sweep_client.log_params' file: {"name": value, ...}, flattened like the config and
// merged over it (the later, explicit declaration wins). Adds "config" to `out`;
// a bad file becomes a warning. Absent: nothing.
void MergeLoggedParams(int dir, const ReportedLimits& lim, Value& out) {
  Fd file(OpenBeneath(dir, kLoggedParamsFile, O_RDONLY));
  if (file.get() < 0) return;
  auto warn = [&out](const std::string& w) {
    if (!out.contains("warnings") || !out["warnings"].is_array()) out["warnings"] = Value::array();
    out["warnings"].push_back(std::string(kLoggedParamsFile) + " ignored: " + w);
  };
  std::string why;
  auto text = ReadRegular(file.get(), lim.max_bytes, &why);
  if (!text) return warn(why);
  Value doc = Value::parse(*text, nullptr, false);
  if (!doc.is_object()) return warn("not a JSON object");
  Value flat = Value::object();
  bool cut = false;
  Flatten("", doc, 0, lim, flat, &cut);
  if (!out.contains("config") || !out["config"].is_object()) out["config"] = Value::object();
  Value& config = out["config"];
  for (auto it = flat.begin(); it != flat.end(); ++it)
    if (config.contains(it.key()) || config.size() < lim.max_config_keys)
      config[it.key()] = it.value();
}

Value ReadReportedFile(int dir, const ReportedLimits& lim);

}  // namespace

Value ReadReported(const std::string& trial_dir, const ReportedLimits& lim) {
  Fd dir(::open(trial_dir.c_str(), O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dir.get() < 0) return Value();
  Value out = ReadReportedFile(dir.get(), lim);
  Value merged = out.is_object() ? std::move(out) : Value::object();
  MergeLoggedParams(dir.get(), lim, merged);
  return merged.empty() ? Value() : merged;
}

namespace {

Value ReadReportedFile(int dir_fd, const ReportedLimits& lim) {
  Fd file(OpenBeneath(dir_fd, kReportedFile, O_RDONLY));
  if (file.get() < 0) return Value();
  Value out = Value::object();
  Value warnings = Value::array();
  std::string why;
  auto text = ReadRegular(file.get(), lim.max_bytes, &why);
  if (!text) {
    out["warnings"] = Value::array({std::string(kReportedFile) + " ignored: " + why});
    return out;
  }
  Value doc = Value::parse(*text, nullptr, false);
  if (!doc.is_object()) {
    out["warnings"] = Value::array({std::string(kReportedFile) + " ignored: not a JSON object"});
    return out;
  }
  if (doc.contains("config") && doc["config"].is_object()) {
    Value flat = Value::object();
    bool cut = false;
    Flatten("", doc["config"], 0, lim, flat, &cut);
    if (cut)
      warnings.push_back("config: only the first " + std::to_string(lim.max_config_keys) +
                         " keys were kept");
    out["config"] = std::move(flat);
  }
  for (const char* key : {"summary", "summary_modes", "run"}) {
    if (!doc.contains(key) || !doc[key].is_object()) continue;
    Value kept = Value::object();
    for (auto it = doc[key].begin(); it != doc[key].end(); ++it) {
      if (kept.size() >= lim.max_config_keys) break;
      if (auto s = Scalar(it.value(), lim.max_text)) kept[Cut(it.key(), 256)] = *s;
    }
    out[key] = std::move(kept);
  }
  if (doc.contains("notes") && doc["notes"].is_array()) {
    Value notes = Value::array();
    for (const Value& n : doc["notes"])
      if (n.is_string() && notes.size() < lim.max_notes)
        notes.push_back(Cut(n.get<std::string>(), lim.max_text));
    out["notes"] = std::move(notes);
  }
  if (doc.contains("artifacts") && doc["artifacts"].is_array()) {
    Value files = Value::array();
    Fd art(OpenBeneath(dir_fd, "artifacts", O_RDONLY | O_DIRECTORY));
    std::set<std::string> seen;
    for (const Value& p : doc["artifacts"]) {
      if (!p.is_string() || files.size() >= lim.max_artifacts) continue;
      std::string rel = p.get<std::string>();
      if (rel.rfind("artifacts/", 0) == 0) rel = rel.substr(10);
      if (!seen.insert(rel).second) continue;
      Fd f(art.get() < 0 ? -1 : OpenBeneath(art.get(), rel, O_RDONLY));
      struct stat st {};
      if (f.get() < 0 || ::fstat(f.get(), &st) != 0 || !S_ISREG(st.st_mode)) {
        warnings.push_back("artifact '" + Cut(rel, 256) +
                           "' skipped: not a regular file inside the trial's artifacts/");
        continue;
      }
      std::string sha = Sha256File("/proc/self/fd/" + std::to_string(f.get()));
      files.push_back(Value{{"path", rel},
                            {"size", static_cast<uint64_t>(st.st_size)},
                            {"sha256", sha},
                            {"source", "wandb"}});
    }
    out["artifacts"] = std::move(files);
  }
  if (!warnings.empty()) out["warnings"] = std::move(warnings);
  return out;
}

}  // namespace

}  // namespace sweep

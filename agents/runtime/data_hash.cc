// Data hashing with a (path, size, mtime) cache.
//
// The cache is one JSON object {"<abs path>|<size>|<mtime ns>": sha256} read at the
// start of a call and written back (temporary file + rename) when it gained entries,
// under a process-wide mutex; concurrent processes may each rewrite it, which only
// loses cache entries, never correctness (a stale key cannot match a changed file).
#include "agents/runtime/data_hash.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <mutex>

#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_code.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
std::mutex mu;

std::string Resolve(const std::string& p, const std::string& workdir) {
  if (!p.empty() && p[0] == '/') return p;
  return (fs::path(workdir.empty() ? fs::current_path().string() : workdir) / p)
      .lexically_normal()
      .string();
}

struct Cache {
  Value map = Value::object();
  bool changed = false;
  std::string Hash(const std::string& path, uint64_t size) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return "";
    std::string key = path + "|" + std::to_string(size) + "|" +
                      std::to_string(st.st_mtim.tv_sec * 1000000000LL + st.st_mtim.tv_nsec);
    auto it = map.find(key);
    if (it != map.end() && it->is_string()) return *it;
    std::string h = Sha256File(path);
    map[key] = h;
    changed = true;
    return h;
  }
};

}  // namespace

std::string DefaultDataHashCache() {
  const char* xdg = std::getenv("XDG_CACHE_HOME");
  if (xdg && *xdg) return std::string(xdg) + "/sweep/data-hashes.json";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : "/tmp") + "/.cache/sweep/data-hashes.json";
}

Status CheckDataPaths(const std::vector<std::string>& paths, const std::string& workdir) {
  for (const auto& p : paths) {
    std::error_code ec;
    if (!fs::exists(Resolve(p, workdir), ec))
      return Status::NotFound("data path '" + p + "' does not exist (" + Resolve(p, workdir) + ")");
  }
  return Status::Ok();
}

Result<Value> HashDataPaths(const std::vector<std::string>& paths, const std::string& workdir,
                            const std::string& cache_file) {
  std::lock_guard<std::mutex> lock(mu);
  Cache cache;
  if (!cache_file.empty()) {
    std::ifstream in(cache_file);
    if (in) {
      Value v = Value::parse(in, nullptr, false);
      if (v.is_object()) cache.map = std::move(v);
    }
  }
  Value out = Value::array();
  for (const auto& p : paths) {
    std::string abs = Resolve(p, workdir);
    std::error_code ec;
    auto st = fs::symlink_status(abs, ec);
    if (ec || !fs::exists(fs::status(abs, ec)))
      return Status::NotFound("data path '" + p + "' does not exist");
    if (fs::is_directory(abs, ec)) {
      std::vector<std::pair<std::string, uint64_t>> files;
      for (auto it = fs::recursive_directory_iterator(
               abs, fs::directory_options::skip_permission_denied, ec);
           it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) break;
        if (it->is_regular_file(ec) && !it->is_symlink(ec))
          files.emplace_back(fs::relative(it->path(), abs, ec).string(), it->file_size(ec));
      }
      std::sort(files.begin(), files.end());
      std::string manifest;
      uint64_t total = 0;
      for (const auto& [rel, size] : files) {
        manifest +=
            rel + " " + std::to_string(size) + " " + cache.Hash(abs + "/" + rel, size) + "\n";
        total += size;
      }
      out.push_back({{"path", ValidUtf8(abs)},
                     {"kind", "dir"},
                     {"sha256", Sha256Hex(manifest)},
                     {"size", total},
                     {"files", files.size()}});
    } else {
      uint64_t size = fs::file_size(abs, ec);
      out.push_back({{"path", ValidUtf8(abs)},
                     {"kind", "file"},
                     {"sha256", cache.Hash(abs, size)},
                     {"size", size},
                     {"files", 1}});
    }
    (void)st;
  }
  if (cache.changed && !cache_file.empty()) {
    std::error_code ec;
    fs::create_directories(fs::path(cache_file).parent_path(), ec);
    std::string tmp = cache_file + ".tmp" + std::to_string(::getpid());
    std::ofstream(tmp) << cache.map.dump();
    fs::rename(tmp, cache_file, ec);
  }
  return out;
}

}  // namespace sweep

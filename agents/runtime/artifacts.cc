// Artifact collection with glob(3): relative patterns are matched in the trial folder
// first and in the working directory when nothing matched there, so a spec can name
// "model.pt" (written into $SWEEP_TRIAL_DIR) or "outputs/*.png" (written into the
// cwd) alike. A hard link costs no space and no time; when it fails (another file
// system) the file is copied. Matches are capped by count and total size so a glob
// that hits a data folder cannot fill the disk.
#include "agents/runtime/artifacts.h"

#include <glob.h>
#include <unistd.h>

#include <filesystem>
#include <set>

#include "agents/runtime/metric_reader.h"
#include "agents/runtime/provenance_code.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;

std::vector<std::string> Glob(const std::string& pattern) {
  std::vector<std::string> out;
  glob_t g{};
  if (::glob(pattern.c_str(), GLOB_NOSORT, nullptr, &g) == 0)
    for (size_t i = 0; i < g.gl_pathc; ++i) out.emplace_back(g.gl_pathv[i]);
  ::globfree(&g);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

ArtifactResult CollectArtifacts(const ArtifactOptions& o) {
  ArtifactResult r;
  const std::string dest_root = o.trial_dir + "/artifacts";
  uint64_t total = 0;
  size_t count = 0;
  bool count_warned = false, size_warned = false;
  std::set<std::string> seen;
  for (const std::string& pattern : o.globs) {
    std::vector<std::pair<std::string, std::string>> matches;  // (base, relative)
    auto collect = [&](const std::string& base) {
      for (const std::string& m : Glob(base.empty() ? pattern : base + "/" + pattern)) {
        std::string rel =
            base.empty() ? fs::path(m).filename().string() : m.substr(base.size() + 1);
        if (rel.rfind("artifacts/", 0) == 0 && base == o.trial_dir) continue;
        matches.emplace_back(m, rel);
      }
    };
    if (!pattern.empty() && pattern[0] == '/') {
      collect("");
    } else {
      collect(o.trial_dir);
      if (matches.empty() && !o.workdir.empty()) collect(o.workdir);
    }
    size_t files = 0;
    for (const auto& [src, rel] : matches) {
      std::error_code ec;
      if (!fs::is_regular_file(src, ec) || !seen.insert(rel).second) continue;
      ++files;
      if (count >= o.max_files) {
        if (!count_warned)
          r.warnings.push_back("artifacts: more than " + std::to_string(o.max_files) +
                               " files matched; the rest were not kept");
        count_warned = true;
        continue;
      }
      uint64_t size = fs::file_size(src, ec);
      if (total + size > o.max_bytes) {
        if (!size_warned)
          r.warnings.push_back("artifacts: size cap of " + std::to_string(o.max_bytes) +
                               " bytes reached; " + ValidUtf8(rel) + " and later files not kept");
        size_warned = true;
        continue;
      }
      fs::path dest = fs::path(dest_root) / rel;
      fs::create_directories(dest.parent_path(), ec);
      fs::remove(dest, ec);
      bool linked = ::link(src.c_str(), dest.c_str()) == 0;
      if (!linked) {
        fs::copy_file(src, dest, fs::copy_options::overwrite_existing, ec);
        if (ec) {
          r.warnings.push_back("artifacts: cannot copy " + ValidUtf8(src) + ": " + ec.message());
          continue;
        }
      }
      ++count;
      total += size;
      r.files.push_back({{"path", ValidUtf8(rel)},
                         {"source", ValidUtf8(src)},
                         {"size", size},
                         {"sha256", Sha256File(dest.string())},
                         {"linked", linked}});
    }
    if (files == 0) r.warnings.push_back("artifacts: '" + ValidUtf8(pattern) + "' matched nothing");
  }
  return r;
}

}  // namespace sweep

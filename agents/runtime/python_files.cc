// Writes the embedded Python files out (see python_files.h).
//
// The table comes from generated/embedded_python_files.h, which CMake builds from every file
// under agents/python/ that trials import (sweep_client.py, wandb/*.py), so adding a
// module to the package needs no edit here. The wandb package lives under agents/python/
// as wandb/ but is installed under wandb_shim/wandb/ so that its parent folder holds
// nothing else and can go on PYTHONPATH alone.
#include "agents/runtime/python_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "embedded_python_files.h"

namespace sweep {
namespace fs = std::filesystem;

const std::vector<std::pair<std::string, std::string>>& EmbeddedPythonFiles() {
  static const auto* files = [] {
    auto* v = new std::vector<std::pair<std::string, std::string>>();
    for (const EmbeddedPythonFile& f : kEmbeddedPythonFiles) {
      std::string rel = f.path;
      if (rel.rfind("wandb/", 0) == 0) rel = std::string(kWandbShimDir) + "/" + rel;
      v->emplace_back(rel, f.content);
    }
    return v;
  }();
  return *files;
}

namespace {

// True when path is a regular file (not a link: O_NOFOLLOW) holding exactly content.
bool HoldsExactly(const std::string& path, const std::string& content) {
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return false;
  struct stat st;
  bool same = ::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) &&
              static_cast<uint64_t>(st.st_size) == content.size();
  if (same) {
    std::string have(content.size(), '\0');
    size_t got = 0;
    while (got < have.size()) {
      ssize_t n = ::read(fd, have.data() + got, have.size() - got);
      if (n <= 0) break;
      got += static_cast<size_t>(n);
    }
    same = got == have.size() && have == content;
  }
  ::close(fd);
  return same;
}

}  // namespace

Result<std::string> InstallPythonFiles(const std::string& dir) {
  for (const auto& [rel, content] : EmbeddedPythonFiles()) {
    fs::path path = fs::path(dir) / rel;
    // Every launch installs the files; rewriting an unchanged one costs a rename over
    // it, which ext4 turns into a flush of the new file's blocks (milliseconds each,
    // tens of them per launch: issue 16). A file already holding the content stays.
    if (HoldsExactly(path.string(), content)) continue;
    std::error_code ec;
    fs::create_directories(path.parent_path(), ec);
    if (ec) return Status::Io("cannot create " + path.parent_path().string() + ": " + ec.message());
    std::string tmp = path.string() + ".tmp" + std::to_string(::getpid());
    {
      std::ofstream f(tmp, std::ios::binary | std::ios::trunc);
      f << content;
      f.close();
      if (!f) return Status::Io("cannot write " + tmp + ": " + std::strerror(errno));
    }
    fs::rename(tmp, path, ec);
    if (ec) return Status::Io("cannot write " + path.string() + ": " + ec.message());
  }
  return dir;
}

}  // namespace sweep

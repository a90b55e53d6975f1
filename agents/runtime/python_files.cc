// Writes the embedded Python files out (see python_files.h).
//
// The table comes from generated/embedded_python_files.h, which CMake builds from every file
// under agents/python/ that trials import (sweep_client.py, wandb/*.py), so adding a
// module to the package needs no edit here. The wandb package lives under agents/python/
// as wandb/ but is installed under wandb_shim/wandb/ so that its parent folder holds
// nothing else and can go on PYTHONPATH alone.
#include "agents/runtime/python_files.h"

#include <unistd.h>

#include <cerrno>
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

Result<std::string> InstallPythonFiles(const std::string& dir) {
  for (const auto& [rel, content] : EmbeddedPythonFiles()) {
    fs::path path = fs::path(dir) / rel;
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

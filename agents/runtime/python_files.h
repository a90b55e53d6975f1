// The Python files sweep ships inside its binary (agents/python/): sweep_client.py and
// the bundled `wandb` package, embedded at build time and written out where trials can
// import them, by `sweep launch` into the store and by `sweep agent` into its work root.
//
// Layout of an installed folder DIR:
//   DIR/sweep_client.py            on every Python trial's PYTHONPATH
//   DIR/wandb_shim/wandb/*.py      first on the path unless reporting.wandb is off, so
//                                  only trials see it and other programs keep the real one
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "base/status.h"

namespace sweep {

// The folder under an installed DIR that holds the wandb package.
inline constexpr const char kWandbShimDir[] = "wandb_shim";

// Every embedded file as (path relative to an installed DIR, content).
const std::vector<std::pair<std::string, std::string>>& EmbeddedPythonFiles();

// Writes every embedded file under dir (created if missing), each through a
// temporary file and a rename so a trial starting meanwhile never imports half a
// file; a file that already holds its content (a regular file, not a link) is not
// rewritten; files no longer shipped are left alone. Returns dir. Errors: kIo naming the
// file. Safe to call from several processes at once.
Result<std::string> InstallPythonFiles(const std::string& dir);

}  // namespace sweep

// Where files of a sweep live in the store folder, next to the SQLite database.
// The one place both their writers (the controller) and readers (`sweep logs`) get
// the paths from.
#pragma once

#include <string>

namespace sweep {

// The controller's log of a sweep: <root>/sweeps/<sweep_id>/controller.log; rotated
// copies beside it as controller.1.log, controller.2.log (oldest).
inline std::string ControllerLogPath(const std::string& root, const std::string& sweep_id) {
  return root + "/sweeps/" + sweep_id + "/controller.log";
}

}  // namespace sweep

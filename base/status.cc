// Status helpers: the exit-code mapping the CLI relies on, and location prefixes.
#include "base/status.h"

namespace sweep {

std::string SourceLocation::Prefix() const {
  std::string out;
  if (!file.empty()) {
    out += file;
    if (line > 0) {
      out += ":" + std::to_string(line);
      if (col > 0) out += ":" + std::to_string(col);
    }
    out += ": ";
  }
  if (!key_path.empty()) out += key_path + ": ";
  return out;
}

int Status::ExitCode() const {
  switch (code_) {
    case ErrorCode::kOk:
      return 0;
    case ErrorCode::kUsage:
    case ErrorCode::kInvalidSpec:
      return 2;
    default:
      return 1;
  }
}

}  // namespace sweep

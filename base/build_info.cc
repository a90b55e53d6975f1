// VersionString() from the two generated values. The values themselves are defined in
// build/generated/build_info.cc (cmake/BuildInfo.cmake); keeping the formatting here
// means that generated file holds data only.
#include "base/build_info.h"

namespace sweep {

std::string VersionString() { return std::string(ReleaseVersion()) + " (" + BuildCommit() + ")"; }

}  // namespace sweep

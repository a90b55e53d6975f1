// What this binary is: the release version from CMake's project() and the git commit
// it was built from. The values live in one generated source (build/generated/
// build_info.cc, rewritten by cmake/BuildInfo.cmake only when its text changes), so a
// new commit recompiles that file alone instead of every file that shows a version.
#pragma once

#include <string>

namespace sweep {

// The release version, "0.2.0". Agents and controllers compare it (with the commit)
// to warn about mixed builds; the protocol version (kProtocolVersion) decides whether
// they can talk at all. Never empty.
const char* ReleaseVersion();

// The short git commit of the sources ("abc1234"), with "-dirty" when tracked files
// differed from it at build time, or "unknown" for a build outside a git checkout
// (a source tarball). Never empty.
const char* BuildCommit();

// "0.2.0 (abc1234-dirty)": what `sweep --version` prints after "sweep ", what the
// agent protocol's hello and challenge carry, and what mismatch messages name.
std::string VersionString();

}  // namespace sweep

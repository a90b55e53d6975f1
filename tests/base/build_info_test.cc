// The version a build reports: `sweep --version`, and cmake/BuildInfo.cmake (the
// script every build runs) on a git checkout, a dirty one, a tree without git, and a
// tree unpacked inside someone else's repository.
#include "base/build_info.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utime.h>

#include <regex>
#include <string>

#include "build_paths.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::ReadFile;
using testing::RunProgram;
using testing::WriteFile;

TEST(BuildInfo, VersionFlagPrintsReleaseAndCommit) {
  CliResult r = testing::RunSweep({"--version"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "sweep " + VersionString() + "\n");
  EXPECT_TRUE(std::regex_match(VersionString(),
                               std::regex(R"(\d+\.\d+\.\d+ \(([0-9a-f]{7,}(-dirty)?|unknown)\))")))
      << VersionString();
  EXPECT_EQ(std::string(ReleaseVersion()), "0.2.0");
}

// Runs cmake/BuildInfo.cmake for source_dir; returns the generated file's text.
std::string Generate(const std::string& source_dir, const std::string& out) {
  CliResult r = RunProgram({SWEEP_CMAKE_COMMAND, "-DSOURCE_DIR=" + source_dir, "-DOUTPUT=" + out,
                            "-DVERSION=1.2.3", "-P",
                            std::string(SWEEP_SOURCE_DIR) + "/cmake/BuildInfo.cmake"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  return ReadFile(out);
}

std::string Commit(const std::string& text) {
  std::smatch m;
  static const std::regex re(R"re(BuildCommit\(\) \{ return "([^"]*)"; \})re");
  return std::regex_search(text, m, re) ? m[1].str() : "<none>";
}

CliResult Git(const std::string& dir, std::vector<std::string> args) {
  args.insert(args.begin(), {"/usr/bin/git", "-C", dir, "-c", "user.name=t", "-c",
                             "user.email=t@example.invalid", "-c", "commit.gpgsign=false"});
  return RunProgram(args);
}

TEST(BuildInfo, ScriptReportsTheCommitDirtyFlagOrUnknown) {
  if (::access("/usr/bin/git", X_OK) != 0) GTEST_SKIP() << "git is not installed";
  testing::TempDir dir;
  const std::string repo = dir.Join("repo"), out = dir.Join("build_info.cc");
  WriteFile(repo + "/main.cc", "int main() {}\n");
  ASSERT_EQ(Git(repo, {"init", "-q"}).exit_code, 0);
  ASSERT_EQ(Git(repo, {"add", "main.cc"}).exit_code, 0);
  ASSERT_EQ(Git(repo, {"commit", "-q", "-m", "one"}).exit_code, 0);
  CliResult head = Git(repo, {"rev-parse", "--short=7", "HEAD"});
  const std::string sha = head.out.substr(0, head.out.find('\n'));
  ASSERT_EQ(sha.size(), 7u);

  const std::string clean = Generate(repo, out);
  EXPECT_EQ(Commit(clean), sha) << clean;
  EXPECT_NE(clean.find("ReleaseVersion() { return \"1.2.3\"; }"), std::string::npos) << clean;

  // Unchanged text: the file is not rewritten, so nothing recompiles.
  struct utimbuf old_times {
    1000000000, 1000000000
  };
  ASSERT_EQ(::utime(out.c_str(), &old_times), 0);
  Generate(repo, out);
  struct stat st {};
  ASSERT_EQ(::stat(out.c_str(), &st), 0);
  EXPECT_EQ(st.st_mtime, 1000000000);

  WriteFile(repo + "/main.cc", "int main() { return 1; }\n");
  EXPECT_EQ(Commit(Generate(repo, out)), sha + "-dirty");

  // A tarball's tree: no .git at all, or unpacked inside another repository.
  WriteFile(dir.Join("tarball/CMakeLists.txt"), "\n");
  EXPECT_EQ(Commit(Generate(dir.Join("tarball"), out)), "unknown");
  WriteFile(repo + "/vendored/sweep/CMakeLists.txt", "\n");
  EXPECT_EQ(Commit(Generate(repo + "/vendored/sweep", out)), "unknown");
}

}  // namespace
}  // namespace sweep

// `cmake --install` of this build into a temporary prefix: exactly the binary, the man
// page and the two completions, nothing else; the installed binary runs on its own
// (the dashboard and the Python helper are embedded), and `man` renders the page.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <set>
#include <string>

#include "build_paths.h"
#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunProgram;

TEST(Install, InstallsTheBinaryManPageAndCompletionsOnly) {
  testing::TempDir prefix;
  CliResult r =
      RunProgram({SWEEP_CMAKE_COMMAND, "--install", SWEEP_BUILD_DIR, "--prefix", prefix.path()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  std::set<std::string> files;
  for (const auto& e : std::filesystem::recursive_directory_iterator(prefix.path())) {
    if (!e.is_directory()) files.insert(e.path().string().substr(prefix.path().size() + 1));
  }
  std::set<std::string> expected = {"bin/sweep", "share/bash-completion/completions/sweep",
                                    "share/zsh/vendor-completions/_sweep"};
#ifdef SWEEP_HAVE_MAN_PAGE
  expected.insert("share/man/man1/sweep.1.gz");
#endif
  EXPECT_EQ(files, expected);

  // The installed copy, alone in an empty folder, is the same program.
  CliOptions o;
  o.cwd = prefix.path();
  CliResult installed = RunProgram({prefix.Join("bin/sweep"), "--version"}, o);
  EXPECT_EQ(installed.exit_code, 0) << installed.err;
  EXPECT_EQ(installed.out, testing::RunSweep({"--version"}).out);
  CliResult help = RunProgram({prefix.Join("bin/sweep"), "launch", "--help"}, o);
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--workers"), std::string::npos) << help.out;
}

#ifdef SWEEP_HAVE_MAN_PAGE
TEST(Install, ManPageRendersEveryCommandFromTheBinarysOwnHelp) {
  if (::access("/usr/bin/man", X_OK) != 0) GTEST_SKIP() << "man is not installed";
  CliOptions o;
  o.env["MANWIDTH"] = "100";
  o.env["MAN_KEEP_FORMATTING"] = "";
  CliResult r = RunProgram(
      {"/usr/bin/man", "-P", "cat", "-l", std::string(SWEEP_BUILD_DIR) + "/man/sweep.1.gz"}, o);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const char* part : {"NAME", "sweep - Hyperparameter sweeps", "SYNOPSIS", "OPTIONS",
                           "COMMANDS", "sweep launch", "sweep agent", "--token-file", "sweep tag",
                           "ENVIRONMENT", "SWEEP_STORE", "EXIT STATUS", "--lease-timeout"}) {
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  }
  EXPECT_EQ(r.out.find("__complete"), std::string::npos);
}
#endif

}  // namespace
}  // namespace sweep

// Shell completion end to end: the real binary's hidden `__complete` subcommand, and
// the installed bash and zsh scripts driven in real shells (COMP_WORDS / words set as
// the shell would set them) against a real store made by a real `sweep launch`.
#include "orchestrator/completion.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "test_paths.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunProgram;
using testing::RunSweep;
using testing::WriteFile;

const std::string kBashScript = std::string(SWEEP_SOURCE_DIR) + "/packaging/completion/sweep.bash";
const std::string kZshScript = std::string(SWEEP_SOURCE_DIR) + "/packaging/completion/_sweep";

// The candidates (text before the tab) of `sweep __complete -- words...`.
std::vector<std::string> Candidates(std::vector<std::string> words, const CliOptions& o = {}) {
  words.insert(words.begin(), {"__complete", "--"});
  CliResult r = RunSweep(words, o);
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err, "");
  std::vector<std::string> out;
  size_t start = 0;
  while (start < r.out.size()) {
    size_t end = r.out.find('\n', start);
    if (end == std::string::npos) end = r.out.size();
    const std::string line = r.out.substr(start, end - start);
    out.push_back(line.substr(0, line.find('\t')));
    start = end + 1;
  }
  return out;
}

using Words = std::vector<std::string>;

bool Has(const Words& words, const std::string& w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

// The subcommands `sweep --help` lists, in its order.
Words HelpSubcommands() {
  const std::string help = RunSweep({"--help"}).out;
  Words out;
  size_t at = help.find("\nSubcommands:\n");
  if (at == std::string::npos) return out;
  at += 14;
  while (at < help.size() && help.compare(at, 2, "  ") == 0) {
    const size_t end = help.find_first_of(" \n", at + 2);
    out.push_back(help.substr(at + 2, end - at - 2));
    at = help.find('\n', at);
    if (at == std::string::npos) break;
    ++at;
  }
  return out;
}

TEST(Completion, SubcommandsFromThePrefixAndNeverTheHiddenOne) {
  EXPECT_EQ(Candidates({"la"}), Words{"launch"});
  const Words re = Candidates({"re"});
  EXPECT_TRUE(Has(re, "resume") && Has(re, "reproduce"));
  for (const auto& w : re) EXPECT_EQ(w.rfind("re", 0), 0u) << w;
  EXPECT_EQ(Candidates({"__"}), Words{});
  const Words all = Candidates({""});
  EXPECT_EQ(all, HelpSubcommands());
  EXPECT_TRUE(Has(all, "agent") && Has(all, "ui"));
}

TEST(Completion, FlagsOfTheChosenSubcommandAndTheirValues) {
  EXPECT_EQ(Candidates({"launch", "--wo"}), Words{"--workers"});
  const Words top = Candidates({"top", "-"});
  ASSERT_GE(top.size(), 8u);
  EXPECT_EQ(Words(top.begin(), top.begin() + 7),
            (Words{"-h", "--help", "--metric", "--goal", "-k", "--with-prior", "--json"}));
  EXPECT_TRUE(Has(top, "--store"));  // the main command's, accepted after the subcommand
  const Words main = Candidates({"--"});
  EXPECT_TRUE(Has(main, "--help") && Has(main, "--version") && Has(main, "--store"));
  EXPECT_EQ(Candidates({"export", "abc", "--format", ""}), (Words{"csv", "json"}));
  EXPECT_EQ(Candidates({"top", "--goal", "ma"}), Words{"maximize"});
  // A flag's value is not taken for the subcommand or a positional.
  EXPECT_EQ(Candidates({"--store", "x", "la"}), Words{"launch"});
}

TEST(Completion, FileArgumentsAskTheShellForFileNames) {
  EXPECT_EQ(Candidates({"launch", ""}), Words{kCompleteFiles});
  EXPECT_EQ(Candidates({"validate", "sw"}), Words{kCompleteFiles});
  EXPECT_EQ(Candidates({"agent", "h:1", "--token-file", ""}), Words{kCompleteFiles});
  EXPECT_EQ(Candidates({"--store", ""}), Words{kCompleteFiles});
  EXPECT_EQ(Candidates({"launch", "spec.yaml", "--workers", ""}), Words{});
}

class CompletionIds : public ::testing::Test {
 protected:
  void SetUp() override {
    const std::string spec = dir_.Join("sweep.yaml");
    WriteFile(spec, "program: " + std::string(SWEEP_TESTDATA) +
                        "/sweeps/objective.py\ninterpreter: /usr/bin/python3\n"
                        "method: grid\nmetric: {name: loss, goal: minimize}\n"
                        "parameters:\n  x: {values: [1, 2, 3]}\n  steps: {value: 1}\n");
    CliOptions o;
    o.cwd = dir_.path();
    CliResult r = RunSweep({"launch", spec, "--json"}, o);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    CliResult ls = RunSweep({"ls", "--json"}, o);
    const nlohmann::json doc = nlohmann::json::parse(ls.out, nullptr, false);
    ASSERT_TRUE(doc.contains("sweeps") && doc["sweeps"].size() == 1u) << ls.out;
    sweep_id_ = doc["sweeps"][0]["id"].get<std::string>();
  }
  CliOptions InDir() const {
    CliOptions o;
    o.cwd = dir_.path();
    return o;
  }
  testing::TempDir dir_;
  std::string sweep_id_;
};

TEST_F(CompletionIds, SweepAndTrialIdsComeFromTheStoreInTheCurrentFolder) {
  const Words trials = {sweep_id_ + "-0", sweep_id_ + "-1", sweep_id_ + "-2"};
  EXPECT_EQ(Candidates({"status", ""}, InDir()), Words{sweep_id_});
  EXPECT_EQ(Candidates({"show", ""}, InDir()), trials);
  EXPECT_EQ(Candidates({"show", sweep_id_ + "-1"}, InDir()), Words{sweep_id_ + "-1"});
  EXPECT_EQ(Candidates({"compare", trials[0], ""}, InDir()), trials);  // TRIALS takes them all
  EXPECT_EQ(Candidates({"show", "no-such-"}, InDir()), Words{});
  // Elsewhere: no store, so nothing (and no error on the terminal).
  testing::TempDir elsewhere;
  CliOptions o;
  o.cwd = elsewhere.path();
  EXPECT_EQ(Candidates({"show", ""}, o), Words{});
  // Unless --store on the line being completed (or $SWEEP_STORE) names it.
  EXPECT_EQ(Candidates({"--store", dir_.Join(".sweep"), "status", ""}, o), Words{sweep_id_});
  o.env["SWEEP_STORE"] = dir_.Join(".sweep");
  EXPECT_EQ(Candidates({"top", ""}, o), Words{sweep_id_});
}

// Runs script in `bash --norc` with the completion file sourced.
CliResult Bash(const std::string& script, const CliOptions& o = {}) {
  return RunProgram({"/bin/bash", "--norc", "--noprofile", "-c",
                     "source '" + kBashScript + "' || exit 9\n" + script},
                    o);
}

TEST(BashCompletion, CompletesLaTabToLaunch) {
  CliResult r = Bash(std::string("complete -p sweep\nCOMP_WORDS=('") + SWEEP_BINARY +
                     "' la); COMP_CWORD=1; _sweep; printf '<%s>\\n' \"${COMPREPLY[@]}\"");
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "complete -F _sweep sweep\n<launch>\n");
  EXPECT_EQ(r.err, "");
}

TEST_F(CompletionIds, BashCompletesTrialIdsAndFlags) {
  const std::string bin = SWEEP_BINARY;
  CliResult ids = Bash("COMP_WORDS=('" + bin + "' show '" + sweep_id_ +
                           "-'); COMP_CWORD=2; _sweep; printf '<%s>' \"${COMPREPLY[@]}\"",
                       InDir());
  EXPECT_EQ(ids.out, "<" + sweep_id_ + "-0><" + sweep_id_ + "-1><" + sweep_id_ + "-2>") << ids.err;
  CliResult flags = Bash("COMP_WORDS=('" + bin +
                         "' logs x --st); COMP_CWORD=3; _sweep; printf '<%s>' \"${COMPREPLY[@]}\"");
  EXPECT_EQ(flags.out, "<--stderr><--store>") << flags.err;
  // A spec: file names, from the shell.
  WriteFile(dir_.Join("spec-a.yaml"), "x");
  CliResult files = Bash("COMP_WORDS=('" + bin +
                             "' launch spec-); COMP_CWORD=2; _sweep; printf '<%s>' "
                             "\"${COMPREPLY[@]}\"",
                         InDir());
  EXPECT_EQ(files.out, "<spec-a.yaml>") << files.err;
}

TEST(ZshCompletion, CompletesLaToLaunchWithItsDescription) {
  if (::access("/usr/bin/zsh", X_OK) != 0) GTEST_SKIP() << "zsh is not installed";
  // Outside a completion widget words and CURRENT are plain parameters; _describe and
  // compdef are stubbed to print what the script hands them.
  const std::string script = std::string(
                                 "compdef() { print -r -- \"compdef $*\"; }\n"
                                 "_describe() { print -rl -- \"${(@P)${@[-1]}}\"; }\n"
                                 "_files() { print -r -- FILES; }\n"
                                 "source '") +
                             kZshScript + "'\nwords=('" + SWEEP_BINARY +
                             "' la); CURRENT=2; _sweep\n"
                             "words=('" +
                             SWEEP_BINARY + "' launch ''); CURRENT=3; _sweep\n";
  CliResult r = RunProgram({"/usr/bin/zsh", "-f", "-c", script});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "compdef _sweep sweep\nlaunch:create a sweep from SPEC and run it to the end\nFILES\n");
  EXPECT_EQ(r.err, "");
}

}  // namespace
}  // namespace sweep

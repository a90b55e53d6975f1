// A real trial that replaces its own files with symbolic links (to a secret outside
// the store, to a folder elsewhere) while the real `sweep launch` runs it; then
// `sweep logs` (plain and --follow), `sweep show` and the dashboard's API on that
// store must refuse and never print the linked content.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_api.h"
#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

using testing::CliOptions;
using testing::CliResult;
using testing::RunSweep;
using testing::WriteFile;
using Json = nlohmann::json;

constexpr char kSecret[] = "TOP-SECRET-CONTENT-7f3a";

class TrialSymlinkTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Join("secret.txt"), std::string(kSecret) + "\n");
    WriteFile(dir_.Join("elsewhere/secret.txt"), std::string(kSecret) + "\n");
    // The trial writes real output, then swaps its log for a link and plants more.
    WriteFile(dir_.Join("planter.sh"),
              "echo 'real output of the trial'\n"
              "echo 'real error of the trial' >&2\n"
              "d=\"$SWEEP_TRIAL_DIR\"\n"
              // The runner creates each log on its first byte: wait for it (bounded), so
              // the link replaces the real file instead of racing its creation.
              "i=0; while [ ! -f \"$d/stdout.log\" ] && [ $i -lt 1000 ]; do sleep 0.01; "
              "i=$((i+1)); done\n"
              "rm -f \"$d/stdout.log\" && ln -s '" +
                  dir_.Join("secret.txt") +
                  "' \"$d/stdout.log\"\n"
                  "ln -s '" +
                  dir_.Join("secret.txt") +
                  "' \"$d/provenance.json\"\n"
                  "ln -s '" +
                  dir_.Join("elsewhere") + "' \"$d/linked\"\n");
    WriteFile(dir_.Join("sweep.yaml"),
              "program: " + dir_.Join("planter.sh") +
                  "\ninterpreter: /bin/sh\nmethod: grid\nparameters:\n  x: {value: 1}\n");
    CliResult r = Sweep({"launch", dir_.Join("sweep.yaml")});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    CliResult ex = Sweep({"export", "latest", "--format", "json"});
    ASSERT_EQ(ex.exit_code, 0) << ex.err;
    Json doc = Json::parse(ex.out, nullptr, false);
    ASSERT_TRUE(doc.is_object() && doc["trials"].size() == 1) << ex.out;
    trial_ = doc["trials"][0]["id"];
  }
  CliResult Sweep(std::vector<std::string> args) {
    args.insert(args.begin(), {"--store", dir_.Join("store")});
    CliOptions o;
    o.cwd = dir_.path();
    o.timeout_s = 60;
    return RunSweep(args, o);
  }
  testing::TempDir dir_;
  std::string trial_;
};

TEST_F(TrialSymlinkTest, SweepLogsRefusesALogReplacedByASymlink) {
  for (std::vector<std::string> args : {std::vector<std::string>{"logs", trial_},
                                        std::vector<std::string>{"logs", trial_, "--follow"}}) {
    CliResult r = Sweep(args);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_EQ(r.out.find(kSecret), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find(kSecret), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("stdout log refused"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("is a symbolic link; not followed"), std::string::npos) << r.err;
  }
  // The untouched stream is still shown.
  CliResult err = Sweep({"logs", trial_, "--stderr"});
  EXPECT_EQ(err.exit_code, 0) << err.err;
  EXPECT_EQ(err.out, "real error of the trial\n");
  CliResult err_json = Sweep({"logs", trial_, "--stderr", "--json"});
  ASSERT_EQ(err_json.exit_code, 0) << err_json.err;
  Json logged = Json::parse(err_json.out);
  EXPECT_EQ(logged["id"], trial_);
  EXPECT_EQ(logged["stream"], "stderr");
  EXPECT_EQ(logged["content"], "real error of the trial\n");
  CliResult show = Sweep({"show", trial_});
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_EQ(show.out.find(kSecret), std::string::npos) << show.out;
  CliResult show_json = Sweep({"show", trial_, "--json"});
  EXPECT_EQ(show_json.out.find(kSecret), std::string::npos) << show_json.out;
}

TEST_F(TrialSymlinkTest, TheDashboardApiRefusesEveryPlantedLink) {
  auto store = OpenStore(dir_.Join("store"), StoreOptions{.read_only = true, .create = false});
  ASSERT_TRUE(store.ok()) << store.status().message();
  UiApiOptions o;
  o.background = false;
  UiApi api(**store, o);
  for (const std::string& target : {"/api/trials/" + trial_ + "/logs?stream=stdout",
                                    "/api/trials/" + trial_ + "/files/stdout.log",
                                    "/api/trials/" + trial_ + "/files/provenance.json",
                                    "/api/trials/" + trial_ + "/files/linked/secret.txt"}) {
    UiResponse r = api.Handle({"GET", target, ""});
    EXPECT_EQ(r.status, 403) << target << " " << r.body;
    EXPECT_EQ(r.body.find(kSecret), std::string::npos) << target;
  }
  UiResponse page = api.Handle({"GET", "/api/trials/" + trial_, ""});
  ASSERT_EQ(page.status, 200) << page.body;
  EXPECT_EQ(page.body.find(kSecret), std::string::npos);
  Json v = Json::parse(page.body);
  EXPECT_NE(v["provenance"]["error"].get<std::string>().find("symbolic link"), std::string::npos);
  UiResponse err = api.Handle({"GET", "/api/trials/" + trial_ + "/logs?stream=stderr", ""});
  EXPECT_EQ(err.status, 200);
  EXPECT_NE(err.body.find("real error of the trial"), std::string::npos);
}

}  // namespace
}  // namespace sweep

#include "agents/runtime/provenance_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "tests/agents/agents_test_util.h"
#include "tests/testing/backdate.h"

namespace sweep {
namespace {

TEST(LooksSecret, MatchesTokenKeySecretPasswordCaseInsensitively) {
  for (const char* n : {"MY_API_TOKEN", "aws_secret_access_key", "DB_PASSWORD", "passwd",
                        "GOOGLE_APPLICATION_CREDENTIALS", "SWEEP_AGENT_TOKEN", "ApiKey"})
    EXPECT_TRUE(LooksSecret(n)) << n;
  for (const char* n : {"CUDA_VISIBLE_DEVICES", "OMP_NUM_THREADS", "PATH", "PYTHONHASHSEED"})
    EXPECT_FALSE(LooksSecret(n)) << n;
}

TEST(CaptureEnvironment, RecordsAllowListedVariablesButNeverSecrets) {
  EnvCaptureOptions o;
  o.argv = {"/bin/true"};
  o.env = {"OMP_NUM_THREADS=4", "MY_API_TOKEN=secret", "MY_SETTING=1",
           "HOME=/root",        "SWEEP_TRIAL_ID=x",    "CUDA_VISIBLE_DEVICES=1"};
  o.env_vars = {"OMP_*", "MY_*", "SWEEP_*", "CUDA_*"};
  Value env = CaptureEnvironment(o);
  EXPECT_EQ(env["env_vars"],
            Value({{"CUDA_VISIBLE_DEVICES", "1"}, {"MY_SETTING", "1"}, {"OMP_NUM_THREADS", "4"}}));
  EXPECT_EQ(env["gpus_assigned"], "1");
  EXPECT_EQ(env.dump().find("secret"), std::string::npos);
  EXPECT_FALSE(env.contains("interpreter"));  // not a Python program
}

TEST(CaptureEnvironment, ConsecutiveTrialsGetTheirOwnVariablesAndGpus) {
  // The answers are reused between trials whose inputs match (all but SWEEP_*): each
  // trial must still see its own recorded variables and GPU assignment.
  EnvCaptureOptions o;
  o.argv = {"/bin/true", "--x=1"};
  o.env_vars = {"OMP_*", "CUDA_*"};
  o.env = {"OMP_NUM_THREADS=4", "SWEEP_TRIAL_ID=t-1", "CUDA_VISIBLE_DEVICES=0"};
  Value a = CaptureEnvironment(o);
  o.argv = {"/bin/true", "--x=2"};
  o.env = {"OMP_NUM_THREADS=4", "SWEEP_TRIAL_ID=t-2", "CUDA_VISIBLE_DEVICES=0"};
  EXPECT_EQ(CachedEnvironment(o, 256), a);  // only argv's arguments and SWEEP_* differ
  o.env = {"OMP_NUM_THREADS=8", "SWEEP_TRIAL_ID=t-3", "CUDA_VISIBLE_DEVICES=1"};
  std::optional<Value> b = CachedEnvironment(o, 256);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ((*b)["env_vars"]["OMP_NUM_THREADS"], "8");
  EXPECT_EQ((*b)["gpus_assigned"], "1");
  o.env = {"OMP_NUM_THREADS=4", "SWEEP_TRIAL_ID=t-4", "CUDA_VISIBLE_DEVICES=0"};
  EXPECT_EQ(CachedEnvironment(o, 256), a);
  o.env = {"OMP_NUM_THREADS=4", "SWEEP_TRIAL_ID=t-5"};
  std::optional<Value> c = CachedEnvironment(o, 256);
  ASSERT_TRUE(c.has_value());
  EXPECT_TRUE((*c)["gpus_assigned"].is_null());
  EXPECT_FALSE((*c)["env_vars"].contains("CUDA_VISIBLE_DEVICES"));
}

TEST(CaptureEnvironment, MatchesWhatTheSystemReports) {
  EnvCaptureOptions o;
  o.argv = {"python3"};
  o.env = {"PATH=/usr/bin"};
  Value env = CaptureEnvironment(o);
  char host[256] = {};
  ::gethostname(host, sizeof host - 1);
  EXPECT_EQ(env["hostname"], std::string(host));
  EXPECT_GT(env["cpu"]["cores"].get<int>(), 0);
  EXPECT_GT(env["memory_mb"].get<uint64_t>(), 0u);
  EXPECT_TRUE(env["gpus"].is_array());  // [] without nvidia-smi: not an error
  std::ifstream os("/etc/os-release");
  if (os) {
    EXPECT_FALSE(env["os"].get<std::string>().empty());
  }
  EXPECT_EQ(env["interpreter"]["path"].get<std::string>().rfind("/usr/bin/python3", 0), 0u);
  EXPECT_EQ(env["interpreter"]["version"].get<std::string>().rfind("3.", 0), 0u);
  bool numpy = false;
  for (const Value& p : env["packages"])
    if (p.get<std::string>().rfind("numpy==", 0) == 0) numpy = true;
  EXPECT_TRUE(numpy) << env["packages"].dump();
  EXPECT_EQ(EnvironmentHash(env), EnvironmentHash(CaptureEnvironment(o)));
}

// A package folder on the trial's PYTHONPATH, changed between two captures in the
// same process: the second capture lists the new version and its hash differs, and
// an untouched (old) environment is answered without running Python again.
TEST(CaptureEnvironment, AChangedPackageChangesTheEnvironmentHashAtTheNextCapture) {
  testing::TempDir dir;
  std::string site = dir / "site";
  auto install = [&](const std::string& version) {
    std::filesystem::remove_all(site);
    std::string info = site + "/sweepfakepkg-" + version + ".dist-info";
    std::filesystem::create_directories(info);
    std::ofstream(info + "/METADATA")
        << "Metadata-Version: 2.1\nName: sweepfakepkg\nVersion: " << version << "\n";
  };
  install("1.0");
  testing::BackdateTree(dir.path());
  EnvCaptureOptions o;
  o.argv = {"python3", "train.py"};
  o.env = {"PATH=/usr/bin", "PYTHONPATH=" + site};
  auto has = [](const Value& env, const std::string& pkg) {
    for (const Value& p : env["packages"])
      if (p == pkg) return true;
    return false;
  };
  Value first = CaptureEnvironment(o);
  EXPECT_TRUE(has(first, "sweepfakepkg==1.0")) << first["packages"].dump();
  uint64_t runs = InterpreterCapturesRun();
  EXPECT_EQ(EnvironmentHash(CaptureEnvironment(o)), EnvironmentHash(first));
  EXPECT_EQ(InterpreterCapturesRun(), runs) << "an unchanged environment ran Python again";

  install("2.0");  // an upgrade: the old dist-info goes, a new one comes
  Value upgraded = CaptureEnvironment(o);
  EXPECT_TRUE(has(upgraded, "sweepfakepkg==2.0")) << upgraded["packages"].dump();
  EXPECT_NE(EnvironmentHash(upgraded), EnvironmentHash(first));

  // Editing the metadata in place (no folder changes) is seen too.
  testing::BackdateTree(dir.path());
  CaptureEnvironment(o);
  std::ofstream(site + "/sweepfakepkg-2.0.dist-info/METADATA", std::ios::trunc)
      << "Metadata-Version: 2.1\nName: sweepfakepkg\nVersion: 2.1\n";
  EXPECT_TRUE(has(CaptureEnvironment(o), "sweepfakepkg==2.1"));
}

}  // namespace
}  // namespace sweep

#include "agents/runtime/provenance_env.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>

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

}  // namespace
}  // namespace sweep

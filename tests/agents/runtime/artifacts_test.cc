#include "agents/runtime/artifacts.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agents/runtime/provenance_code.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(CollectArtifacts, KeepsMatchesFromTrialDirAndWorkdirWithHashes) {
  TempDir dir;
  fs::create_directories(dir.Join("trial"));
  fs::create_directories(dir.Join("work/out"));
  std::ofstream(dir.Join("trial/model.pt")) << "weights";
  std::ofstream(dir.Join("work/out/plot.png")) << "png";
  ArtifactOptions o;
  o.globs = {"model.pt", "out/*.png", "nothing/*.x"};
  o.trial_dir = dir.Join("trial");
  o.workdir = dir.Join("work");
  ArtifactResult r = CollectArtifacts(o);
  ASSERT_EQ(r.files.size(), 2u) << r.files.dump();
  EXPECT_EQ(r.files[0]["path"], "model.pt");
  EXPECT_EQ(r.files[0]["sha256"], Sha256Hex("weights"));
  EXPECT_EQ(r.files[1]["path"], "out/plot.png");
  EXPECT_EQ(r.files[1]["size"], 3);
  std::ifstream kept(dir.Join("trial/artifacts/out/plot.png"));
  std::string text((std::istreambuf_iterator<char>(kept)), {});
  EXPECT_EQ(text, "png");
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].get<std::string>().find("'nothing/*.x' matched nothing"),
            std::string::npos);
}

TEST(CollectArtifacts, TenThousandMatchesAreCappedWithAWarning) {
  TempDir dir;
  fs::create_directories(dir.Join("trial/many"));
  for (int i = 0; i < 10010; ++i) std::ofstream(dir.Join("trial/many/f" + std::to_string(i))) << i;
  ArtifactOptions o;
  o.globs = {"many/*"};
  o.trial_dir = dir.Join("trial");
  ArtifactResult r = CollectArtifacts(o);
  EXPECT_EQ(r.files.size(), 10000u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].get<std::string>().find("more than 10000"), std::string::npos);
}

TEST(CollectArtifacts, SizeCapSkipsLaterFilesWithAWarning) {
  TempDir dir;
  fs::create_directories(dir.Join("trial"));
  std::ofstream(dir.Join("trial/a.bin")) << std::string(600, 'a');
  std::ofstream(dir.Join("trial/b.bin")) << std::string(600, 'b');
  ArtifactOptions o;
  o.globs = {"*.bin"};
  o.trial_dir = dir.Join("trial");
  o.max_bytes = 1000;
  ArtifactResult r = CollectArtifacts(o);
  ASSERT_EQ(r.files.size(), 1u);
  ASSERT_EQ(r.warnings.size(), 1u);
  EXPECT_NE(r.warnings[0].get<std::string>().find("size cap"), std::string::npos);
  EXPECT_FALSE(fs::exists(dir.Join("trial/artifacts/b.bin")));
}

}  // namespace
}  // namespace sweep

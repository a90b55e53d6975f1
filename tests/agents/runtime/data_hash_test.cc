#include "agents/runtime/data_hash.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "agents/runtime/provenance_code.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using testing::TempDir;

TEST(HashDataPaths, FileHashAndFolderManifestHashFollowContent) {
  TempDir dir;
  fs::create_directories(dir.Join("d/sub"));
  std::ofstream(dir.Join("d/a.csv")) << "1,2\n";
  std::ofstream(dir.Join("d/sub/b.csv")) << "3,4\n";
  std::ofstream(dir.Join("f.bin")) << "data";
  std::string cache = dir.Join("cache/hashes.json");
  auto first = HashDataPaths({"d", "f.bin"}, dir.path(), cache);
  ASSERT_TRUE(first.ok()) << first.status().message();
  ASSERT_EQ(first->size(), 2u);
  EXPECT_EQ((*first)[0]["kind"], "dir");
  EXPECT_EQ((*first)[0]["files"], 2);
  EXPECT_EQ((*first)[1]["sha256"], Sha256Hex("data"));
  EXPECT_TRUE(fs::exists(cache));
  auto again = HashDataPaths({"d"}, dir.path(), cache);
  EXPECT_EQ((*again)[0]["sha256"], (*first)[0]["sha256"]);
  std::ofstream(dir.Join("d/sub/b.csv")) << "3,5,6\n";
  auto changed = HashDataPaths({"d"}, dir.path(), cache);
  EXPECT_NE((*changed)[0]["sha256"], (*first)[0]["sha256"]);
}

TEST(HashDataPaths, MissingPathIsNotFound) {
  TempDir dir;
  EXPECT_EQ(CheckDataPaths({"nope.csv"}, dir.path()).code(), ErrorCode::kNotFound);
  EXPECT_FALSE(HashDataPaths({"nope.csv"}, dir.path(), "").ok());
  EXPECT_TRUE(CheckDataPaths({"."}, dir.path()).ok());
}

}  // namespace
}  // namespace sweep

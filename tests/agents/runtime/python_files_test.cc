// InstallPythonFiles against a real folder: what is written, what is left alone.
#include "agents/runtime/python_files.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::TempDir;

std::string Read(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

ino_t Inode(const std::string& path) {
  struct stat st;
  return ::lstat(path.c_str(), &st) == 0 ? st.st_ino : 0;
}

TEST(InstallPythonFiles, WritesEveryEmbeddedFile) {
  TempDir d;
  auto dir = InstallPythonFiles(d / "py");
  ASSERT_TRUE(dir.ok()) << dir.status().message();
  ASSERT_FALSE(EmbeddedPythonFiles().empty());
  for (const auto& [rel, content] : EmbeddedPythonFiles())
    EXPECT_EQ(Read(*dir + "/" + rel), content) << rel;
}

TEST(InstallPythonFiles, AnUnchangedFileIsNotRewrittenAndAChangedOneIs) {
  TempDir d;
  ASSERT_TRUE(InstallPythonFiles(d / "py").ok());
  const auto& files = EmbeddedPythonFiles();
  const std::string same = d / ("py/" + files[0].first);
  const std::string edited = d / ("py/" + files[1].first);
  { std::ofstream(edited, std::ios::binary | std::ios::trunc) << "print('a trial wrote this')\n"; }
  ino_t same_inode = Inode(same), edited_inode = Inode(edited);
  ASSERT_TRUE(InstallPythonFiles(d / "py").ok());
  // A rewrite goes through a temporary file and a rename: a new inode.
  EXPECT_EQ(Inode(same), same_inode);
  EXPECT_NE(Inode(edited), edited_inode);
  EXPECT_EQ(Read(edited), files[1].second);
}

TEST(InstallPythonFiles, ALinkInPlaceOfAFileIsReplacedNotFollowed) {
  TempDir d;
  ASSERT_TRUE(InstallPythonFiles(d / "py").ok());
  const auto& [rel, content] = EmbeddedPythonFiles()[0];
  const std::string outside = d / "outside.py";
  // The link's target holds the very content: still a link, so still replaced.
  { std::ofstream(outside, std::ios::binary) << content; }
  const std::string path = d / ("py/" + rel);
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink(outside.c_str(), path.c_str()), 0);
  ASSERT_TRUE(InstallPythonFiles(d / "py").ok());
  struct stat st;
  ASSERT_EQ(::lstat(path.c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(Read(path), content);
  EXPECT_EQ(Read(outside), content);  // the target was not written through
}

}  // namespace
}  // namespace sweep

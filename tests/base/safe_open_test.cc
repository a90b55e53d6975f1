// OpenUnder on a real folder: regular files are read, every kind of symlink (the
// file, a folder on the way, the base folder itself), fifos and folders are refused
// with a message that says why, and malformed relative paths are usage errors.
#include "base/safe_open.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "tests/testing/cli_runner.h"
#include "tests/testing/temp_dir.h"

namespace sweep {
namespace {

namespace fs = std::filesystem;
using testing::WriteFile;

class SafeOpenTest : public ::testing::Test {
 protected:
  void SetUp() override {
    WriteFile(dir_.Join("trial/stdout.log"), "hello\n");
    WriteFile(dir_.Join("trial/out/model.txt"), "weights\n");
    WriteFile(dir_.Join("secret"), "secret\n");
  }
  std::string trial() const { return dir_.Join("trial"); }
  testing::TempDir dir_;
};

TEST_F(SafeOpenTest, ReadsRegularFilesInsideTheFolder) {
  auto a = ReadSmallFileUnder(trial(), "stdout.log", 1 << 20);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(*a, "hello\n");
  auto b = ReadSmallFileUnder(trial(), "out/model.txt", 1 << 20);
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(*b, "weights\n");
  auto f = OpenUnder(trial(), "stdout.log");
  ASSERT_TRUE(f.ok());
  EXPECT_EQ(f->size, 6u);
  auto tail = ReadAt(*f, 2, 100);
  ASSERT_TRUE(tail.ok());
  EXPECT_EQ(*tail, "llo\n");
}

TEST_F(SafeOpenTest, RefusesASymlinkedFileEvenWhenItPointsInside) {
  fs::create_symlink(dir_.Join("secret"), trial() + "/outside");
  fs::create_symlink("stdout.log", trial() + "/inside");
  for (const char* name : {"outside", "inside"}) {
    auto r = ReadSmallFileUnder(trial(), name, 1 << 20);
    ASSERT_FALSE(r.ok()) << name;
    EXPECT_EQ(r.status().code(), ErrorCode::kIo);
    EXPECT_NE(r.status().message().find("is a symbolic link; not followed"), std::string::npos)
        << r.status().message();
  }
}

TEST_F(SafeOpenTest, RefusesASymlinkedFolderOnTheWayAndASymlinkedBase) {
  fs::create_directories(dir_.Join("elsewhere"));
  WriteFile(dir_.Join("elsewhere/model.txt"), "elsewhere\n");
  fs::create_symlink(dir_.Join("elsewhere"), trial() + "/linked");
  auto r = ReadSmallFileUnder(trial(), "linked/model.txt", 1 << 20);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("linked is a symbolic link"), std::string::npos)
      << r.status().message();
  fs::create_symlink(trial(), dir_.Join("trial-link"));
  auto base = ReadSmallFileUnder(dir_.Join("trial-link"), "stdout.log", 1 << 20);
  ASSERT_FALSE(base.ok());
  EXPECT_NE(base.status().message().find("symbolic link"), std::string::npos)
      << base.status().message();
}

TEST_F(SafeOpenTest, RefusesFifosAndFoldersWithoutBlocking) {
  ASSERT_EQ(::mkfifo((trial() + "/pipe").c_str(), 0644), 0);
  auto fifo = OpenUnder(trial(), "pipe");  // would block forever without O_NONBLOCK
  ASSERT_FALSE(fifo.ok());
  EXPECT_NE(fifo.status().message().find("not a regular file"), std::string::npos);
  auto folder = OpenUnder(trial(), "out");
  ASSERT_FALSE(folder.ok());
  EXPECT_NE(folder.status().message().find("not a regular file"), std::string::npos);
}

TEST_F(SafeOpenTest, MissingIsNotFoundAndBadPathsAreUsageErrors) {
  EXPECT_EQ(OpenUnder(trial(), "nope.log").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(OpenUnder(dir_.Join("no-such-folder"), "x").status().code(), ErrorCode::kNotFound);
  EXPECT_EQ(OpenUnder("", "x").status().code(), ErrorCode::kNotFound);
  for (const std::string& bad :
       std::vector<std::string>{"", "/etc/passwd", "../secret", "out/../stdout.log", "./stdout.log",
                                "out//model.txt", "out/", std::string("a\0b", 3)}) {
    EXPECT_EQ(OpenUnder(trial(), bad).status().code(), ErrorCode::kUsage) << bad;
  }
}

TEST_F(SafeOpenTest, RefusesFilesOverTheSizeLimit) {
  auto r = ReadSmallFileUnder(trial(), "stdout.log", 3);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), ErrorCode::kUsage);
  EXPECT_NE(r.status().message().find("too large"), std::string::npos);
}

}  // namespace
}  // namespace sweep

// StatStamp against real files: what counts as a change, and the racy rule.
#include "agents/runtime/stat_stamp.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "tests/agents/agents_test_util.h"
#include "tests/testing/backdate.h"

namespace sweep {
namespace {

using testing::BackdateTree;
using testing::TempDir;

void Write(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
}

TEST(StatStamp, AnUntouchedOldFileIsUnchangedAndAnEditIsSeen) {
  TempDir d;
  Write(d / "a.txt", "one\n");
  BackdateTree(d.path());
  StatStamp s = StatStamp::Take({d / "a.txt", d.path()});
  ASSERT_FALSE(s.racy());
  EXPECT_TRUE(s.Unchanged());
  Write(d / "a.txt", "two\n");  // same size, new content
  EXPECT_FALSE(s.Unchanged());
}

TEST(StatStamp, AnEditThatRestoresTheOldMtimeIsStillSeen) {
  TempDir d;
  Write(d / "a.txt", "one\n");
  BackdateTree(d.path());
  StatStamp s = StatStamp::Take({d / "a.txt"});
  ASSERT_TRUE(s.Unchanged());
  Write(d / "a.txt", "two\n");
  BackdateTree(d.path());       // what cp -p or rsync -t do: the mtime is old again
  EXPECT_FALSE(s.Unchanged());  // the ctime moved
}

TEST(StatStamp, CreatingAMissingPathIsAChange) {
  TempDir d;
  BackdateTree(d.path());
  StatStamp s = StatStamp::Take({d / "later.txt"});
  EXPECT_TRUE(s.Unchanged());
  Write(d / "later.txt", "");
  EXPECT_FALSE(s.Unchanged());
}

TEST(StatStamp, ANewFileInAFolderMovesTheFoldersStamp) {
  TempDir d;
  std::filesystem::create_directories(d / "sub");
  BackdateTree(d.path());
  StatStamp s = StatStamp::Take({d / "sub"});
  ASSERT_TRUE(s.Unchanged());
  Write(d / "sub/new.txt", "x");
  EXPECT_FALSE(s.Unchanged());
}

TEST(StatStamp, ARecentlyModifiedPathMakesTheStampRacyAndNeverUnchanged) {
  TempDir d;
  Write(d / "fresh.txt", "x");
  StatStamp s = StatStamp::Take({d / "fresh.txt"});
  EXPECT_TRUE(s.racy());
  EXPECT_FALSE(s.Unchanged());
}

TEST(StatStamp, ASymbolicLinkIsStampedItselfNotFollowed) {
  TempDir d;
  Write(d / "target.txt", "x");
  std::filesystem::create_symlink(d / "target.txt", d / "link");
  BackdateTree(d.path());
  StatStamp s = StatStamp::Take({d / "link"});
  ASSERT_TRUE(s.Unchanged());
  Write(d / "target.txt", "y");  // the link itself did not change
  EXPECT_TRUE(s.Unchanged());
  std::filesystem::remove(d / "link");
  std::filesystem::create_symlink(d / "elsewhere", d / "link");
  EXPECT_FALSE(s.Unchanged());
}

TEST(StatStamp, HasAnswersForStampedPathsOnly) {
  StatStamp s = StatStamp::Take({"/b", "/a", "/a"});
  EXPECT_TRUE(s.Has("/a"));
  EXPECT_TRUE(s.Has("/b"));
  EXPECT_FALSE(s.Has("/c"));
  EXPECT_EQ(s.size(), 2u);
  EXPECT_FALSE(StatStamp().Unchanged());  // never taken: never reused
}

}  // namespace
}  // namespace sweep

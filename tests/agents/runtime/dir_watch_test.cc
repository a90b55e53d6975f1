// DirWatch against real folders: what counts as a change and what does not.
#include "agents/runtime/dir_watch.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

using testing::TempDir;

void Write(const std::string& path, const std::string& text,
           std::ios::openmode mode = std::ios::trunc) {
  std::ofstream(path, std::ios::binary | mode) << text;
}

struct Tree {
  TempDir dir;
  std::string a = dir / "a.py", sub = dir / "sub", b = dir / "sub/b.py", log = dir / "train.log";
  Tree() {
    std::filesystem::create_directories(sub);
    Write(a, "a\n");
    Write(b, "b\n");
    Write(log, "epoch 0\n");
  }
  std::unique_ptr<DirWatch> Watch() { return DirWatch::Start({dir.path(), sub}, {a, b}); }
};

TEST(DirWatch, AQuietTreeIsUnchangedAndAnEditOfANamedFileIsSeen) {
  Tree t;
  auto w = t.Watch();
  ASSERT_NE(w, nullptr) << "inotify on the test's temporary folder";
  EXPECT_TRUE(w->Unchanged());
  EXPECT_TRUE(w->Unchanged());
  Write(t.b, "c\n");  // same size, likely the same mtime tick: a stamp could miss it
  EXPECT_FALSE(w->Unchanged());
  EXPECT_FALSE(w->Unchanged()) << "a change stays a change";
}

TEST(DirWatch, WritesToOtherFilesInAWatchedFolderAreNotChanges) {
  Tree t;
  auto w = t.Watch();
  ASSERT_NE(w, nullptr);
  Write(t.log, "epoch 1\n", std::ios::app);  // an ignored log a trial appends to
  EXPECT_TRUE(w->Unchanged());
}

TEST(DirWatch, CreatingRemovingOrRenamingAnEntryIsAChange) {
  for (int kind = 0; kind < 4; ++kind) {
    Tree t;
    auto w = t.Watch();
    ASSERT_NE(w, nullptr);
    if (kind == 0) Write(t.sub + "/new.py", "n\n");
    if (kind == 1) std::filesystem::remove(t.log);
    if (kind == 2) std::filesystem::rename(t.log, t.dir / "old.log");
    if (kind == 3) std::filesystem::create_directory(t.sub + "/pkg");
    EXPECT_FALSE(w->Unchanged()) << "kind " << kind;
  }
}

TEST(DirWatch, ARemovedWatchedFolderIsAChange) {
  Tree t;
  auto w = t.Watch();
  ASSERT_NE(w, nullptr);
  std::filesystem::remove_all(t.sub);
  EXPECT_FALSE(w->Unchanged());
}

TEST(DirWatch, ChmodOfANamedFileIsAChange) {
  Tree t;
  auto w = t.Watch();
  ASSERT_NE(w, nullptr);
  std::filesystem::permissions(t.a, std::filesystem::perms::owner_exec,
                               std::filesystem::perm_options::add);
  EXPECT_FALSE(w->Unchanged());
}

TEST(DirWatch, CoversItsFoldersAndTheirDirectEntriesOnly) {
  Tree t;
  auto w = t.Watch();
  ASSERT_NE(w, nullptr);
  EXPECT_TRUE(w->Covers(t.sub));
  EXPECT_TRUE(w->Covers(t.b));
  EXPECT_TRUE(w->Covers(t.sub + "/not-yet.py"));
  EXPECT_FALSE(w->Covers(t.sub + "/deeper/x.py"));
  EXPECT_FALSE(w->Covers("/elsewhere/x.py"));
}

TEST(DirWatch, AMissingFolderOrAFileInPlaceOfOneGivesNoWatch) {
  Tree t;
  EXPECT_EQ(DirWatch::Start({t.dir / "missing"}, {}), nullptr);
  EXPECT_EQ(DirWatch::Start({t.a}, {}), nullptr);
  EXPECT_EQ(DirWatch::Start({}, {}), nullptr);
}

}  // namespace
}  // namespace sweep

// The SQLite store under concurrent readers and writers (threads and processes) and
// against kill -9: real database files in a temporary folder.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "orchestrator/store/sqlite_store.h"
#include "tests/orchestrator/store/sqlite_store_fixtures.h"

namespace sweep {
namespace {

using testing::FilesIn;
using ::testing::HasSubstr;
using testing::MakeSweep;
using testing::MakeTrial;
using testing::MustOpen;
using testing::Point;
using testing::StoreWithTrials;
using testing::TempDir;

TEST(SqliteStore, AReaderSeesConsistentDataWhileAWriterCommits) {
  TempDir dir;
  auto writer = StoreWithTrials(dir, 0);
  constexpr int kBatches = 150;
  constexpr int kPointsPerBatch = 500;
  std::atomic<bool> done{false};
  std::string reader_error;
  size_t reads = 0;
  std::thread reader([&] {
    auto store = MustOpen(dir.path(), {.read_only = true});
    size_t last = 0;
    while (!done.load() || reads == 0) {
      auto trials = store->ListTrials("abc123");
      if (!trials.ok()) {
        reader_error = trials.status().message();
        return;
      }
      if (trials->size() < last) {
        reader_error = "trial count went backwards";
        return;
      }
      last = trials->size();
      if (last > 0) {
        // A trial and its points are committed together: a visible trial has them all.
        auto points = store->GetMetrics({(*trials)[last - 1].id, "loss", 0});
        if (!points.ok()) {
          reader_error = points.status().message();
          return;
        }
        if (points->size() != kPointsPerBatch) {
          reader_error = "partial batch visible";
          return;
        }
      }
      ++reads;
    }
  });
  for (int i = 0; i < kBatches; ++i) {
    WriteBatch b;
    b.trials.push_back(MakeTrial("abc123", i));
    for (int p = 0; p < kPointsPerBatch; ++p)
      b.points.push_back(Point(TrialId("abc123", i), "loss", p, p));
    Status s = writer->Commit(b);
    ASSERT_TRUE(s.ok()) << s.message();
  }
  done = true;
  reader.join();
  EXPECT_EQ(reader_error, "");
  EXPECT_GT(reads, 0u);
  EXPECT_EQ(MustOpen(dir.path(), {.read_only = true})->ListTrials("abc123")->size(),
            size_t{kBatches});
}

TEST(SqliteStore, TwoProcessesWritingWaitForEachOtherInsteadOfFailing) {
  TempDir dir;
  StoreWithTrials(dir, 1);
  constexpr int kCommits = 30;
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    // The "controller": large commits that hold the write lock for a while each.
    auto opened = SqliteStore::Open(dir.path(), {});
    if (!opened.ok()) _exit(2);
    for (int i = 0; i < kCommits; ++i) {
      WriteBatch b;
      for (int p = 0; p < 20000; ++p)
        b.points.push_back(Point("abc123-0", "loss", i * 20000 + p, p));
      if (!(*opened)->Commit(b).ok()) _exit(3);
    }
    _exit(0);
  }
  // The "CLI": notes and tags while the child commits.
  auto cli = MustOpen(dir.path());
  int notes = 0;
  std::string error;
  int status = 0;
  while (waitpid(child, &status, WNOHANG) == 0) {
    Status s = cli->AddNote("abc123-0", "note " + std::to_string(notes));
    if (!s.ok()) {
      error = s.message();
      break;
    }
    s = cli->AddTags("abc123-0", {"t" + std::to_string(notes)});
    if (!s.ok()) {
      error = s.message();
      break;
    }
    ++notes;
  }
  if (!error.empty()) waitpid(child, &status, 0);
  EXPECT_EQ(error, "");
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0);
  EXPECT_GT(notes, 0);
  EXPECT_EQ(static_cast<int>(cli->GetNotes("abc123-0")->size()), notes);
  EXPECT_EQ(cli->GetMetrics({"abc123-0", "loss", 0})->size(), size_t{kCommits} * 20000);
}

TEST(SqliteStore, ProcessesCreatingTheSameStoreAtOnceAllSucceed) {
  TempDir dir;
  std::string root = dir.Join(".sweep");
  std::vector<pid_t> children;
  for (int i = 0; i < 4; ++i) {
    pid_t child = fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
      auto opened = SqliteStore::Open(root, {});
      if (!opened.ok()) {
        fprintf(stderr, "child open: %s\n", opened.status().message().c_str());
        _exit(2);
      }
      auto version = (*opened)->SchemaVersion();
      if (!version.ok() || *version != static_cast<int>(StoreMigrations().size()))
        fprintf(
            stderr, "child: %s\n",
            version.ok() ? std::to_string(*version).c_str() : version.status().message().c_str());
      _exit(version.ok() && *version == static_cast<int>(StoreMigrations().size()) ? 0 : 3);
    }
    children.push_back(child);
  }
  for (pid_t child : children) {
    int status = 0;
    ASSERT_EQ(waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 0);
  }
  EXPECT_EQ(*MustOpen(root)->SchemaVersion(), static_cast<int>(StoreMigrations().size()));
}

TEST(SqliteStore, ACommitIsDurableAgainstKillOfTheProcess) {
  TempDir dir;
  StoreWithTrials(dir, 0);
  int fds[2];
  ASSERT_EQ(pipe(fds), 0);
  pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(fds[0]);
    auto opened = SqliteStore::Open(dir.path(), {});
    if (!opened.ok()) _exit(2);
    TrialRecord t = MakeTrial("abc123", 0);
    t.status = TrialStatus::kFinished;
    t.value = 0.125;
    WriteBatch b{{}, {t}, {Point(t.id, "loss", 0, 0.125)}, {}, {}};
    if (!(*opened)->Commit(b).ok()) _exit(3);
    char c = 'c';
    if (write(fds[1], &c, 1) != 1) _exit(4);
    pause();  // killed here, with the connection still open
    _exit(5);
  }
  close(fds[1]);
  char c = 0;
  ASSERT_EQ(read(fds[0], &c, 1), 1);
  close(fds[0]);
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  ASSERT_TRUE(WIFSIGNALED(status));

  auto store = MustOpen(dir.path(), {.read_only = true});
  auto t = store->GetTrial("abc123-0");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->status, TrialStatus::kFinished);
  EXPECT_EQ(t->value, std::optional<double>(0.125));
  EXPECT_EQ(store->GetMetrics({"abc123-0", "", 0})->size(), 1u);
}

}  // namespace
}  // namespace sweep

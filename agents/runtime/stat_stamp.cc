// StatStamp: one lstat per path when taken, one per path when checked. The racy test
// compares each path's mtime with the wall clock read just before the first lstat:
// anything modified within kRacySeconds of that moment may change again without its
// mtime moving (one coarse clock tick), so such a stamp is never trusted.
#include "agents/runtime/stat_stamp.h"

#include <sys/stat.h>
#include <time.h>

#include <algorithm>

namespace sweep {
namespace {

int64_t Ns(const struct timespec& t) {
  return static_cast<int64_t>(t.tv_sec) * 1000000000 + static_cast<int64_t>(t.tv_nsec);
}

int64_t NowNs() {
  struct timespec t {};
  ::clock_gettime(CLOCK_REALTIME, &t);
  return Ns(t);
}

}  // namespace

bool StatStamp::Entry::operator==(const Entry& o) const {
  return exists == o.exists && mode == o.mode && ino == o.ino && dev == o.dev && size == o.size &&
         mtime_ns == o.mtime_ns && ctime_ns == o.ctime_ns;
}

StatStamp::Entry StatStamp::Stat(const std::string& path) {
  Entry e;
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) return e;
  e.exists = true;
  e.mode = st.st_mode;
  e.ino = st.st_ino;
  e.dev = st.st_dev;
  e.size = static_cast<int64_t>(st.st_size);
  e.mtime_ns = Ns(st.st_mtim);
  e.ctime_ns = Ns(st.st_ctim);
  return e;
}

StatStamp StatStamp::Take(std::vector<std::string> paths) {
  StatStamp s;
  s.taken_ = true;
  int64_t now = NowNs();
  int64_t racy_after = now - static_cast<int64_t>(kRacySeconds * 1e9);
  std::sort(paths.begin(), paths.end());
  paths.erase(std::unique(paths.begin(), paths.end()), paths.end());
  s.paths_ = std::move(paths);
  s.entries_.reserve(s.paths_.size());
  for (const auto& p : s.paths_) {
    Entry e = Stat(p);
    // A timestamp in the future (a skewed clock) is as untrustworthy as a recent one.
    // ctime is compared later but not tested here: a write after the stamp moves it to
    // the present anyway, and a tool that restores an old mtime (cp -p, rsync -t, tar)
    // cannot restore ctime, so it is caught by the comparison.
    if (e.exists && e.mtime_ns >= racy_after) s.racy_ = true;
    s.entries_.push_back(e);
  }
  return s;
}

StatStamp StatStamp::Take(std::vector<std::string> paths, std::shared_ptr<DirWatch> watch) {
  StatStamp s = Take(std::move(paths));
  s.watch_ = std::move(watch);
  return s;
}

bool StatStamp::Has(const std::string& path) const {
  return std::binary_search(paths_.begin(), paths_.end(), path) || (watch_ && watch_->Covers(path));
}

bool StatStamp::Unchanged() const {
  if (!taken_ || racy_) return false;
  for (size_t i = 0; i < paths_.size(); ++i)
    if (!(Stat(paths_[i]) == entries_[i])) return false;
  return !watch_ || watch_->Unchanged();
}

}  // namespace sweep

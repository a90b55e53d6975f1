// BackdateTree: sets the modification time of a folder and everything below it
// (symbolic links themselves, not their targets) to `seconds` in the past.
//
// Provenance caches (agents/runtime/stat_stamp.h) never trust a path that changed
// in the last two seconds; tests that need the cached path exercised backdate their
// freshly made files instead of sleeping.
#pragma once

#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>

#include <filesystem>
#include <string>

namespace sweep::testing {

inline void BackdateTree(const std::string& root, int seconds = 3600) {
  struct timespec now {};
  ::clock_gettime(CLOCK_REALTIME, &now);
  struct timespec times[2] = {{now.tv_sec - seconds, 0}, {now.tv_sec - seconds, 0}};
  auto set = [&](const std::string& p) {
    ::utimensat(AT_FDCWD, p.c_str(), times, AT_SYMLINK_NOFOLLOW);
  };
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec))
    set(it->path().string());
  set(root);
}

}  // namespace sweep::testing

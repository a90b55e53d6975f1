// TempDir: a fresh folder under /tmp for one test, removed with everything in it
// when the object is destroyed.
#pragma once

#include <string>

namespace sweep::testing {

class TempDir {
 public:
  // Creates /tmp/sweep-test-XXXXXX (mkdtemp). Aborts the test binary if /tmp is not
  // writable: no test can run meaningfully without it.
  TempDir();
  // Removes the folder recursively; errors are ignored (the test is over).
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  // Absolute path of the folder, without a trailing slash.
  const std::string& path() const { return path_; }
  // path() + "/" + name.
  std::string Join(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace sweep::testing

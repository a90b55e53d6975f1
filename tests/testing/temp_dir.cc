// TempDir: mkdtemp on construction, std::filesystem::remove_all on destruction.
#include "tests/testing/temp_dir.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace sweep::testing {

TempDir::TempDir() {
  char tmpl[] = "/tmp/sweep-test-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::fprintf(stderr, "TempDir: mkdtemp failed: %s\n", std::strerror(errno));
    std::abort();
  }
  path_ = tmpl;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

}  // namespace sweep::testing

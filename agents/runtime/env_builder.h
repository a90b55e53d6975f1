// A child process's environment, built as "NAME=value" entries (each name once) on top
// of this process's environment, which is parsed once and reused while it is unchanged:
// parsing it into a map for every trial was a measurable share of a short trial's
// start (issue 16).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace sweep {

class EnvBuilder {
 public:
  // Starts from the process's environment (environ). Its entries are compared by
  // pointer with the last parse; setenv, putenv and unsetenv change those pointers,
  // so a changed environment is parsed again. Thread-safe.
  static EnvBuilder FromEnviron();

  // Replaces name's value where it already is, or appends it.
  void Set(std::string_view name, std::string_view value);
  // The current value of name (valid until the next Set); nullopt when not set.
  std::optional<std::string_view> Get(std::string_view name) const;
  // The entries, in the base's order, then appended names in the order first set.
  std::vector<std::string> Take() &&;

  struct Base;

 private:
  explicit EnvBuilder(std::shared_ptr<const Base> base);
  size_t Find(std::string_view name) const;  // entries_ index, or npos

  std::shared_ptr<const Base> base_;
  std::vector<std::string> entries_;
  std::map<std::string, size_t, std::less<>> added_;  // names not in the base
};

}  // namespace sweep

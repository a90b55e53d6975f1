#include "agents/runtime/env_builder.h"

#include <mutex>

extern char** environ;

namespace sweep {

struct EnvBuilder::Base {
  std::vector<const char*> pointers;  // environ's entries when parsed
  std::vector<std::string> entries;   // "NAME=value", first of each name
  std::map<std::string, size_t, std::less<>> index;
};

namespace {

bool Matches(const EnvBuilder::Base& b) {
  size_t i = 0;
  for (char** e = environ; e && *e; ++e, ++i)
    if (i >= b.pointers.size() || b.pointers[i] != *e) return false;
  return i == b.pointers.size();
}

std::shared_ptr<const EnvBuilder::Base> Parse() {
  auto b = std::make_shared<EnvBuilder::Base>();
  for (char** e = environ; e && *e; ++e) {
    b->pointers.push_back(*e);
    std::string_view kv(*e);
    size_t eq = kv.find('=');
    if (eq == std::string_view::npos || eq == 0) continue;
    auto [it, inserted] = b->index.emplace(std::string(kv.substr(0, eq)), b->entries.size());
    if (inserted)
      b->entries.emplace_back(kv);
    else
      b->entries[it->second] = std::string(kv);  // a later duplicate wins, as with setenv
  }
  return b;
}

}  // namespace

EnvBuilder::EnvBuilder(std::shared_ptr<const Base> base)
    : base_(std::move(base)), entries_(base_->entries) {}

EnvBuilder EnvBuilder::FromEnviron() {
  static std::mutex mu;
  static std::shared_ptr<const Base>* last = new std::shared_ptr<const Base>();
  std::lock_guard<std::mutex> lock(mu);
  if (!*last || !Matches(**last)) *last = Parse();
  return EnvBuilder(*last);
}

size_t EnvBuilder::Find(std::string_view name) const {
  if (auto it = base_->index.find(name); it != base_->index.end()) return it->second;
  if (auto it = added_.find(name); it != added_.end()) return it->second;
  return std::string::npos;
}

void EnvBuilder::Set(std::string_view name, std::string_view value) {
  std::string kv;
  kv.reserve(name.size() + 1 + value.size());
  kv.append(name).append("=").append(value);
  size_t at = Find(name);
  if (at != std::string::npos) {
    entries_[at] = std::move(kv);
    return;
  }
  added_.emplace(std::string(name), entries_.size());
  entries_.push_back(std::move(kv));
}

std::optional<std::string_view> EnvBuilder::Get(std::string_view name) const {
  size_t at = Find(name);
  if (at == std::string::npos) return std::nullopt;
  return std::string_view(entries_[at]).substr(name.size() + 1);
}

std::vector<std::string> EnvBuilder::Take() && { return std::move(entries_); }

}  // namespace sweep

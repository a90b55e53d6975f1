// The strategy registry. Each strategy's .cc registers itself from a static
// initialiser; sweep_core is an OBJECT library, so every object file is linked and no
// registration is dropped by the linker.
#include "search/strategy.h"

#include <algorithm>
#include <map>
#include <mutex>

namespace sweep {
namespace {

std::map<std::string, StrategyFactory>& Registry() {
  static std::map<std::string, StrategyFactory> registry;
  return registry;
}

std::mutex& RegistryMutex() {
  static std::mutex mu;
  return mu;
}

}  // namespace

void SearchStrategy::Replay(const std::vector<Observation>& history) {
  for (const Observation& obs : history)
    if (obs.outcome != Outcome::kRunning) Observe(obs);
}

bool RegisterStrategy(const std::string& name, StrategyFactory factory) {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  Registry()[name] = std::move(factory);
  return true;
}

Result<std::unique_ptr<SearchStrategy>> MakeStrategy(const std::string& name,
                                                     const SearchSpace& space,
                                                     const StrategyOptions& options) {
  StrategyFactory factory;
  {
    std::lock_guard<std::mutex> lock(RegistryMutex());
    auto it = Registry().find(name);
    if (it != Registry().end()) factory = it->second;
  }
  if (!factory) {
    std::string known;
    for (const std::string& n : StrategyNames()) known += (known.empty() ? "" : ", ") + n;
    return Status::InvalidSpec("unknown method '" + name + "' (known: " + known + ")");
  }
  return factory(space, options);
}

std::vector<std::string> StrategyNames() {
  std::lock_guard<std::mutex> lock(RegistryMutex());
  std::vector<std::string> names;
  for (const auto& [n, f] : Registry()) names.push_back(n);
  return names;
}

}  // namespace sweep

// Random search: stateless draws for infinite spaces, exact accounting for finite ones.
//
// Draw k uses its own generator, Rng::ForStream(seed, k), so the sweep's k-th
// configuration never depends on how many uniforms earlier ones consumed (rejection
// samplers use a variable number). For a finite space the same DiscreteGrid layout the
// grid strategy uses turns a configuration into an index; a set of taken indices gives
// O(1) duplicate checks, and the scan fallback only runs when 64 draws in a row hit
// taken configurations, i.e. when the space is nearly used up.
#include "search/random_search.h"

#include "search/sampling.h"

namespace sweep {
namespace {

[[maybe_unused]] const bool kRegistered = RegisterStrategy("random", &RandomSearch::Make);

Config DrawWith(const SearchSpace& space, Rng& rng) {
  Config config;
  config.reserve(space.params.size());
  for (const Parameter& p : space.params) config.push_back(SampleValue(p, rng));
  // Every parameter is drawn, so the stream layout is the same with or without `when:`;
  // a child whose parent's value leaves it inactive is then dropped.
  space.Deactivate(config);
  return config;
}

}  // namespace

RandomSearch::RandomSearch(const SearchSpace& space, const StrategyOptions& options)
    : space_(space), seed_(options.seed) {
  Result<DiscreteGrid> grid = DiscreteGrid::Build(space, DiscreteGrid::Mode::kRandom);
  if (grid.ok() && !grid->Saturated()) finite_ = std::move(grid).value();
}

Result<std::unique_ptr<SearchStrategy>> RandomSearch::Make(const SearchSpace& space,
                                                           const StrategyOptions& options) {
  return std::unique_ptr<SearchStrategy>(new RandomSearch(space, options));
}

Config RandomSearch::Draw(const SearchSpace& space, uint64_t seed, uint64_t k) {
  Rng rng = Rng::ForStream(seed, k);
  return DrawWith(space, rng);
}

std::optional<Config> RandomSearch::DrawFresh(uint64_t k) {
  Rng rng = Rng::ForStream(seed_, k);
  // Rejection sampling against `where:` (W&B has no such key): draws the next
  // configuration of the same stream until one is admitted, so the k-th suggestion
  // still depends only on (seed, k).
  auto draw = [&]() -> std::optional<Config> {
    for (int i = 0; i < kMaxWhereDraws; ++i) {
      Config c = DrawWith(space_, rng);
      if (space_.Admits(c)) return c;
    }
    return std::nullopt;
  };
  std::optional<Config> config = draw();
  if (!config || !finite_) return config;
  for (int attempt = 0; attempt < kMaxRedraws; ++attempt) {
    const std::optional<uint64_t> index = finite_->Encode(*config);
    if (index && taken_.insert(*index).second) return config;
    config = draw();
    if (!config) return config;
  }
  // Nearly used up: take the first free admitted index at or after a random start.
  const uint64_t size = finite_->IndexLimit();
  uint64_t index = rng.UniformInt(size);
  for (uint64_t step = 0; step < size; ++step) {
    if (finite_->NextLive(index) == index && !taken_.count(index)) {
      Config c = finite_->Decode(index);
      if (space_.Admits(c)) {
        taken_.insert(index);
        return c;
      }
    }
    index = index + 1 == size ? 0 : index + 1;
  }
  return std::nullopt;  // every free configuration is rejected by `where:`
}

void RandomSearch::Mark(const Config& config) {
  if (!finite_) return;
  if (const std::optional<uint64_t> index = finite_->Encode(config)) taken_.insert(*index);
}

std::vector<Config> RandomSearch::Suggest(size_t n, const std::vector<Config>& pending) {
  for (const Config& c : pending) Mark(c);
  std::vector<Config> out;
  out.reserve(n);
  while (out.size() < n && !Exhausted()) {
    std::optional<Config> config = DrawFresh(k_);
    if (!config) {
      where_gave_up_ = true;
      break;
    }
    out.push_back(std::move(*config));
    ++k_;
  }
  return out;
}

bool RandomSearch::Exhausted() const {
  return where_gave_up_ || (finite_ && taken_.size() >= finite_->Size());
}

void RandomSearch::Replay(const std::vector<Observation>& history) {
  k_ = history.size();
  for (const Observation& obs : history) Mark(obs.config);
}

std::optional<uint64_t> RandomSearch::SpaceSize() const {
  if (!finite_) return std::nullopt;
  return finite_->Size();
}

}  // namespace sweep

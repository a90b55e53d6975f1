// Grid and random search with a `where:` predicate.
#include <gtest/gtest.h>

#include "search/grid_search.h"
#include "search/random_search.h"
#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::MakeCategorical;
using testing::MakeParam;

SearchSpace Space(const std::string& where) {
  SearchSpace s;
  s.params.push_back(MakeCategorical("batch", {16, 32, 64, 128}));
  s.params.push_back(MakeCategorical("opt", {"sgd", "adam"}));
  auto parsed = WhereExpr::Parse(where);
  s.where = std::get<std::shared_ptr<const WhereExpr>>(parsed);
  return s;
}

TEST(WhereSearch, GridSkipsRejectedPointsAndCountsOnlyAdmittedOnes) {
  auto grid = MakeStrategy("grid", Space("batch <= 32 or opt == 'adam'"), {});
  ASSERT_TRUE(grid.ok());
  EXPECT_EQ((*grid)->SpaceSize(), 6u);
  auto all = (*grid)->Suggest(100, {});
  ASSERT_EQ(all.size(), 6u);
  for (const Config& c : all) EXPECT_TRUE(c[0].get<int>() <= 32 || c[1] == "adam");
  EXPECT_TRUE((*grid)->Exhausted());
}

TEST(WhereSearch, RandomDrawsOnlyAdmittedConfigurations) {
  SearchSpace s;
  s.params.push_back(MakeParam("x", Distribution::kUniform, 0, 1));
  s.params.push_back(MakeParam("y", Distribution::kUniform, 0, 1));
  s.where = std::get<std::shared_ptr<const WhereExpr>>(WhereExpr::Parse("x * y > 0.5"));
  StrategyOptions o;
  o.seed = 3;
  RandomSearch r(s, o);
  auto configs = r.Suggest(200, {});
  ASSERT_EQ(configs.size(), 200u);
  for (const Config& c : configs) EXPECT_GT(c[0].get<double>() * c[1].get<double>(), 0.5);
  // The same seed gives the same sequence.
  RandomSearch again(s, o);
  EXPECT_EQ(again.Suggest(200, {}), configs);
}

TEST(WhereSearch, RandomFiniteSpaceUsesUpOnlyAdmittedPoints) {
  RandomSearch r(Space("opt == 'adam'"), {});
  auto configs = r.Suggest(100, {});
  EXPECT_EQ(configs.size(), 4u);
  for (const Config& c : configs) EXPECT_EQ(c[1], "adam");
  EXPECT_TRUE(r.Exhausted());
}

TEST(WhereSearch, RandomGivesUpOnAnEmptyRegionInsteadOfLooping) {
  SearchSpace s;
  s.params.push_back(MakeParam("x", Distribution::kUniform, 0, 1));
  s.where = std::get<std::shared_ptr<const WhereExpr>>(WhereExpr::Parse("x > 2"));
  RandomSearch r(s, {});
  EXPECT_TRUE(r.Suggest(3, {}).empty());
  EXPECT_TRUE(r.Exhausted());
}

}  // namespace
}  // namespace sweep

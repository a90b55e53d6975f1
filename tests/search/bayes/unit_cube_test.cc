#include "search/bayes/unit_cube.h"

#include <gtest/gtest.h>

#include <cmath>

#include "tests/search/bayes/space_fixtures.h"

namespace sweep {
namespace {

using testing::MakeCategorical;
using testing::MakeParam;

SearchSpace MixedSpace() {
  SearchSpace s;
  Parameter c = MakeParam("const", Distribution::kConstant);
  c.value = "fixed";
  s.params.push_back(c);
  s.params.push_back(MakeParam("u", Distribution::kUniform, -2, 6));
  s.params.push_back(MakeParam("lr", Distribution::kLogUniformValues, 1e-5, 1e-1));
  s.params.push_back(MakeParam("ll", Distribution::kLogUniform, std::log(1e-3), std::log(10.0)));
  Parameter n = MakeParam("n", Distribution::kIntUniform, 1, 4);
  n.integer = true;
  s.params.push_back(n);
  Parameter q = MakeParam("q", Distribution::kQUniform, 0, 1);
  q.q = 0.3;
  s.params.push_back(q);
  Parameter nrm = MakeParam("w", Distribution::kNormal);
  nrm.mu = 2;
  nrm.sigma = 3;
  s.params.push_back(nrm);
  s.params.push_back(MakeCategorical("opt", {"sgd", "adam", 3}));
  return s;
}

TEST(UnitCube, DropsConstantsAndOneHotEncodesCategoricals) {
  UnitCube cube(MixedSpace());
  EXPECT_EQ(cube.ParamDims(), 7u);
  EXPECT_EQ(cube.ModelDims(), 9u);
  ASSERT_EQ(cube.CategoricalBlocks().size(), 1u);
  EXPECT_EQ(cube.CategoricalBlocks()[0], std::make_pair(6, 3));
  Eigen::VectorXd u = Eigen::VectorXd::Constant(7, 0.5);
  Config c = cube.Decode(cube.FromParamUnit(u));
  EXPECT_EQ(c[0], "fixed");
  EXPECT_EQ(c[7], "adam");
}

TEST(UnitCube, RoundTripsEveryConfigurationThroughTheCube) {
  UnitCube cube(MixedSpace());
  Config c = {"fixed", 1.25, 3e-4, 0.02, 3, 0.6, -1.5, 3};
  Config back = cube.Decode(cube.Encode(c));
  EXPECT_EQ(back[0], "fixed");
  EXPECT_NEAR(back[1].get<double>(), 1.25, 1e-12);
  EXPECT_NEAR(back[2].get<double>(), 3e-4, 1e-15);
  EXPECT_NEAR(back[3].get<double>(), 0.02, 1e-14);
  EXPECT_EQ(back[4], 3);
  EXPECT_TRUE(back[4].is_number_integer());
  EXPECT_NEAR(back[5].get<double>(), 0.6, 1e-12);
  EXPECT_NEAR(back[6].get<double>(), -1.5, 1e-9);
  EXPECT_EQ(back[7], 3);
}

TEST(UnitCube, WarpsLogScaleParametersToLogSpace) {
  UnitCube cube(MixedSpace());
  Eigen::VectorXd u = Eigen::VectorXd::Constant(7, 0.5);
  Config c = cube.Decode(cube.FromParamUnit(u));
  EXPECT_NEAR(c[2].get<double>(), 1e-3, 1e-12);             // geometric midpoint
  EXPECT_NEAR(c[3].get<double>(), std::sqrt(1e-2), 1e-12);  // log bounds are natural logs
  EXPECT_NEAR(c[6].get<double>(), 2.0, 1e-9);               // normal: median at u = 0.5
}

TEST(UnitCube, IntegersOwnEqualBinsAndSnapToTheirCentres) {
  UnitCube cube(MixedSpace());
  std::vector<int> counts(5, 0);
  for (int i = 0; i < 400; ++i) {
    Eigen::VectorXd u = Eigen::VectorXd::Constant(7, 0.5);
    u[3] = (i + 0.5) / 400.0;
    Eigen::VectorXd x = cube.FromParamUnit(u);
    int v = cube.Decode(x)[4].get<int>();
    ASSERT_GE(v, 1);
    ASSERT_LE(v, 4);
    counts[v]++;
    EXPECT_DOUBLE_EQ(cube.Snap(x)[3], (v - 1 + 0.5) / 4.0);
  }
  for (int v = 1; v <= 4; ++v) EXPECT_EQ(counts[v], 100);
}

TEST(UnitCube, QuantizedValuesStayOnTheGridInsideTheRange) {
  UnitCube cube(MixedSpace());
  for (double u4 : {0.0, 0.2, 0.49, 0.51, 0.97, 1.0}) {
    Eigen::VectorXd u = Eigen::VectorXd::Constant(7, 0.5);
    u[4] = u4;
    double v = cube.Decode(cube.FromParamUnit(u))[5].get<double>();
    EXPECT_GE(v, 0.0);
    EXPECT_LE(v, 1.0);
    EXPECT_NEAR(std::remainder(v, 0.3), 0.0, 1e-9) << v;
  }
}

TEST(UnitCube, EnumeratesFiniteSpacesWithoutRepeats) {
  SearchSpace s;
  Parameter n = MakeParam("n", Distribution::kIntUniform, 0, 2);
  n.integer = true;
  s.params.push_back(n);
  s.params.push_back(MakeCategorical("c", {"a", "b"}));
  Parameter q = MakeParam("q", Distribution::kQUniform, 0, 1);
  q.q = 0.5;
  s.params.push_back(q);
  UnitCube cube(s);
  ASSERT_TRUE(cube.Finite());
  ASSERT_EQ(cube.CountIfFinite(1000), 18u);
  std::set<std::string> keys;
  for (size_t i = 0; i < 18; ++i) keys.insert(ConfigKey(cube.Decode(cube.EnumeratePoint(i))));
  EXPECT_EQ(keys.size(), 18u);
  EXPECT_EQ(cube.CountIfFinite(10), 0u);
  EXPECT_FALSE(UnitCube(MixedSpace()).Finite());
}

TEST(UnitCube, InverseNormalCdfInvertsTheCdf) {
  for (double p : {1e-12, 1e-6, 0.01, 0.3, 0.5, 0.77, 0.999, 1 - 1e-9})
    EXPECT_NEAR(NormalCdf(InvNormalCdf(p)) / p, 1.0, 1e-9) << p;
}

}  // namespace
}  // namespace sweep

namespace sweep {
namespace {

TEST(UnitCube, RangesWiderThanTheLargestDoubleDecodeInsideTheirBounds) {
  SearchSpace s;
  s.params.push_back(testing::MakeParam("w", Distribution::kUniform, -1e308, 1e308));
  UnitCube cube(s);
  for (double u : {0.0, 1e-9, 0.25, 0.5, 0.75, 1.0 - 1e-12, 1.0}) {
    Eigen::VectorXd x = Eigen::VectorXd::Constant(1, u);
    double v = cube.Decode(cube.FromParamUnit(x))[0].get<double>();
    EXPECT_TRUE(std::isfinite(v)) << u;
    EXPECT_GE(v, -1e308) << u;
    EXPECT_LE(v, 1e308) << u;
  }
  EXPECT_NEAR(cube.Decode(cube.FromParamUnit(Eigen::VectorXd::Constant(1, 0.75)))[0].get<double>(),
              0.5e308, 1e293);
  // And back: a value maps to its fraction of the range, not to 0 (inf span).
  EXPECT_NEAR(cube.Encode({0.5e308})[0], 0.75, 1e-12);
}

}  // namespace
}  // namespace sweep

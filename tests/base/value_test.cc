#include "base/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace sweep {
namespace {

TEST(FormatPythonFloat, MatchesPythonRepr) {
  EXPECT_EQ(FormatPythonFloat(0.1), "0.1");
  EXPECT_EQ(FormatPythonFloat(1e-05), "1e-05");
  EXPECT_EQ(FormatPythonFloat(0.0001), "0.0001");
  EXPECT_EQ(FormatPythonFloat(100.0), "100.0");
  EXPECT_EQ(FormatPythonFloat(1e16), "1e+16");
  EXPECT_EQ(FormatPythonFloat(1234567890123456.0), "1234567890123456.0");
  EXPECT_EQ(FormatPythonFloat(-2.5), "-2.5");
  EXPECT_EQ(FormatPythonFloat(1.0 / 3), "0.3333333333333333");
  EXPECT_EQ(FormatPythonFloat(0.0), "0.0");
  EXPECT_EQ(FormatPythonFloat(std::numeric_limits<double>::infinity()), "inf");
  EXPECT_EQ(FormatPythonFloat(std::nan("")), "nan");
  EXPECT_EQ(FormatPythonFloat(1.5e-7), "1.5e-07");
}

TEST(FormatPython, FormatsLikePythonStr) {
  EXPECT_EQ(FormatPython(Value(true)), "True");
  EXPECT_EQ(FormatPython(Value(nullptr)), "None");
  EXPECT_EQ(FormatPython(Value(42)), "42");
  EXPECT_EQ(FormatPython(Value("; rm -rf ~")), "; rm -rf ~");
  Value nested = Value::object();
  nested["lr"] = 0.001;
  nested["name"] = "adam";
  nested["betas"] = Value::array({0.9, 0.999});
  EXPECT_EQ(FormatPython(nested), "{'lr': 0.001, 'name': 'adam', 'betas': [0.9, 0.999]}");
}

}  // namespace
}  // namespace sweep

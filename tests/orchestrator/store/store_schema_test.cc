#include "orchestrator/store/store_schema.h"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "test_paths.h"

namespace sweep {
namespace {

TEST(StoreSchema, DocumentedFileMatchesTheEmbeddedMigrations) {
  std::ifstream in(std::string(SWEEP_SOURCE_DIR) + "/schemas/store.sql");
  ASSERT_TRUE(in.good());
  std::stringstream text;
  text << in.rdbuf();
  std::string embedded;
  for (const auto& step : StoreMigrations()) embedded += step;
  EXPECT_EQ(text.str(), embedded);
}

TEST(StoreSchema, EachStepStartsWithItsVersionComment) {
  const auto& steps = StoreMigrations();
  ASSERT_FALSE(steps.empty());
  for (size_t i = 0; i < steps.size(); ++i) {
    EXPECT_EQ(steps[i].rfind("-- Version " + std::to_string(i + 1) + ":", 0), 0u) << i;
  }
}

}  // namespace
}  // namespace sweep

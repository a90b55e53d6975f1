// A real SQLite store filled with one small, known sweep, for the dashboard's tests.
#pragma once

#include <memory>
#include <string>

#include "orchestrator/store/trial_store.h"
#include "tests/testing/temp_dir.h"

namespace sweep::testing {

// Sweep "swp001" (metric "loss", minimize) with 12 trials swp001-0 .. swp001-11:
// params lr = 10^-(1 + i%4), optimizer in {adam, sgd, rmsprop}, layers = 1 + i%3;
// trials 0..8 finished with loss = (i - 5)^2 + 1 (so trial 5 is best, loss 1),
// 9 failed (exit 1, no value), 10 running, 11 queued. Each finished trial reports
// `loss` at steps 0..199 and `acc` at steps 0..199; trial 3 also has 5000 points of
// `grad_norm` with one NaN. Each trial folder holds stdout.log (300 numbered lines),
// stderr.log and out/model.txt. A second sweep "swp002" (no metric) has one trial.
struct UiStoreFixture {
  UiStoreFixture();
  TempDir dir;
  std::string root;                   // the store folder
  std::unique_ptr<TrialStore> store;  // open read-write
};

}  // namespace sweep::testing

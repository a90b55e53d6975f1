// Builds the fixture store through the public TrialStore interface, as the controller
// would: one Commit per sweep, then the trial folders' files.
#include "tests/testing/ui_store_fixture.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>

namespace sweep::testing {

UiStoreFixture::UiStoreFixture() {
  root = dir.Join("store");
  auto opened = OpenStore(root, {});
  if (!opened.ok()) {
    ADD_FAILURE() << opened.status().message();
    return;
  }
  store = std::move(*opened);
  WriteBatch b;
  SweepRecord s;
  s.id = "swp001";
  s.name = "fixture";
  s.method = "random";
  s.metric = "loss";
  s.goal = "minimize";
  s.seed = 3;
  s.status = SweepStatus::kRunning;
  s.created_at = 1700000000;
  s.options.max_trials = 20;
  s.space = Value::array({{{"name", "lr"}, {"scale", "log"}}});
  b.sweeps.push_back(s);
  const char* opts[] = {"adam", "sgd", "rmsprop"};
  for (int i = 0; i < 12; ++i) {
    TrialRecord t;
    t.id = "swp001-" + std::to_string(i);
    t.sweep_id = s.id;
    t.number = i;
    t.suggestion = i;
    t.params = {
        {"lr", std::pow(10.0, -(1 + i % 4))}, {"optimizer", opts[i % 3]}, {"layers", 1 + i % 3}};
    t.trial_dir = root + "/trials/" + t.id;
    t.created_at = 1700000000 + i;
    t.started_at = t.created_at + 1;
    if (i <= 8) {
      t.status = TrialStatus::kFinished;
      t.ended_at = t.started_at + 10 + i;
      t.exit_code = 0;
      double loss = (i - 5) * (i - 5) + 1.0;
      t.value = loss;
      t.metric_reported = true;
      t.summary = {
          {"loss", {{"last", loss}, {"min", loss}, {"max", loss + 10}, {"count", 200}}},
          {"acc", {{"last", 1.0 / loss}, {"min", 0.0}, {"max", 1.0 / loss}, {"count", 200}}}};
      for (int step = 0; step < 200; ++step) {
        b.points.push_back({t.id, "loss", step, loss + 10.0 * (199 - step) / 199.0, 1.0 * step});
        b.points.push_back({t.id, "acc", step, step / 199.0 / loss, 1.0 * step});
      }
      if (i == 3) {
        for (int step = 0; step < 5000; ++step) {
          double v = step == 77 ? NAN : std::sin(step / 100.0);
          b.points.push_back({t.id, "grad_norm", step, v, 1.0 * step});
        }
      }
    } else if (i == 9) {
      t.status = TrialStatus::kFailed;
      t.exit_code = 1;
      t.reason = "exit code 1";
      t.ended_at = t.started_at + 2;
      t.stderr_tail = "Traceback: boom\n";
    } else if (i == 10) {
      t.status = TrialStatus::kRunning;
    } else {
      t.status = TrialStatus::kQueued;
      t.started_at = 0;
    }
    b.trials.push_back(t);
    std::filesystem::create_directories(t.trial_dir + "/out");
    std::ofstream(t.trial_dir + "/out/model.txt") << "weights of " << t.id << "\n";
    std::ofstream out(t.trial_dir + "/stdout.log");
    for (int line = 0; line < 300; ++line) out << "line " << line << " of " << t.id << "\n";
    std::ofstream(t.trial_dir + "/stderr.log") << "warning: " << t.id << "\n";
  }
  SweepRecord s2 = s;
  s2.id = "swp002";
  s2.metric = "";
  s2.status = SweepStatus::kFinished;
  s2.created_at = 1700000100;
  s2.ended_at = 1700000200;
  b.sweeps.push_back(s2);
  TrialRecord t2;
  t2.id = "swp002-0";
  t2.sweep_id = "swp002";
  t2.status = TrialStatus::kFinished;
  t2.params = {{"x", 1}};
  b.trials.push_back(t2);
  Status st = store->Commit(b);
  if (!st.ok()) ADD_FAILURE() << st.message();
}

}  // namespace sweep::testing

// A shared fixture for the read-command tests: a FakeStore holding two sweeps, the
// newer with six trials in every interesting state (finished, failed with a stderr
// tail and a shell-hostile param, NaN value, running, queued, stopped by a signal),
// a pinned clock, a temporary folder for trial logs, and helpers that check JSON
// shapes and read CSV independently of the code under test.
#pragma once

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <limits>
#include <sstream>
#include <string>
#include <vector>

#include "orchestrator/report/read_commands.h"
#include "tests/testing/fake_store.h"

namespace sweep::readtest {

namespace fs = std::filesystem;

inline constexpr double kT0 = 1700000000;  // 2023-11-14T22:13:20Z

enum class J {
  kString,
  kNumber,
  kInteger,
  kBool,
  kObject,
  kArray,
  kNull,
  kNumberOrNull,
  kStringOrNull,
  kIntegerOrNull,
  kObjectOrNull,
  kValue
};

inline bool HasType(const Value& v, J type) {
  switch (type) {
    case J::kString:
      return v.is_string();
    case J::kNumber:
      return v.is_number();
    case J::kInteger:
      return v.is_number_integer();
    case J::kBool:
      return v.is_boolean();
    case J::kObject:
      return v.is_object();
    case J::kArray:
      return v.is_array();
    case J::kNull:
      return v.is_null();
    case J::kNumberOrNull:
      return v.is_number() || v.is_null();
    case J::kStringOrNull:
      return v.is_string() || v.is_null();
    case J::kIntegerOrNull:
      return v.is_number_integer() || v.is_null();
    case J::kObjectOrNull:
      return v.is_object() || v.is_null();
    // value: a number, "NaN" / "Infinity" / "-Infinity", or null.
    case J::kValue:
      return v.is_number() || v.is_null() ||
             (v.is_string() && (v == "NaN" || v == "Infinity" || v == "-Infinity"));
  }
  return false;
}

inline void ExpectShape(const Value& obj, const std::vector<std::pair<std::string, J>>& keys) {
  ASSERT_TRUE(obj.is_object()) << obj.dump();
  for (const auto& [key, type] : keys) {
    ASSERT_TRUE(obj.contains(key)) << "missing key " << key << " in " << obj.dump();
    EXPECT_TRUE(HasType(obj[key], type)) << "key " << key << " has " << obj[key].dump();
  }
}

// An RFC 4180 reader, independent of the writer under test.
inline std::vector<std::vector<std::string>> ParseCsv(const std::string& text) {
  std::vector<std::vector<std::string>> rows(1);
  std::string field;
  bool quoted = false, at_start = true;
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c == '"' && at_start) {
      quoted = true;
      at_start = false;
    } else if (c == ',') {
      rows.back().push_back(field);
      field.clear();
      at_start = true;
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      rows.back().push_back(field);
      field.clear();
      rows.emplace_back();
      at_start = true;
      ++i;
    } else {
      field += c;
      at_start = false;
    }
  }
  if (rows.back().empty()) rows.pop_back();
  return rows;
}

class ReadCommandsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/sweep_read_XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;

    SweepRecord old;
    old.id = "def456";
    old.name = "older";
    old.method = "grid";
    old.metric = "loss";
    old.goal = "minimize";
    old.status = SweepStatus::kFinished;
    old.created_at = kT0 - 1000;
    old.ended_at = kT0 - 900;
    store_.PutSweep(old);

    SweepRecord s;
    s.id = "abc123";
    s.name = "mnist";
    s.method = "random";
    s.metric = "val_loss";
    s.goal = "minimize";
    s.status = SweepStatus::kRunning;
    s.options.max_trials = 10;
    s.options.workers = 2;
    s.created_at = kT0;
    store_.PutSweep(s);

    Add(0, TrialStatus::kFinished, 0.3, {{"lr", 0.01}, {"opt.name", "adam"}, {"batch", 32}});
    trials_[0].exit_code = 0;
    trials_[0].summary = {
        {"val_loss", {{"last", 0.3}, {"min", 0.25}, {"max", 0.9}, {"count", 10}, {"last_step", 9}}},
        {"acc", {{"last", 0.91}, {"min", 0.5}, {"max", 0.93}, {"count", 10}, {"last_step", 9}}}};
    trials_[0].argv = {"python", "train.py", "--opt.name=adam", "--lr=0.01"};
    trials_[0].host = "node1";
    trials_[0].agent = "local";
    trials_[0].slot = 1;
    trials_[0].gpus = "1";

    Add(1, TrialStatus::kFailed, std::nullopt,
        {{"lr", 0.1}, {"opt.name", "; rm -rf ~ $(reboot)"}, {"batch", 32}});
    trials_[1].exit_code = 1;
    trials_[1].reason = "exit code 1";
    trials_[1].stderr_tail = "Traceback (most recent call last):\nValueError: bad lr\n";
    trials_[1].argv = {"python", "train.py", "--opt.name=; rm -rf ~ $(reboot)"};

    Add(2, TrialStatus::kFinished, std::numeric_limits<double>::quiet_NaN(),
        {{"lr", 1.0}, {"opt.name", "sgd"}, {"batch", 64}});
    trials_[2].exit_code = 0;
    trials_[2].summary = {{"val_loss", {{"last", nullptr}, {"count", 3}}}};

    Add(3, TrialStatus::kRunning, 0.2, {{"lr", 0.001}, {"opt.name", "adam"}, {"batch", 64}});
    trials_[3].ended_at = 0;
    trials_[3].summary = {{"val_loss", {{"last", 0.2}, {"count", 2}}}};

    Add(4, TrialStatus::kQueued, std::nullopt, {{"lr", 0.5}, {"opt.name", "adam"}, {"batch", 16}});
    trials_[4].started_at = trials_[4].ended_at = 0;

    Add(5, TrialStatus::kStopped, std::nullopt, {{"lr", 0.2}, {"opt.name", "sgd"}, {"batch", 16}});
    trials_[5].signal = 15;
    trials_[5].reason = "early-terminated (hyperband)";

    for (const auto& t : trials_) store_.PutTrial(t);
  }

  void TearDown() override { fs::remove_all(dir_); }

  void Add(uint64_t n, TrialStatus status, std::optional<double> value, Value params) {
    TrialRecord t;
    t.sweep_id = "abc123";
    t.id = "abc123-" + std::to_string(n);
    t.number = n;
    t.suggestion = n;
    t.status = status;
    t.value = value;
    t.params = std::move(params);
    t.created_at = kT0 + n;
    t.started_at = kT0 + 10 + n;
    t.ended_at = kT0 + 70 + n;
    t.trial_dir = dir_ + "/trials/" + t.id;
    trials_.push_back(t);
  }

  ReadContext Ctx(bool json = false) {
    ReadContext ctx{store_, out_, err_};
    ctx.json = json;
    ctx.now = [] { return kT0 + 192; };
    return ctx;
  }

  Value ParseOut() {
    Value v = Value::parse(out_.str(), nullptr, /*allow_exceptions=*/false);
    EXPECT_FALSE(v.is_discarded()) << out_.str();
    return v;
  }

  void WriteLog(const std::string& trial, const std::string& name, const std::string& text,
                bool append = false) {
    fs::create_directories(dir_ + "/trials/" + trial);
    std::ofstream f(dir_ + "/trials/" + trial + "/" + name,
                    std::ios::binary | (append ? std::ios::app : std::ios::trunc));
    f << text;
  }

  FakeStore store_;
  std::vector<TrialRecord> trials_;
  std::ostringstream out_, err_;
  std::string dir_;
};

}  // namespace sweep::readtest

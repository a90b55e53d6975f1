// The dashboard's JSON API over a real SQLite store (UiApi::Handle, no sockets; the
// HTTP layer is tested in ui_server_test.cc).
#include "orchestrator/ui/ui_api.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "orchestrator/controller/sweep_lock.h"
#include "orchestrator/store/controller_probe.h"
#include "tests/testing/ui_store_fixture.h"

namespace sweep {
namespace {

class UiApiTest : public ::testing::Test {
 protected:
  static UiApiOptions Inline() {
    UiApiOptions o;
    o.background = false;
    return o;
  }
  UiApiTest() : api_(*fx_.store, Inline()) {}

  Value Get(const std::string& target, int want = 200) {
    UiResponse r = api_.Handle({"GET", target, ""});
    EXPECT_EQ(r.status, want) << target << " -> " << r.body;
    Value v = Value::parse(r.body, nullptr, false);
    EXPECT_FALSE(v.is_discarded()) << r.body;
    return v;
  }
  UiResponse Post(const std::string& target, const std::string& body) {
    return api_.Handle({"POST", target, body});
  }

  testing::UiStoreFixture fx_;
  UiApi api_;
};

TEST_F(UiApiTest, SweepsListShowsProgressCountsAndBest) {
  Value v = Get("/api/sweeps");
  ASSERT_EQ(v["sweeps"].size(), 2u);
  Value s;
  for (const Value& x : v["sweeps"])
    if (x["id"] == "swp001") s = x;
  ASSERT_TRUE(s.is_object());
  EXPECT_EQ(s["status"], "running");
  EXPECT_EQ(s["trials"], 12);
  EXPECT_EQ(s["counts"]["finished"], 9);
  EXPECT_EQ(s["counts"]["failed"], 1);
  EXPECT_EQ(s["done"], 10);
  EXPECT_EQ(s["planned"], 20);
  EXPECT_EQ(s["best"]["trial_id"], "swp001-5");
  EXPECT_EQ(s["best"]["value"], 1.0);
}

TEST_F(UiApiTest, SweepDetailListsParamsWithTheirKindsAndMetrics) {
  Value v =
      Get("/api/sweeps/swp00"
          "1");
  EXPECT_EQ(v["metric"], "loss");
  EXPECT_EQ(v["goal"], "minimize");
  ASSERT_EQ(v["params"].size(), 3u);
  std::map<std::string, Value> p;
  for (const Value& x : v["params"]) p[x["name"]] = x;
  EXPECT_TRUE(p["lr"]["log"].get<bool>());
  EXPECT_TRUE(p["optimizer"]["categorical"].get<bool>());
  EXPECT_FALSE(p["layers"]["categorical"].get<bool>());
  EXPECT_EQ(v["metrics"], Value::array({"acc", "loss"}));
  Get("/api/sweeps/nope", 404);
}

TEST_F(UiApiTest, TrialPageSortsByValueWithMissingValuesLast) {
  Value v = Get("/api/sweeps/swp001/trials?sort=value&order=asc&limit=20");
  ASSERT_EQ(v["rows"].size(), 12u);
  EXPECT_EQ(v["rows"][0]["id"], "swp001-5");
  EXPECT_EQ(v["rows"][0]["best"], true);
  for (size_t i = 1; i < 9; ++i) {
    EXPECT_LE(v["rows"][i - 1]["value"].get<double>(), v["rows"][i]["value"].get<double>());
  }
  for (size_t i = 9; i < 12; ++i) EXPECT_TRUE(v["rows"][i]["value"].is_null());
  Value d = Get("/api/sweeps/swp001/trials?sort=value&order=desc&limit=3");
  EXPECT_EQ(d["rows"][0]["value"], 26.0);  // trial 0: (0 - 5)^2 + 1
  EXPECT_EQ(d["rows"][0]["id"], "swp001-0");
}

TEST_F(UiApiTest, TrialPagePagesFiltersAndSortsByParam) {
  Value v = Get("/api/sweeps/swp001/trials?offset=10&limit=5");
  EXPECT_EQ(v["total"], 12);
  ASSERT_EQ(v["rows"].size(), 2u);
  EXPECT_EQ(v["rows"][0]["number"], 10);
  Value f = Get("/api/sweeps/swp001/trials?status=failed,queued");
  EXPECT_EQ(f["matched"], 2);
  Value q = Get("/api/sweeps/swp001/trials?q=RMSPROP");
  EXPECT_EQ(q["matched"], 4);  // trials 2, 5, 8, 11
  Value p = Get("/api/sweeps/swp001/trials?sort=param%3Aoptimizer&limit=12");
  EXPECT_EQ(p["rows"][0]["params"]["optimizer"], "adam");
  EXPECT_EQ(p["rows"][11]["params"]["optimizer"], "sgd");
  Value m = Get("/api/sweeps/swp001/trials?sort=metric:acc&order=desc&limit=1");
  EXPECT_EQ(m["rows"][0]["id"], "swp001-5");
  Value bad = Get("/api/sweeps/swp001/trials?sort=bogus", 400);
  EXPECT_NE(bad["error"].get<std::string>().find("bogus"), std::string::npos);
}

TEST_F(UiApiTest, ColumnsCarryTheRunningBestAndCategoryIndices) {
  Value v = Get("/api/sweeps/swp001/columns");
  ASSERT_EQ(v["numbers"].size(), 12u);
  std::vector<double> want = {26, 17, 10, 5, 2, 1, 1, 1, 1};
  for (size_t i = 0; i < want.size(); ++i) EXPECT_EQ(v["best"][i], want[i]) << i;
  EXPECT_EQ(v["best"][11], 1.0);
  EXPECT_TRUE(v["values"][9].is_null());
  for (const Value& p : v["params"]) {
    if (p["name"] != "optimizer") continue;
    EXPECT_EQ(p["categories"], Value::array({"adam", "rmsprop", "sgd"}));
    EXPECT_EQ(p["values"][1], 2);  // sgd
  }
}

TEST_F(UiApiTest, ImportanceNamesEveryParamOrExplainsWhyNot) {
  Value v = Get("/api/sweeps/swp001/importance");
  EXPECT_EQ(v["trials"], 9);
  ASSERT_EQ(v["params"].size(), 3u);
  double sum = 0;
  for (const Value& p : v["params"]) sum += p["importance"].get<double>();
  EXPECT_TRUE(sum == 0 || std::abs(sum - 1) < 1e-9);
  Value none = Get("/api/sweeps/swp002/importance");
  EXPECT_TRUE(none["params"].empty());
  EXPECT_NE(none["note"].get<std::string>().find("target metric"), std::string::npos);
}

TEST_F(UiApiTest, CurvesAreDownsampledPerTrial) {
  Value v = Get("/api/sweeps/swp001/curves?trials=swp001-1,swp001-5&points=50");
  ASSERT_EQ(v["curves"].size(), 2u);
  EXPECT_EQ(v["metric"], "loss");
  for (const Value& c : v["curves"]) {
    EXPECT_EQ(c["raw"], 200);
    EXPECT_EQ(c["steps"].size(), 50u);
    EXPECT_EQ(c["steps"][0], 0);
    EXPECT_EQ(c["steps"][49], 199);
  }
  EXPECT_EQ(v["curves"][1]["values"][49], 1.0);
  Get("/api/sweeps/swp001/curves?trials=swp002-0", 404);
  Get("/api/sweeps/swp002/curves?trials=swp002-0", 400);  // no metric named, none targeted
}

TEST_F(UiApiTest, TrialDetailHasEverythingRecorded) {
  Value v = Get("/api/trials/swp001-9");
  EXPECT_EQ(v["status"], "failed");
  EXPECT_EQ(v["exit_code"], 1);
  EXPECT_EQ(v["reason"], "exit code 1");
  EXPECT_EQ(v["stderr_tail"], "Traceback: boom\n");
  EXPECT_TRUE(v["provenance"].is_null());
  std::vector<std::string> files;
  for (const Value& f : v["files"]["files"]) files.push_back(f["path"]);
  EXPECT_EQ(files, (std::vector<std::string>{"out/model.txt", "stderr.log", "stdout.log"}));
  Value t3 = Get("/api/trials/swp001-3");
  EXPECT_EQ(t3["metric_names"], Value::array({"acc", "grad_norm", "loss"}));
  EXPECT_EQ(t3["sweep"]["metric"], "loss");
  Get("/api/trials/zzz", 404);
}

TEST_F(UiApiTest, ProvenanceIsShownWhenRecorded) {
  std::ofstream(fx_.root + "/trials/swp001-2/provenance.json")
      << R"({"git": {"commit": "abc123", "dirty": true}})";
  Value v = Get("/api/trials/swp001-2");
  EXPECT_EQ(v["provenance"]["git"]["commit"], "abc123");
  std::ofstream(fx_.root + "/trials/swp001-2/provenance.json") << "{not json";
  Value bad = Get("/api/trials/swp001-2");
  EXPECT_TRUE(bad["provenance"].contains("error"));
}

TEST_F(UiApiTest, MetricSeriesAreDownsampledAndSkipNonFiniteValues) {
  Value v = Get("/api/trials/swp001-3/metrics?points=300");
  const Value& g = v["series"]["grad_norm"];
  EXPECT_EQ(g["raw"], 5000);
  EXPECT_EQ(g["non_finite"], 1);
  EXPECT_EQ(g["steps"].size(), 300u);
  EXPECT_EQ(v["series"]["loss"]["steps"].size(), 200u);
  Value one = Get("/api/trials/swp001-3/metrics?name=acc");
  EXPECT_EQ(one["series"].size(), 1u);
}

TEST_F(UiApiTest, LogsAreTailedAtALineBoundary) {
  Value v = Get("/api/trials/swp001-0/logs?stream=stdout&bytes=100");
  EXPECT_TRUE(v["truncated"].get<bool>());
  std::string text = v["text"];
  EXPECT_LE(text.size(), 100u);
  EXPECT_EQ(text.rfind("line 299 of swp001-0\n"), text.size() - 21);
  EXPECT_EQ(text.substr(0, 5), "line ");
  Value e = Get("/api/trials/swp001-0/logs?stream=stderr");
  EXPECT_EQ(e["text"], "warning: swp001-0\n");
  Get("/api/trials/swp001-0/logs?stream=../../sweep.db", 400);
}

TEST_F(UiApiTest, FilesAreServedOnlyFromInsideTheTrialFolder) {
  UiResponse ok = api_.Handle({"GET", "/api/trials/swp001-0/files/out/model.txt", ""});
  EXPECT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, "weights of swp001-0\n");
  EXPECT_EQ(ok.content_type.rfind("text/plain", 0), 0u);
  for (const char* bad : {"/api/trials/swp001-0/files/../../../sweep.db",
                          "/api/trials/swp001-0/files/..%2F..%2F..%2Fsweep.db",
                          "/api/trials/swp001-0/files/%2e%2e/swp001-1/stdout.log",
                          "/api/trials/swp001-0/files/out%00x", "/api/trials/swp001-0/files/%zz"}) {
    UiResponse r = api_.Handle({"GET", bad, ""});
    EXPECT_EQ(r.status, 400) << bad << " " << r.body;
  }
  std::filesystem::create_symlink(fx_.root + "/sweep.db", fx_.root + "/trials/swp001-0/db");
  UiResponse link = api_.Handle({"GET", "/api/trials/swp001-0/files/db", ""});
  EXPECT_EQ(link.status, 403);
  EXPECT_NE(link.body.find("symbolic link"), std::string::npos) << link.body;
  EXPECT_EQ(api_.Handle({"GET", "/api/trials/swp001-0/files/nope", ""}).status, 404);
}

// A trial that replaces its files with symlinks (to a secret outside the store, or
// to another file inside its own folder) gets refusals, never the linked content.
TEST_F(UiApiTest, SymlinksInATrialFolderAreNeverFollowed) {
  namespace fs = std::filesystem;
  const std::string dir = fx_.root + "/trials/swp001-1";
  const std::string secret = fx_.dir.Join("secret.txt");
  std::ofstream(secret) << "TOP-SECRET-CONTENT\n";
  fs::create_directories(fx_.dir.Join("elsewhere"));
  std::ofstream(fx_.dir.Join("elsewhere/secret.txt")) << "TOP-SECRET-CONTENT\n";
  fs::remove(dir + "/stdout.log");
  fs::create_symlink(secret, dir + "/stdout.log");
  fs::remove(dir + "/stderr.log");
  fs::create_symlink("out/model.txt", dir + "/stderr.log");  // a link inside the folder too
  fs::create_symlink(secret, dir + "/provenance.json");
  fs::create_symlink(fx_.dir.Join("elsewhere"), dir + "/linked");
  for (const char* target :
       {"/api/trials/swp001-1/logs?stream=stdout", "/api/trials/swp001-1/logs?stream=stderr",
        "/api/trials/swp001-1/files/stdout.log", "/api/trials/swp001-1/files/provenance.json",
        "/api/trials/swp001-1/files/linked/secret.txt"}) {
    UiResponse r = api_.Handle({"GET", target, ""});
    EXPECT_EQ(r.status, 403) << target << " " << r.body;
    EXPECT_EQ(r.body.find("TOP-SECRET"), std::string::npos) << target;
    EXPECT_NE(r.body.find("symbolic link"), std::string::npos) << target << " " << r.body;
  }
  Value t = Get("/api/trials/swp001-1");
  EXPECT_EQ(t.dump().find("TOP-SECRET"), std::string::npos);
  ASSERT_TRUE(t["provenance"].is_object()) << t["provenance"];
  EXPECT_NE(t["provenance"]["error"].get<std::string>().find("symbolic link"), std::string::npos);
  for (const Value& f : t["files"]["files"]) EXPECT_NE(f["path"], "linked/secret.txt");
  // A fifo planted as a log is refused at once, not waited on.
  fs::remove(dir + "/stdout.log");
  ASSERT_EQ(::mkfifo((dir + "/stdout.log").c_str(), 0644), 0);
  UiResponse fifo = api_.Handle({"GET", "/api/trials/swp001-1/logs?stream=stdout", ""});
  EXPECT_EQ(fifo.status, 403) << fifo.body;
  EXPECT_NE(fifo.body.find("not a regular file"), std::string::npos) << fifo.body;
  // The whole trial folder replaced by a link to a folder with a stdout.log.
  const std::string other = fx_.root + "/trials/swp001-2";
  fs::rename(other, fx_.dir.Join("moved"));
  fs::create_symlink(fx_.dir.Join("moved"), other);
  UiResponse folder = api_.Handle({"GET", "/api/trials/swp001-2/logs?stream=stdout", ""});
  EXPECT_EQ(folder.status, 403) << folder.body;
  EXPECT_EQ(api_.Handle({"GET", "/api/trials/swp001-2/files/out/model.txt", ""}).status, 403);
}

// The dashboard applies the CLI's rule for tags and notes (store/trial_labels.h).
TEST_F(UiApiTest, TagsAndNotesTheCliRefusesAreRefusedHereToo) {
  for (const char* body :
       {R"({"tags": [" "]})", R"({"tags": ["a,b"]})", R"({"tags": ["a\u0000b"]})",
        R"({"tags": ["<b>bold</b>"]})", R"({"tags": ["a b"]})", R"({"tags": ["tab\there"]})",
        R"({"tags": ["\u00a0"]})", R"({"tags": [""]})", R"({"tags": ["ok", "x\"y"]})"}) {
    UiResponse r = Post("/api/trials/swp001-4/tags", body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
    EXPECT_NE(r.body.find("invalid tag"), std::string::npos) << r.body;
  }
  std::string long_tag = "{\"tags\": [\"" + std::string(65, 'a') + "\"]}";
  EXPECT_EQ(Post("/api/trials/swp001-4/tags", long_tag).status, 400);
  EXPECT_TRUE(fx_.store->GetTags("swp001-4")->empty());
  for (const char* body : {R"({"text": "   \n\t "})", R"({"text": "nul \u0000 inside"})",
                           R"({"text": "bell \u0007"})"}) {
    UiResponse r = Post("/api/trials/swp001-4/notes", body);
    EXPECT_EQ(r.status, 400) << body << " " << r.body;
  }
  EXPECT_TRUE(fx_.store->GetNotes("swp001-4")->empty());
  // What the rule allows: unicode tags, and notes with markup kept as text.
  EXPECT_EQ(Post("/api/trials/swp001-4/tags", R"({"tags": ["größe", "v1.2-rc:3"]})").status, 200);
  EXPECT_EQ(Post("/api/trials/swp001-4/notes", R"({"text": "<b>x</b>\nline 2"})").status, 200);
  EXPECT_EQ((*fx_.store->GetNotes("swp001-4"))[0].text, "<b>x</b>\nline 2");
}

// A sweep recorded as running is shown as interrupted once its controller is gone;
// while a controller holds the lock it stays running.
TEST_F(UiApiTest, ASweepWhoseControllerIsGoneIsShownInterrupted) {
  {
    auto lock = SweepLock::Acquire(fx_.root, "swp001");
    ASSERT_TRUE(lock.ok()) << lock.status().message();
    Value live = Get("/api/sweeps/swp001");
    EXPECT_EQ(live["status"], "running");
    EXPECT_EQ(live["controller"]["running"], true);
    EXPECT_EQ(live["controller"]["pid"], static_cast<int>(::getpid()));
  }  // released, as the kernel does for a process killed with SIGKILL
  Value gone = Get("/api/sweeps/swp001");
  EXPECT_EQ(gone["status"], "interrupted");
  EXPECT_EQ(gone["controller"]["running"], false);
  std::string reason = gone["reason"];
  EXPECT_NE(reason.find("controller not running (pid " + std::to_string(::getpid()) + " on " +
                        LocalHostName() + ", last seen "),
            std::string::npos)
      << reason;
  EXPECT_NE(reason.find("sweep resume swp001"), std::string::npos) << reason;
  Value list = Get("/api/sweeps");
  for (const Value& s : list["sweeps"]) {
    if (s["id"] == "swp001") {
      EXPECT_EQ(s["status"], "interrupted");
    } else if (s["id"] == "swp002") {
      EXPECT_EQ(s["status"], "finished");
    }
  }
}

TEST_F(UiApiTest, NotesAndTagsAreAddedThroughTheStore) {
  UiResponse n = Post("/api/trials/swp001-4/notes", R"({"text": "looks overfit"})");
  ASSERT_EQ(n.status, 200) << n.body;
  UiResponse t = Post("/api/trials/swp001-4/tags", R"({"tags": ["keep", "baseline"]})");
  ASSERT_EQ(t.status, 200) << t.body;
  auto notes = fx_.store->GetNotes("swp001-4");
  ASSERT_TRUE(notes.ok());
  ASSERT_EQ(notes->size(), 1u);
  EXPECT_EQ((*notes)[0].text, "looks overfit");
  Value v = Value::parse(t.body);
  EXPECT_EQ(v["tags"], Value::array({"baseline", "keep"}));
  EXPECT_EQ(v["notes"][0]["text"], "looks overfit");
}

TEST_F(UiApiTest, BadRequestsGetClearErrors) {
  EXPECT_EQ(Post("/api/trials/swp001-4/notes", "{oops").status, 400);
  EXPECT_EQ(Post("/api/trials/swp001-4/notes", R"({"text": 5})").status, 400);
  EXPECT_EQ(Post("/api/trials/swp001-4/notes", R"({"text": ""})").status, 400);
  EXPECT_EQ(Post("/api/trials/swp001-4/tags", R"({"tags": []})").status, 400);
  EXPECT_EQ(Post("/api/trials/swp001-4/tags", R"({"tags": [1]})").status, 400);
  EXPECT_EQ(Post("/api/trials/nope/notes", R"({"text": "x"})").status, 404);
  EXPECT_EQ(Post("/api/sweeps", "").status, 405);
  EXPECT_EQ(api_.Handle({"GET", "/api/trials/swp001-4/notes", ""}).status, 405);
  EXPECT_EQ(api_.Handle({"GET", "/api/nothing", ""}).status, 404);
  EXPECT_EQ(
      api_.Handle({"GET", "/api/sweeps/swp001/trials?limit=99999999999999999999999", ""}).status,
      200);
  EXPECT_EQ(api_.Handle({"GET", "/api/sweeps/swp001/trials?q=%", ""}).status, 400);
}

TEST_F(UiApiTest, RunningSweepViewsRefreshAfterTheirMaxAge) {
  UiApiOptions o = Inline();
  o.view_max_age = std::chrono::milliseconds(0);
  UiApi fresh(*fx_.store, o);
  auto count = [&] {
    Value v = Value::parse(fresh.Handle({"GET", "/api/sweeps/swp001", ""}).body);
    return v["counts"].value("finished", 0);
  };
  EXPECT_EQ(count(), 9);
  auto t = fx_.store->GetTrial("swp001-10");
  ASSERT_TRUE(t.ok());
  t->status = TrialStatus::kFinished;
  t->value = 0.5;
  WriteBatch b;
  b.trials.push_back(*t);
  ASSERT_TRUE(fx_.store->Commit(b).ok());
  EXPECT_EQ(count(), 10);
  Value best = Value::parse(fresh.Handle({"GET", "/api/sweeps/swp001", ""}).body)["best"];
  EXPECT_EQ(best["trial_id"], "swp001-10");
}

TEST_F(UiApiTest, BackgroundReloadsServeTheOldViewUntilTheNewOneIsReady) {
  UiApiOptions o;  // background on
  o.view_max_age = std::chrono::milliseconds(0);
  UiApi api(*fx_.store, o);
  auto finished = [&] {
    Value v = Value::parse(api.Handle({"GET", "/api/sweeps/swp001", ""}).body);
    return v["counts"].value("finished", 0);
  };
  EXPECT_EQ(finished(), 9);
  auto t = fx_.store->GetTrial("swp001-11");
  ASSERT_TRUE(t.ok());
  t->status = TrialStatus::kFinished;
  t->value = 3.0;
  WriteBatch b;
  b.trials.push_back(*t);
  ASSERT_TRUE(fx_.store->Commit(b).ok());
  int seen = 0;
  for (int i = 0; i < 200 && seen != 10; ++i) {
    seen = finished();
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_EQ(seen, 10);
}

TEST_F(UiApiTest, ImportanceIsComputedInTheBackgroundAndThenServed) {
  UiApi api(*fx_.store);  // background on
  Value first = Value::parse(api.Handle({"GET", "/api/sweeps/swp001/importance", ""}).body);
  Value v = first;
  for (int i = 0; i < 250 && v.value("pending", false); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
    v = Value::parse(api.Handle({"GET", "/api/sweeps/swp001/importance", ""}).body);
  }
  EXPECT_FALSE(v.value("pending", false));
  EXPECT_EQ(v["params"].size(), 3u);
}

TEST(PercentDecode, DecodesEscapesAndRejectsBadOnes) {
  std::string out;
  EXPECT_TRUE(PercentDecode("a%20b+c", true, &out));
  EXPECT_EQ(out, "a b c");
  EXPECT_TRUE(PercentDecode("a+b", false, &out));
  EXPECT_EQ(out, "a+b");
  EXPECT_FALSE(PercentDecode("%2", false, &out));
  EXPECT_FALSE(PercentDecode("%g1", false, &out));
}

}  // namespace
}  // namespace sweep

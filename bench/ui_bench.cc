// ui_bench: latency of the dashboard's API over real HTTP on 127.0.0.1, against a
// real SQLite store of a large sweep (default 10,000 trials, 1,000,000 metric points).
//
//   ui_bench [--trials N] [--points-per-trial P] [--reps R] [--store DIR] [--keep]
//   ui_bench --build-only DIR [--trials N] [--points-per-trial P] [--running]
//
// The store is written through TrialStore::Commit (as the controller writes it):
// params lr (log-uniform), batch_size and optimizer (categorical), dropout, layers;
// curves `loss` and `acc` whose end depends on the params; a few failed trials, and a
// stdout.log per trial. Then a UiServer serves it on an ephemeral port and one
// keep-alive client times each route R times: p50, p95, max in milliseconds. The
// first request of each route (cold: it loads and caches the sweep view) is reported
// separately. With --build-only it only writes the store (the browser tests use it).
#include <unistd.h>

// Boost 1.74's Asio uses std::exchange without including <utility> (GCC 12).
#include <utility>
// (keep <utility> first)
#include <algorithm>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <random>
#include <thread>

#include "orchestrator/store/trial_store.h"
#include "orchestrator/ui/ui_server.h"

namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using Clock = std::chrono::steady_clock;
using sweep::Value;

struct Args {
  size_t trials = 10000;
  size_t points = 50;  // per metric per trial; 2 metrics
  size_t reps = 200;
  std::string store;
  bool build_only = false;
  bool keep = false;
  bool running = false;
};

int Build(const Args& a, const std::string& root) {
  auto opened = sweep::OpenStore(root, {});
  if (!opened.ok()) {
    std::cerr << opened.status().message() << "\n";
    return 1;
  }
  auto& store = **opened;
  std::mt19937_64 rng(42);
  std::uniform_real_distribution<double> u(0, 1);
  sweep::WriteBatch b;
  sweep::SweepRecord s;
  s.id = "bench1";
  s.name = "mlp-lr-search";
  s.method = "random";
  s.metric = "val_loss";
  s.goal = "minimize";
  s.seed = 7;
  s.status = a.running ? sweep::SweepStatus::kRunning : sweep::SweepStatus::kFinished;
  s.created_at = 1764100000;
  s.ended_at = a.running ? 0 : s.created_at + 3600;
  s.options.max_trials = a.trials + (a.running ? 5 : 0);
  s.space = Value::array({{{"name", "lr"}, {"scale", "log"}}});
  b.sweeps.push_back(s);
  const int batches[] = {16, 32, 64, 128};
  const char* opts[] = {"adam", "sgd", "rmsprop"};
  for (size_t i = 0; i < a.trials; ++i) {
    sweep::TrialRecord t;
    t.id = "bench1-" + std::to_string(i);
    t.sweep_id = s.id;
    t.number = i;
    t.suggestion = i;
    double lr = std::pow(10.0, -5 + 4 * u(rng));
    int batch = batches[static_cast<int>(u(rng) * 4) % 4];
    const char* opt = opts[static_cast<int>(u(rng) * 3) % 3];
    double dropout = 0.5 * u(rng);
    int layers = 1 + static_cast<int>(u(rng) * 4);
    t.params = {{"lr", lr},
                {"batch_size", batch},
                {"optimizer", opt},
                {"dropout", dropout},
                {"layers", layers}};
    t.trial_dir = root + "/trials/" + t.id;
    t.created_at = s.created_at + i * 0.3;
    t.started_at = t.created_at + 0.1;
    t.host = "bench";
    t.agent = "local";
    t.argv = {"python3", "train.py", "--lr=" + std::to_string(lr)};
    // Final loss: best near lr = 1e-3, adam a little better, dropout mildly helps.
    double final_loss = 0.05 + 0.4 * std::pow(std::log10(lr) + 3, 2) / 4 +
                        (std::strcmp(opt, "adam") == 0 ? 0 : 0.08) +
                        0.1 * (0.25 - dropout) * (0.25 - dropout) + 0.02 * u(rng);
    bool failed = i % 97 == 13;
    bool running = a.running && i + 3 >= a.trials;
    size_t n = failed ? a.points / 5 : a.points;
    double last = 0, acc_last = 0;
    for (size_t k = 0; k < n; ++k) {
      double frac = static_cast<double>(k) / std::max<size_t>(1, a.points - 1);
      double loss = final_loss + 2.0 * std::exp(-5 * frac) + 0.01 * u(rng);
      double acc = 1 - loss / 2.5;
      b.points.push_back({t.id, "val_loss", static_cast<int64_t>(k), loss, t.started_at + k});
      b.points.push_back({t.id, "acc", static_cast<int64_t>(k), acc, t.started_at + k});
      last = loss;
      acc_last = acc;
    }
    if (failed) {
      t.status = sweep::TrialStatus::kFailed;
      t.exit_code = 1;
      t.reason = "exit code 1";
      t.stderr_tail = "RuntimeError: CUDA out of memory\n";
    } else if (running) {
      t.status = sweep::TrialStatus::kRunning;
    } else {
      t.status = sweep::TrialStatus::kFinished;
      t.exit_code = 0;
      t.value = last;
    }
    if (!running) t.ended_at = t.started_at + 20 + 40 * u(rng);
    t.metric_reported = n > 0;
    if (n > 0) {
      t.summary = {{"val_loss", {{"last", last}, {"min", last}, {"max", last + 2}, {"count", n}}},
                   {"acc", {{"last", acc_last}, {"min", 0}, {"max", acc_last}, {"count", n}}}};
    }
    b.trials.push_back(std::move(t));
    if (b.points.size() >= 200000 || i + 1 == a.trials) {
      if (auto st = store.Commit(b); !st.ok()) {
        std::cerr << st.message() << "\n";
        return 1;
      }
      b.clear();
    }
  }
  // A log per trial for the logs panel (small, but real files).
  for (size_t i = 0; i < std::min<size_t>(a.trials, 200); ++i) {
    std::string dir = root + "/trials/bench1-" + std::to_string(i);
    std::filesystem::create_directories(dir);
    std::ofstream out(dir + "/stdout.log");
    for (size_t k = 0; k < a.points; ++k) out << "epoch " << k << " val_loss=...\n";
    std::ofstream(dir + "/stderr.log") << "";
  }
  return 0;
}

struct Client {
  asio::io_context ioc;
  beast::tcp_stream stream{ioc};
  beast::flat_buffer buf;
  std::string host;  // what a browser sends: the dashboard checks it (ui_access.h)
  explicit Client(int port) : host("127.0.0.1:" + std::to_string(port)) {
    stream.connect({asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port)});
  }
  // Returns milliseconds; aborts on a non-200 answer.
  double Get(const std::string& target) {
    auto t0 = Clock::now();
    http::request<http::empty_body> req{http::verb::get, target, 11};
    req.set(http::field::host, host);
    http::write(stream, req);
    http::response<http::string_body> res;
    http::read(stream, buf, res);
    double ms = std::chrono::duration<double, std::milli>(Clock::now() - t0).count();
    if (res.result_int() != 200) {
      std::cerr << target << " -> " << res.result_int() << " " << res.body().substr(0, 200) << "\n";
      std::exit(1);
    }
    last_bytes = res.body().size();
    last_body = res.body();
    return ms;
  }
  size_t last_bytes = 0;
  std::string last_body;
};

void Report(const std::string& name, Client& c, const std::vector<std::string>& targets,
            size_t reps) {
  double cold = c.Get(targets[0]);
  std::vector<double> ms;
  for (size_t r = 0; r < reps; ++r) ms.push_back(c.Get(targets[r % targets.size()]));
  std::sort(ms.begin(), ms.end());
  auto pct = [&](double p) {
    return ms[std::min(ms.size() - 1, static_cast<size_t>(p * ms.size()))];
  };
  std::printf("| %-34s | %8.2f | %7.2f | %7.2f | %7.2f | %9zu |\n", name.c_str(), cold, pct(0.5),
              pct(0.95), ms.back(), c.last_bytes);
}

}  // namespace

int main(int argc, char** argv) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string k = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (k == "--trials")
      a.trials = std::stoul(next());
    else if (k == "--points-per-trial")
      a.points = std::stoul(next());
    else if (k == "--reps")
      a.reps = std::stoul(next());
    else if (k == "--store")
      a.store = next();
    else if (k == "--build-only") {
      a.build_only = true;
      a.store = next();
    } else if (k == "--keep")
      a.keep = true;
    else if (k == "--running")
      a.running = true;
    else {
      std::cerr << "unknown argument " << k << "\n";
      return 2;
    }
  }
  bool temp = a.store.empty();
  if (temp)
    a.store = (std::filesystem::temp_directory_path() / ("ui_bench_" + std::to_string(::getpid())))
                  .string();
  bool exists = std::filesystem::exists(a.store + "/sweep.db");
  if (!exists) {
    auto t0 = Clock::now();
    if (int rc = Build(a, a.store); rc != 0) return rc;
    std::fprintf(stderr, "built %s: %zu trials, %zu points in %.1f s\n", a.store.c_str(), a.trials,
                 a.trials * a.points * 2, std::chrono::duration<double>(Clock::now() - t0).count());
  }
  if (a.build_only) return 0;

  sweep::StoreOptions so;
  so.create = false;
  auto store = sweep::OpenStore(a.store, so);
  if (!store.ok()) {
    std::cerr << store.status().message() << "\n";
    return 1;
  }
  auto server = sweep::UiServer::Bind(**store, "127.0.0.1", 0);
  if (!server.ok()) {
    std::cerr << server.status().message() << "\n";
    return 1;
  }
  std::thread th([&] { (*server)->Run(); });
  {
    Client c((*server)->port());
    std::printf(
        "| route (%zu trials, %zu points)%*s | cold ms  | p50 ms  | p95 ms  | max ms  | bytes     "
        "|\n",
        a.trials, a.trials * a.points * 2, 1, "");
    std::printf("|%s|\n", std::string(36, '-')
                              .append("|----------|---------|---------|---------|-----------")
                              .c_str());
    Report("GET /api/sweeps", c, {"/api/sweeps"}, a.reps);
    Report("GET /api/sweeps/ID", c, {"/api/sweeps/bench1"}, a.reps);
    Report("trials page, sort=number", c, {"/api/sweeps/bench1/trials?limit=50"}, a.reps);
    std::vector<std::string> pages;
    for (const char* sort :
         {"value", "param:lr", "param:optimizer", "metric:acc", "duration", "status"})
      for (const char* order : {"asc", "desc"})
        pages.push_back(std::string("/api/sweeps/bench1/trials?limit=50&offset=500&sort=") + sort +
                        "&order=" + order);
    Report("trials page, 12 sorts x 2 orders", c, pages, a.reps);
    Report("trials page, filter q=adam", c,
           {"/api/sweeps/bench1/trials?limit=50&q=adam&sort=value"}, a.reps);
    Report("columns (every trial)", c, {"/api/sweeps/bench1/columns"}, a.reps / 4 + 1);
    {
      // Importance is computed on a worker thread; time until it is ready, then serve it.
      auto t0 = Clock::now();
      do c.Get("/api/sweeps/bench1/importance");
      while (c.last_body.find("\"pending\"") != std::string::npos);
      std::printf("| importance ready after %8.1f ms (computed in the background) |\n",
                  std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
    }
    Report("importance", c, {"/api/sweeps/bench1/importance"}, a.reps / 4 + 1);
    std::string ids;
    for (int i = 0; i < 10; ++i)
      ids += (i ? "," : "") + std::string("bench1-") + std::to_string(i * 37);
    Report("curves, 10 trials", c,
           {"/api/sweeps/bench1/curves?metric=val_loss&points=400&trials=" + ids}, a.reps);
    Report("trial detail", c, {"/api/trials/bench1-5", "/api/trials/bench1-77"}, a.reps);
    Report("trial metrics", c, {"/api/trials/bench1-5/metrics?points=600"}, a.reps);
    Report("trial log tail", c, {"/api/trials/bench1-5/logs?stream=stdout"}, a.reps);
  }
  (*server)->Stop();
  th.join();
  if (temp && !a.keep) std::filesystem::remove_all(a.store);
  return 0;
}

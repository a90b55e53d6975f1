#include "agents/runtime/sys_metrics.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>

#include "agents/runtime/trial_runner.h"
#include "tests/agents/agents_test_util.h"

namespace sweep {
namespace {

TEST(ReadGroupUsage, SeesThisProcessGroup) {
  GroupUsage u = ReadGroupUsage(::getpgrp());
  EXPECT_GE(u.processes, 1);
  EXPECT_GT(u.rss_bytes, 1u << 20);
}

// A trial that burns CPU and holds ~60 MB for a second, sampled every 0.2 s.
TEST(TrialRunnerSysMetrics, BusyTrialReportsCpuAndResidentMemory) {
  boost::asio::io_context io;
  testing::TempDir dir;
  std::vector<ParsedPoint> points;
  bool ended = false;
  TrialRunner runner(io, {[&](const std::string&, std::vector<ParsedPoint> p) {
                            points.insert(points.end(), p.begin(), p.end());
                          },
                          [&](const std::string&, const TrialEnd&) { ended = true; }});
  TrialLaunch l;
  l.sweep_id = "s";
  l.trial_id = "t";
  l.argv = {"/usr/bin/python3", "-c",
            "import time\nb = bytearray(60 << 20)\nfor i in range(0, len(b), 4096): b[i] = 1\n"
            "t = time.time()\nwhile time.time() - t < 1.2: pass\n"};
  l.trial_dir = dir / "trial";
  l.system_metrics_interval_s = 0.2;
  runner.Start(l);
  ASSERT_TRUE(testing::RunUntil(
      io, [&] { return ended; }, 30));
  double max_cpu = 0, max_rss = 0;
  for (const auto& p : points) {
    if (p.name == "sys/cpu_percent") max_cpu = std::max(max_cpu, p.value);
    if (p.name == "sys/rss_mb") max_rss = std::max(max_rss, p.value);
  }
  // A busy loop, whatever share of a loaded machine it gets, is far above idle (~0).
  EXPECT_GT(max_cpu, 5.0);
  EXPECT_GT(max_rss, 50.0);
  EXPECT_LT(max_rss, 1000.0);
}

}  // namespace
}  // namespace sweep

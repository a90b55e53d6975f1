// /proc/<pid>/stat scan for a process group. Field 5 is the process group, 14 and 15
// user and system time in clock ticks, 24 the resident set in pages; the command
// name (field 2) may hold spaces and parentheses, so fields are counted after the
// last ')'. A trial's children stay in its group (subprocess.cc gives each trial its
// own group) unless they call setsid, which this cannot see.
#include "agents/runtime/sys_metrics.h"

#include <dirent.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <fstream>
#include <sstream>

#include "agents/runtime/subprocess.h"

namespace sweep {
namespace {
// Set once nvidia-smi could not be run: a machine without it never gets asked again.
std::atomic<bool> no_nvidia_smi{false};
}  // namespace

GroupUsage ReadGroupUsage(pid_t pgid) {
  GroupUsage u;
  DIR* d = ::opendir("/proc");
  if (!d) return u;
  static const long kPage = ::sysconf(_SC_PAGESIZE);
  while (dirent* e = ::readdir(d)) {
    if (!std::isdigit(static_cast<unsigned char>(e->d_name[0]))) continue;
    std::ifstream f(std::string("/proc/") + e->d_name + "/stat");
    std::string text;
    if (!std::getline(f, text)) continue;
    size_t close = text.rfind(')');
    if (close == std::string::npos) continue;
    std::istringstream in(text.substr(close + 2));
    std::vector<std::string> fields;  // fields[0] is field 3 (state)
    std::string tok;
    while (in >> tok && fields.size() < 23) fields.push_back(tok);
    if (fields.size() < 22) continue;
    try {
      if (std::stol(fields[2]) != pgid) continue;
      u.cpu_ticks += std::stoull(fields[11]) + std::stoull(fields[12]);
      u.rss_bytes += std::stoull(fields[21]) * static_cast<uint64_t>(kPage);
      ++u.processes;
    } catch (const std::exception&) {  // a malformed line: skip that process
    }
  }
  ::closedir(d);
  return u;
}

SysSampler::SysSampler(pid_t pgid, std::string gpus) : pgid_(pgid), gpus_(std::move(gpus)) {}

void SysSampler::BaselineAtSpawn(double wall) {
  have_prev_ = true;
  prev_ticks_ = 0;
  prev_wall_ = wall;
}

std::vector<ParsedPoint> SysSampler::Sample(int64_t step, double wall, bool emit) {
  std::vector<ParsedPoint> out;
  GroupUsage u = ReadGroupUsage(pgid_);
  if (u.processes == 0) return out;
  if (!emit) {
    have_prev_ = true;
    prev_ticks_ = u.cpu_ticks;
    prev_wall_ = wall;
    return out;
  }
  static const double kTicks = static_cast<double>(::sysconf(_SC_CLK_TCK));
  if (have_prev_ && wall > prev_wall_) {
    double cpu = (static_cast<double>(u.cpu_ticks - std::min(u.cpu_ticks, prev_ticks_)) / kTicks) /
                 (wall - prev_wall_) * 100.0;
    out.push_back({"sys/cpu_percent", step, cpu, wall});
  }
  have_prev_ = true;
  prev_ticks_ = u.cpu_ticks;
  prev_wall_ = wall;
  out.push_back({"sys/rss_mb", step, static_cast<double>(u.rss_bytes) / (1024.0 * 1024.0), wall});
  if (!gpus_.empty() && !no_nvidia_smi.load()) {
    auto q = RunCapture({"nvidia-smi", "--query-gpu=utilization.gpu,memory.used",
                         "--format=csv,noheader,nounits", "-i", gpus_},
                        5);
    if (q.ok()) {
      std::istringstream in(*q);
      std::string line;
      double util = 0, mem = 0;
      int n = 0;
      while (std::getline(in, line)) {
        size_t comma = line.find(',');
        if (comma == std::string::npos) continue;
        try {
          util += std::stod(line.substr(0, comma));
          mem += std::stod(line.substr(comma + 1));
          ++n;
        } catch (...) {
        }
      }
      if (n > 0) {
        out.push_back({"sys/gpu_util", step, util / n, wall});
        out.push_back({"sys/gpu_mem_mb", step, mem, wall});
      } else {
        gpus_.clear();  // not parseable: stop asking
      }
    } else {
      gpus_.clear();  // no nvidia-smi: stop asking, here and in every later trial
      no_nvidia_smi = true;
    }
  }
  return out;
}

}  // namespace sweep

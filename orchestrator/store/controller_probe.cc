// ProbeController: open the lock file read-only without following links, try a shared
// flock (LOCK_NB), read "PID HOST STARTED" and the mtime. A shared lock conflicts only
// with the controller's exclusive one, so two readers probing at once do not see each
// other as a controller.
#include "orchestrator/store/controller_probe.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <sstream>

namespace sweep {
namespace {

std::string IsoTime(double t) {
  if (!(t > 0) || !std::isfinite(t)) return "unknown";
  auto whole = static_cast<time_t>(std::floor(t));
  struct tm tm {};
  if (gmtime_r(&whole, &tm) == nullptr) return "unknown";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

double WallNow() {
  return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace

std::string SweepLockPath(const std::string& store_root, const std::string& sweep_id) {
  return store_root + "/locks/" + sweep_id + ".lock";
}

std::string LocalHostName() {
  char buf[256] = {0};
  if (::gethostname(buf, sizeof buf - 1) != 0) return "";
  return buf;
}

ControllerProbe ProbeController(const std::string& store_root, const std::string& sweep_id) {
  ControllerProbe p;
  std::string path = SweepLockPath(store_root, sweep_id);
  int fd = ::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return p;
  struct stat st {};
  char buf[512] = {0};
  ssize_t n = 0;
  bool held = false;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode)) {
    n = ::pread(fd, buf, sizeof buf - 1, 0);
    int rc;
    do {
      rc = ::flock(fd, LOCK_SH | LOCK_NB);
    } while (rc != 0 && errno == EINTR);
    held = rc != 0 && errno == EWOULDBLOCK;
    if (rc == 0) ::flock(fd, LOCK_UN);
  }
  ::close(fd);
  if (!S_ISREG(st.st_mode)) return p;
  std::istringstream in(std::string(buf, n > 0 ? static_cast<size_t>(n) : 0));
  in >> p.pid >> p.host >> p.started_at;
  if (p.pid < 0) p.pid = 0;
  if (p.host == "-") p.host.clear();
  p.last_seen = static_cast<double>(st.st_mtim.tv_sec) + st.st_mtim.tv_nsec / 1e9;
  p.other_host = !p.host.empty() && p.host != LocalHostName();
  if (held) {
    p.state = ControllerProbe::State::kRunning;
  } else if (p.other_host && WallNow() - p.last_seen < kControllerStaleSeconds) {
    p.state = ControllerProbe::State::kRunning;
  } else {
    p.state = ControllerProbe::State::kGone;
  }
  return p;
}

std::string ControllerGoneReason(const ControllerProbe& probe, const std::string& sweep_id) {
  std::string who;
  if (probe.pid > 0) who += "pid " + std::to_string(probe.pid);
  if (!probe.host.empty()) who += (who.empty() ? "on " : " on ") + probe.host;
  if (probe.last_seen > 0)
    who += (who.empty() ? "" : ", ") + ("last seen " + IsoTime(probe.last_seen));
  return "controller not running" + (who.empty() ? std::string() : " (" + who + ")") +
         ": sweep resume " + sweep_id;
}

}  // namespace sweep

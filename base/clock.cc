// The real clock reads std::chrono; the fake one keeps two numbers.
#include "base/clock.h"

namespace sweep {
namespace {

class SystemClock : public Clock {
 public:
  double WallSeconds() const override {
    return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch())
        .count();
  }
  std::chrono::steady_clock::time_point Steady() const override {
    return std::chrono::steady_clock::now();
  }
};

}  // namespace

const Clock& RealClock() {
  static const SystemClock clock;
  return clock;
}

std::chrono::steady_clock::time_point FakeClock::Steady() const {
  // A fixed, positive origin so that time_point arithmetic in callers never underflows.
  return std::chrono::steady_clock::time_point(std::chrono::hours(24)) +
         std::chrono::duration_cast<std::chrono::steady_clock::duration>(
             std::chrono::duration<double>(steady_));
}

void FakeClock::Advance(double seconds) {
  if (!(seconds > 0)) return;
  wall_ += seconds;
  steady_ += seconds;
}

}  // namespace sweep

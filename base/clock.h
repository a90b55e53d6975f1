// Clock: where code that needs "now" gets it, so tests can pin and advance time.
//
// Two readings, because they answer different questions: wall time (seconds since
// the Unix epoch) is what records store and users read; steady time never jumps
// with NTP or a changed date, so it measures durations and lease expiries. Code
// takes a `const Clock&` (or uses RealClock()) instead of calling std::chrono
// directly. Timers scheduled on an io_context still run on real time; a fake clock
// changes what code reads, not when handlers fire.
#pragma once

#include <chrono>

namespace sweep {

class Clock {
 public:
  virtual ~Clock() = default;
  // Seconds since the Unix epoch.
  virtual double WallSeconds() const = 0;
  // A monotonic reading: only differences between two readings mean anything.
  virtual std::chrono::steady_clock::time_point Steady() const = 0;
};

// The system's clocks. Thread-safe; lives for the whole program.
const Clock& RealClock();

// A clock that moves only when told to; starts at `wall` seconds since the epoch
// with its steady reading at a fixed origin. Not thread-safe: set it from the
// thread that reads it (or before starting others).
class FakeClock : public Clock {
 public:
  explicit FakeClock(double wall = 1700000000) : wall_(wall) {}
  double WallSeconds() const override { return wall_; }
  std::chrono::steady_clock::time_point Steady() const override;
  // Moves both readings forward by `seconds` (>= 0; negative is ignored).
  void Advance(double seconds);

 private:
  double wall_;
  double steady_ = 0;  // seconds since the fake steady origin
};

}  // namespace sweep

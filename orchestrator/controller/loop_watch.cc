// LoopWatch: a periodic timer whose lateness is the loop's stall. The timer is
// re-armed relative to when it was due, not when it fired, so a stall is counted once
// and never inflates the next measurement. Cheap: one timer wake-up per period.
#include "orchestrator/controller/loop_watch.h"

#include <algorithm>

namespace sweep {

LoopWatch::LoopWatch(boost::asio::io_context& io, std::chrono::milliseconds period)
    : timer_(io), period_(period) {}

void LoopWatch::Start() {
  stopped_ = false;
  due_ = std::chrono::steady_clock::now() + period_;
  Arm();
}

void LoopWatch::Stop() {
  stopped_ = true;
  timer_.cancel();
}

void LoopWatch::Arm() {
  timer_.expires_at(due_);
  timer_.async_wait([this](const boost::system::error_code& ec) {
    if (ec || stopped_) return;
    const auto now = std::chrono::steady_clock::now();
    longest_s_ = std::max(longest_s_, std::chrono::duration<double>(now - due_).count());
    due_ = now + period_;
    Arm();
  });
}

}  // namespace sweep

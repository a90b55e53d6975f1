// Measures how long the controller's event loop goes without running a handler: a
// timer due every `period` notes how late it fires. Lateness is the time some other
// handler (a commit, a summary, a strategy call) held the one loop thread.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <chrono>

namespace sweep {

class LoopWatch {
 public:
  // Lives on `io`'s thread: Start, Stop and longest_stall_s are called from it (or
  // after io.run() returned).
  explicit LoopWatch(boost::asio::io_context& io,
                     std::chrono::milliseconds period = std::chrono::milliseconds(20));

  void Start();
  // Cancels the timer so the loop can run out.
  void Stop();
  // The longest lateness seen, in seconds (0 before the first late tick).
  double longest_stall_s() const { return longest_s_; }

 private:
  void Arm();

  boost::asio::steady_timer timer_;
  std::chrono::milliseconds period_;
  std::chrono::steady_clock::time_point due_;
  double longest_s_ = 0;
  bool stopped_ = true;
};

}  // namespace sweep

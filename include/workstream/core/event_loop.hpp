#pragma once

#include <cstdint>
#include <functional>

namespace boost::asio {
class io_context;
}

namespace workstream {

// Event loops each run by one thread alone (http::ThreadedServer runs one
// per I/O thread). Code called on such a thread may wait on its loop for
// I/O instead of blocking the thread or handing the work to another one;
// one thread per loop means a wait is always queued before the loop can see
// the readiness it waits for.
class EventLoop {
 public:
  // The loop the calling thread runs, or null: not a loop's thread, or its
  // loop is stopping.
  static boost::asio::io_context* current();

  // Runs `io` on the calling thread as that thread's loop, until stop().
  static void run(boost::asio::io_context& io);
  // From any thread: on the loop's thread, it takes no new work and each
  // waiting work's `cancel` runs (see onLeave), which must make it complete
  // (with an error) soon; `io` stops once those handlers ran.
  static void stop(boost::asio::io_context& io);

  // On the loop's thread: work waiting on it, cancelled by stop(); the key
  // is for forget(), once the work is done.
  static std::uint64_t onLeave(std::function<void()> cancel);
  static void forget(std::uint64_t key);
};

}  // namespace workstream

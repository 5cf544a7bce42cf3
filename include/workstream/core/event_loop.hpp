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

  // On the thread about to run `io`: it is this thread's loop from now on.
  static void enter(boost::asio::io_context& io);
  // On the loop's thread: no longer a loop for new work, and each waiting
  // work's `cancel` runs, which must make it complete (with an error) soon.
  static void leave();

  // On the loop's thread: work waiting on it, cancelled by leave(); the key
  // is for forget(), once the work is done.
  static std::uint64_t onLeave(std::function<void()> cancel);
  static void forget(std::uint64_t key);
};

}  // namespace workstream

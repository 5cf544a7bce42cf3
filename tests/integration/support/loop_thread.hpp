#pragma once

// An event loop on a thread of its own, as the HTTP server runs one per I/O
// thread: what runs on it may wait on the loop (core/event_loop.hpp).
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/post.hpp>
#include <future>
#include <thread>

#include "workstream/core/event_loop.hpp"

namespace workstream::testing {

class LoopThread {
 public:
  LoopThread() : thread_([this] { EventLoop::run(io_); }) {}
  ~LoopThread() { stop(); }

  boost::asio::io_context& io() { return io_; }
  std::thread::id id() const { return thread_.get_id(); }

  // Runs `f` on the loop and returns what it returned.
  template <class F>
  auto call(F f) -> decltype(f()) {
    std::packaged_task<decltype(f())()> task(std::move(f));
    auto result = task.get_future();
    boost::asio::post(io_, [&task] { task(); });
    return result.get();
  }

  // As the HTTP server stops: what waits on the loop is cancelled and its
  // handlers run, then the loop ends.
  void stop() {
    if (!thread_.joinable()) return;
    EventLoop::stop(io_);
    thread_.join();
  }

 private:
  boost::asio::io_context io_{1};
  boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_{
      io_.get_executor()};
  std::thread thread_;
};

}  // namespace workstream::testing

#pragma once

#include <chrono>
#include <memory>

#include "http/server.hpp"

namespace workstream::http {

// An http::Server with the I/O threads that run it: start() binds and starts
// them, stop() ends them. Each thread runs an event loop of its own
// (workstream/core/event_loop.hpp) and new connections go to the loops in
// turn, so a handler may wait on its thread's loop for I/O. The handler runs
// on these threads (it must not block); a response it sends later from
// another thread is written on them.
class ThreadedServer {
 public:
  ThreadedServer(Handler handler, ServerLimits limits, Logger log, Metrics* metrics = nullptr);
  // Stops the threads if stop() has not, and releases the port.
  ~ThreadedServer();
  ThreadedServer(const ThreadedServer&) = delete;
  ThreadedServer& operator=(const ThreadedServer&) = delete;

  // Binds `address` and starts `threads` I/O threads; returns the bound
  // address (port 0 resolved). Throws when it cannot bind.
  HostPort start(const HostPort& address, int threads);
  // Stops accepting; idle connections close, busy ones after their response.
  void stopAccepting();
  // After stopAccepting(): true once every connection has closed, false if
  // the deadline passed first.
  bool waitIdle(std::chrono::steady_clock::time_point deadline);
  // Ends the I/O threads: what waits on a loop is cancelled first (its
  // handlers run, on that loop), then no handler runs and no response is
  // written.
  // The port is released when the server is destroyed.
  void stop();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace workstream::http

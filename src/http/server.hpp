#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <vector>

#include "workstream/core/config.hpp"
#include "workstream/core/log.hpp"
#include "workstream/core/metrics.hpp"
#include "workstream/http/message.hpp"

namespace boost::asio {
class io_context;
}

namespace workstream::http {

// What one client may cost the server: a slow or huge client is cut off.
struct ServerLimits {
  std::size_t headerBytes = 16 * 1024;
  std::size_t bodyBytes = 1024 * 1024;
  std::chrono::milliseconds readTimeout{30'000};
};

// HTTP/1.1 with keep-alive on Boost.Beast: one coroutine per connection, each
// on its own strand, on the threads that run the io_context. The handler is
// called on those threads, so it must not block; it may respond later from
// any thread. Requests the parser refuses (malformed, headers or body over
// the limit, ambiguous framing) are answered here, with the error body and a
// fresh request id. Out of descriptors, it stops accepting for a moment and
// keeps serving the connections it has. With `metrics`, those refusals are
// counted by status (workstream_http_refused_total).
class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler, ServerLimits limits, Logger log,
         Metrics* metrics = nullptr);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Before listen(): the loops new connections are spread over, in turn
  // (by default, all on the io_context given above).
  void spreadOver(std::vector<boost::asio::io_context*> loops);
  // Binds and starts accepting; returns the bound address (port 0 resolved).
  HostPort listen(const HostPort& address);
  // Stops accepting; idle connections are closed, busy ones after their
  // response.
  void stop();
  // After stop(): waits until every connection has closed (each after its
  // response), or the deadline passes; true if all closed.
  bool waitIdle(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace workstream::http

#pragma once

#include <chrono>
#include <cstddef>
#include <memory>

#include "workstream/core/config.hpp"
#include "workstream/core/log.hpp"
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
// on its own strand, on the threads that run the io_context. The handler runs
// on those threads too, so it must not block.
class Server {
 public:
  Server(boost::asio::io_context& io, Handler handler, ServerLimits limits, Logger log);
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Binds and starts accepting; returns the bound address (port 0 resolved).
  HostPort listen(const HostPort& address);
  // Stops accepting new connections.
  void stop();

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace workstream::http

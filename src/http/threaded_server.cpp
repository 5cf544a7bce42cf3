#include "http/threaded_server.hpp"

#include <boost/asio/io_context.hpp>
#include <thread>
#include <vector>

namespace workstream::http {

struct ThreadedServer::Impl {
  Impl(Handler handler, ServerLimits limits, Logger log, Metrics* metrics)
      : server(io, std::move(handler), limits, std::move(log), metrics) {}

  boost::asio::io_context io;
  Server server;
  std::vector<std::thread> threads;
};

ThreadedServer::ThreadedServer(Handler handler, ServerLimits limits, Logger log, Metrics* metrics)
    : impl_(std::make_unique<Impl>(std::move(handler), limits, std::move(log), metrics)) {}

ThreadedServer::~ThreadedServer() { stop(); }

HostPort ThreadedServer::start(const HostPort& address, int threads) {
  const auto bound = impl_->server.listen(address);
  for (int i = 0; i < threads; ++i) impl_->threads.emplace_back([this] { impl_->io.run(); });
  return bound;
}

void ThreadedServer::stopAccepting() { impl_->server.stop(); }

bool ThreadedServer::waitIdle(std::chrono::steady_clock::time_point deadline) {
  return impl_->server.waitIdle(deadline);
}

void ThreadedServer::stop() {
  impl_->io.stop();
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
}

}  // namespace workstream::http
